import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Report} from '../source/report/buildReport.js';
import {doctorReducer, initialState, menuFor} from '../source/ui/doctorState.js';

const report = (fixes: string[]): Report => ({
	schemaVersion: 1,
	tool: {name: 'pgrst-doctor', version: '0'},
	target: {db: null, api: null},
	postgrest: {version: null, cacheSource: null, probeRequests: null},
	schemas: {names: [], source: ''},
	checks: [],
	findings: [],
	fixes: fixes.map(id => ({id, kind: 'sql', title: id, preview: '', writes: false, proves: []})) as Report['fixes'],
	exitCode: 1,
});

test('connect → diagnose → report; every diagnosis is a new run', () => {
	let state = initialState(false);
	assert.equal(state.screen.name, 'connect');
	state = doctorReducer(state, {type: 'connected'});
	assert.equal(state.screen.name, 'diagnosing');
	const run = state.run;
	state = doctorReducer(state, {type: 'phase', phase: 'database', done: false});
	state = doctorReducer(state, {type: 'phase', phase: 'database', done: true, ms: 12});
	assert.deepEqual(state.screen, {name: 'diagnosing', phases: [{phase: 'database', done: true, ms: 12}]});
	assert.equal(state.run, run, 'progress does not restart the diagnosis');
	state = doctorReducer(state, {type: 'diagnosed', report: report(['reload'])});
	assert.equal(state.screen.name, 'report');
});

test('a reload runs at once; a writing fix asks first and a decline changes nothing', () => {
	let state = doctorReducer(initialState(true), {type: 'diagnosed', report: report(['reload', 'trigger'])});
	const reloading = doctorReducer(state, {type: 'choose', fix: 'reload'});
	assert.deepEqual(reloading.screen, {name: 'applying', fix: 'reload', phases: []});
	state = doctorReducer(state, {type: 'choose', fix: 'trigger'});
	assert.deepEqual(state.screen, {name: 'confirm', fix: 'trigger'});
	const declined = doctorReducer(state, {type: 'decline'});
	assert.equal(declined.screen.name, 'report');
	assert.equal(declined.notice, 'Nothing was changed.');
	const confirmed = doctorReducer(state, {type: 'confirm'});
	assert.deepEqual(confirmed.screen, {name: 'applying', fix: 'trigger', phases: []});
	const before = confirmed.report;
	const after = report([]);
	const fixed = doctorReducer(confirmed, {type: 'fixed', result: {id: 'trigger', ok: true, verified: true, durationMs: 5, message: 'ok'}, report: after});
	assert.equal(fixed.before, before, 'before → after is kept');
	assert.equal(fixed.report, after);
	assert.equal(fixed.screen.name, 'report');
});

test('the menu offers the fixes the findings point at, then probe, diagnose again and quit', () => {
	assert.deepEqual(menuFor(report(['reload', 'trigger', 'manual-reload'])).map(item => item.key), ['r', 't', 's', 'd', 'p', 'a', 'q']);
	assert.deepEqual(menuFor(report([])).map(item => item.key), ['p', 'a', 'q']);
});
