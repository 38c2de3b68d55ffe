// runChecks (source/engine.ts): checks run in order over one set of facts; a check whose prerequisite did not pass is
// skipped with the reason; a check that throws becomes status error and its dependents are skipped. First with tiny
// checks, then the real checks over Facts recorded from PostgreSQL 18 and PostgREST 12.0.2 and 11.2.2 by
// test/support/recordDiagnosis.ts, against what the built CLI's `check --json` printed in the same state.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import type {Check, Facts, Outcome} from '../source/checks/check.js';
import {type CheckResult, checks, runChecks} from '../source/engine.js';
import {finding} from '../source/findings.js';
import {buildReport, type Report} from '../source/report/buildReport.js';

type Recorded = {facts: Facts; report: Report; text: string; exitCode: number};
type States = Record<'stale' | 'reloaded' | 'unreachable', Recorded>;
const versions = ['12.0.2', '11.2.2'];
const recordedOn = (version: string) =>
	(
		JSON.parse(readFileSync(new URL(`fixtures/diagnosis-${version}.json`, import.meta.url), 'utf8')) as {
			value: States;
		}
	).value;
const recorded = recordedOn('12.0.2');

const tiny = (
	id: string,
	dependsOn: string[],
	run: (facts: Facts) => Outcome,
	appliesTo?: (facts: Facts) => boolean
): Check => ({id, title: `Title of ${id}`, dependsOn, run, ...(appliesTo ? {appliesTo} : {})});
const passing = (summary: string) => () => ({status: 'pass' as const, summary});
const shape = (results: CheckResult[]) => results.map(({id, status, summary}) => `${id} ${status}: ${summary}`);
const facts = recorded.reloaded.facts;

test("checks run in the order given, each once, with its title; an outcome's findings and duration are kept", () => {
	const seen: string[] = [];
	const found = finding('trigger.missing', {reload: 'NOTIFY pgrst'});
	const results = runChecks(facts, [
		tiny('b.second', [], () => {
			seen.push('b');
			return {status: 'warn', summary: 'careful', findings: [found], durationMs: 7};
		}),
		tiny('a.first', [], () => {
			seen.push('a');
			return {status: 'pass', summary: 'fine'};
		}),
	]);
	assert.deepEqual(seen, ['b', 'a']);
	assert.deepEqual(shape(results), ['b.second warn: careful', 'a.first pass: fine']);
	assert.equal(results[0]!.title, 'Title of b.second');
	assert.deepEqual(results[0]!.findings, [{...found, check: 'b.second'}]);
	assert.equal(results[0]!.durationMs, 7);
	assert.deepEqual(results[1]!.findings, []);
	assert.ok(Number.isInteger(results[1]!.durationMs) && results[1]!.durationMs >= 0);
});

test('a check that throws gets status error with the message, and what depends on it is skipped, not run', () => {
	let ranDependent = false;
	const results = runChecks(facts, [
		tiny('x.throws', [], () => {
			throw new Error('catalog row without a name');
		}),
		tiny('y.after', ['x.throws'], () => {
			ranDependent = true;
			return {status: 'pass', summary: 'ran'};
		}),
		tiny('z.independent', [], passing('still runs')),
	]);
	assert.deepEqual(shape(results), [
		'x.throws error: The check itself failed: catalog row without a name',
		'y.after skip: Skipped: x.throws did not pass',
		'z.independent pass: still runs',
	]);
	assert.equal(ranDependent, false);
	assert.equal(results[1]!.blockedBy, 'x.throws');
	assert.equal(results[2]!.blockedBy, undefined);
});

test('a check that throws leaves no finding, yet the report says the diagnosis was not made (exit 2)', () => {
	const results = runChecks(facts, [
		tiny('x.throws', [], () => {
			throw new Error('catalog row without a name');
		}),
	]);
	assert.deepEqual(results[0]!.findings, []);
	assert.equal(buildReport(facts, results, {}).exitCode, 2);
	assert.equal(buildReport(facts, runChecks(facts, [tiny('x.passes', [], passing('fine'))]), {}).exitCode, 0);
});

test('a prerequisite that failed or was skipped skips its dependents, down the chain; pass and warn do not', () => {
	const results = runChecks(facts, [
		tiny('a.fails', [], () => ({status: 'fail', summary: 'broken'})),
		tiny('b.warns', [], () => ({status: 'warn', summary: 'meh'})),
		tiny('c.needs-a', ['a.fails'], passing('ran')),
		tiny('d.needs-c', ['c.needs-a'], passing('ran')),
		tiny('e.needs-b', ['b.warns'], passing('ran after a warning')),
		tiny('f.needs-b-and-a', ['b.warns', 'a.fails'], passing('ran')),
	]);
	assert.deepEqual(shape(results), [
		'a.fails fail: broken',
		'b.warns warn: meh',
		'c.needs-a skip: Skipped: a.fails did not pass',
		'd.needs-c skip: Skipped: c.needs-a did not pass',
		'e.needs-b pass: ran after a warning',
		'f.needs-b-and-a skip: Skipped: a.fails did not pass',
	]);
});

test('a check that does not apply is left out, and a dependency on it (or on no check at all) does not block', () => {
	const results = runChecks(facts, [
		tiny('a.absent', [], passing('never'), () => false),
		tiny('b.needs-absent', ['a.absent', 'no.such-check'], passing('ran')),
	]);
	assert.deepEqual(shape(results), ['b.needs-absent pass: ran']);
});

for (const [state, {facts: recordedFacts, report}] of versions.flatMap(version =>
	Object.entries(recordedOn(version)).map(([name, item]) => [`${name}, PostgREST ${version}`, item] as const)
)) {
	test(`the real checks over the recorded facts (${state}) give what check --json printed`, () => {
		const results = runChecks(recordedFacts);
		assert.deepEqual(
			shape(results),
			report.checks.map(({id, status, summary}) => `${id} ${status}: ${summary}`)
		);
		assert.deepEqual(
			results.map(result => result.title),
			report.checks.map(check => check.title)
		);
		const findings = results.flatMap(result => result.findings);
		assert.deepEqual(
			new Set(findings.map(found => JSON.stringify(found))),
			new Set(report.findings.map(found => JSON.stringify(found)))
		);
	});
}

for (const version of versions) {
	test(`PostgREST ${version}: stale fails on the two changes, reloaded passes the cache, no database skips`, () => {
		const recorded = recordedOn(version);
		const ids = (state: Recorded, status: string) =>
			runChecks(state.facts)
				.filter(result => result.status === status)
				.map(result => result.id);
		assert.deepEqual(ids(recorded.stale, 'fail'), ['cache.columns', 'cache.functions']);
		assert.deepEqual(ids(recorded.reloaded, 'fail'), []);
		assert.deepEqual(ids(recorded.unreachable, 'fail'), ['database.connect']);
		// Everything that reads the database waits for database.connect; PostgREST's own checks still run.
		assert.deepEqual(ids(recorded.unreachable, 'pass'), ['api.reachable', 'cache.loaded']);
		const order = checks.map(check => check.id);
		for (const state of Object.values(recorded)) {
			const ran = runChecks(state.facts).map(result => result.id);
			assert.deepEqual(
				ran,
				order.filter(id => ran.includes(id)),
				"the engine's order"
			);
		}
	});
}
