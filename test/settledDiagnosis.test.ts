// The reading after a reload PostgREST was seen to make: read again while cache findings remain, until two agree.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Report} from '../source/report/buildReport.js';
import {settledDiagnosis} from '../source/ui/DoctorApp.js';

const report = (...codes: string[]) =>
	({findings: codes.map(code => ({code, message: `${code} on members.nickname`}))}) as unknown as Report;

function readings(...reports: Report[]) {
	let reads = 0;
	return {diagnose: async () => reports[Math.min(reads++, reports.length - 1)]!, reads: () => reads};
}

test('a reading without cache findings is taken at once', async () => {
	const source = readings(report('trigger.missing'));
	assert.deepEqual(
		(await settledDiagnosis(source.diagnose)).findings.map(found => found.code),
		['trigger.missing']
	);
	assert.equal(source.reads(), 1);
});

test('a stale reading is read again until the cache is in use, or two readings agree', async () => {
	const healing = readings(report('cache.column_missing', 'trigger.missing'), report('trigger.missing'));
	assert.deepEqual(
		(await settledDiagnosis(healing.diagnose)).findings.map(found => found.code),
		['trigger.missing']
	);
	assert.equal(healing.reads(), 2);
	const lasting = readings(report('cache.column_missing'), report('cache.column_missing'), report());
	assert.deepEqual(
		(await settledDiagnosis(lasting.diagnose)).findings.map(found => found.code),
		['cache.column_missing'],
		'two agreeing readings are the answer'
	);
	assert.equal(lasting.reads(), 2);
});
