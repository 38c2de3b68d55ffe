import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Report} from '../source/report/buildReport.js';
import {
	canProbe,
	doctorReducer,
	inKeys,
	initialState,
	menuFor,
	proofOf,
	sqlScriptsFor,
} from '../source/ui/doctorState.js';
import {reloadedReport, staleReport, unreachableReport} from './support/fakeEngine.js';

const report = (fixes: string[], checks: Report['checks'] = []): Report => ({
	schemaVersion: 1,
	tool: {name: 'pgrst-doctor', version: '0'},
	target: {db: 'db', api: 'api'},
	postgrest: {version: null, cacheSource: null, probeRequests: null},
	schemas: {names: [], source: ''},
	checks,
	findings: [],
	fixes: fixes.map(id => ({id, kind: 'sql', title: id, preview: '', writes: false, proves: []})) as Report['fixes'],
	exitCode: 1,
});

test('connect → diagnose → report; every diagnosis is a new run, and each lands in the record', () => {
	let state = initialState(false);
	assert.equal(state.screen.name, 'connect');
	state = doctorReducer(state, {type: 'connected', target: 'db · api'});
	assert.equal(state.screen.name, 'diagnosing');
	const run = state.run;
	state = doctorReducer(state, {type: 'phase', phase: 'database', done: false});
	state = doctorReducer(state, {type: 'phase', phase: 'database', done: true, ms: 12});
	assert.deepEqual(state.screen, {
		name: 'diagnosing',
		phases: [{phase: 'database', done: true, ms: 12}],
		probe: false,
		title: 'Diagnosis',
	});
	assert.equal(state.run, run, 'progress does not restart the diagnosis');
	state = doctorReducer(state, {type: 'diagnosed', report: report(['reload'])});
	assert.equal(state.screen.name, 'report');
	assert.deepEqual(
		state.record.map(entry => entry.kind),
		['connected', 'diagnosis']
	);
});

test('a reload runs at once; a writing fix asks first, a decline is recorded and changes nothing', () => {
	let state = doctorReducer(initialState(true), {type: 'diagnosed', report: report(['reload', 'trigger'])});
	const reloading = doctorReducer(state, {type: 'choose', fix: 'reload'});
	assert.deepEqual(reloading.screen, {name: 'applying', fix: 'reload', phases: []});
	state = doctorReducer(state, {type: 'choose', fix: 'trigger'});
	assert.deepEqual(state.screen, {name: 'confirm', fix: 'trigger'});
	const declined = doctorReducer(state, {type: 'decline'});
	assert.equal(declined.screen.name, 'report');
	assert.deepEqual(declined.record.at(-1), {kind: 'note', text: 'Declined: nothing was changed.', tone: 'info'});
	const confirmed = doctorReducer(state, {type: 'confirm'});
	assert.deepEqual(confirmed.screen, {name: 'applying', fix: 'trigger', phases: []});
	const before = confirmed.report;
	const after = report([]);
	const result = {id: 'trigger', ok: true, verified: true, durationMs: 5, message: 'ok'} as const;
	const fixed = doctorReducer(confirmed, {type: 'fixed', result, report: after});
	assert.deepEqual(
		fixed.record.at(-1),
		{kind: 'fix', result, before, after},
		'the banner and proof belong to this action'
	);
	assert.equal(fixed.report, after);
	assert.equal(fixed.screen.name, 'report');
});

test('a probe whose NOTIFY reloaded PostgREST is recorded, then the cache is read again', () => {
	let state = doctorReducer(initialState(true), {type: 'diagnosed', report: staleReport});
	state = doctorReducer(state, {type: 'diagnose', probe: true});
	assert.deepEqual(state.screen, {
		name: 'diagnosing',
		phases: [],
		probe: true,
		title: 'Diagnosis with the NOTIFY probe',
	});
	const run = state.run;
	state = doctorReducer(state, {type: 'probed', report: staleReport});
	assert.equal(state.screen.name, 'diagnosing');
	assert.ok(state.run > run, 'a new diagnosis starts');
	state = doctorReducer(state, {type: 'diagnosed', report: reloadedReport});
	assert.deepEqual(
		state.record.map(entry => (entry.kind === 'diagnosis' ? entry.title : entry.kind)),
		['Diagnosis', 'probe', "Read again after the probe's reload"]
	);
	assert.ok(!menuFor(state.report!).some(item => item.key === 'r'), 'no reload offered for a cache that matches');
});

test('the menu offers the fixes the findings point at, then probe, diagnose again, connect and quit', () => {
	assert.deepEqual(
		menuFor(report(['reload', 'trigger', 'manual-reload'])).map(item => item.key),
		['r', 't', 's', 'd', 'p', 'a', 'u', 'q']
	);
	assert.deepEqual(
		menuFor(report([])).map(item => item.key),
		['p', 'a', 'u', 'q']
	);
});

test('d names the Supabase steps only for a Supabase target', () => {
	const steps = (supabase: boolean) =>
		menuFor(report(['reload', 'manual-reload']), {supabase}).find(item => item.key === 'd')!.label;
	assert.match(steps(true), /Supabase/);
	assert.doesNotMatch(steps(false), /Supabase/);
	assert.match(steps(false), /SIGUSR1/);
});

test('no probe when the database or PostgREST did not answer: it could not tell anything', () => {
	assert.equal(canProbe(unreachableReport), false);
	assert.ok(!menuFor(unreachableReport).some(item => item.key === 'p'));
	assert.ok(
		menuFor(unreachableReport).some(item => item.key === 'u'),
		'the way to correct the URL is offered'
	);
	assert.equal(canProbe(staleReport), true);
});

test('s offers the SQL that fits: the reload first when the cache is stale, then the trigger, then its removal', () => {
	assert.deepEqual(sqlScriptsFor(staleReport), ['reload', 'trigger']);
	assert.deepEqual(sqlScriptsFor(reloadedReport), ['trigger']);
	assert.deepEqual(
		sqlScriptsFor(report([], [{id: 'trigger.installed', title: 't', status: 'pass', summary: '', durationMs: 1}])),
		['uninstall-trigger']
	);
	assert.ok(!menuFor(report([])).some(item => item.key === 's'), 'no SQL offered when none fits');
});

test('the proof lists what was healed, what remains and which checks changed', () => {
	const proof = proofOf(staleReport, reloadedReport);
	assert.deepEqual(
		proof.healed.map(found => found.code),
		['cache.column_missing']
	);
	assert.deepEqual(
		proof.remaining.map(found => found.code),
		['trigger.missing']
	);
	assert.deepEqual(proof.appeared, []);
	assert.deepEqual(
		proof.changed.map(check => [check.id, check.from, check.to]),
		[['cache.columns', 'fail', 'pass']]
	);
});

test('checks that name --probe say the key instead', () => {
	const skip = staleReport.checks.find(check => check.id === 'notify.delivery')!.summary;
	assert.match(skip, /add --probe/, 'the recorded wording this rewrites');
	assert.match(inKeys(skip), /^Not probed: press p to send NOTIFY/);
	assert.doesNotMatch(inKeys('run with --probe to prove notifications arrive; --probe tells more'), /--probe/);
	assert.equal(inKeys(skip, false), skip, 'no "press p" where the menu has no p');
});
