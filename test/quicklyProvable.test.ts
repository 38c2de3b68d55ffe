// When a reload fix may be proved by the quick proof (fixes/quickProof.ts, condition 1), over a report recorded from
// PostgREST 12.0.2 by test/support/recordReports.ts (a column added after PostgREST loaded its cache).
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {finding} from '../source/findings.js';
import {quicklyProvable} from '../source/fixes/quickProof.js';
import type {HttpTarget} from '../source/probes/http.js';
import type {Report} from '../source/report/buildReport.js';

const stale = JSON.parse(readFileSync(new URL('fixtures/report-stale-12.0.2.json', import.meta.url), 'utf8')) as Report;
const target: HttpTarget = {baseUrl: 'http://127.0.0.1:3000', timeoutMs: 1000};
const withFindings = (...added: Report['findings']): Report => ({...stale, findings: [...stale.findings, ...added]});

test('a full comparison of one PostgREST whose cache findings each name one object is proved quickly', () => {
	assert.deepEqual(
		stale.findings.map(found => found.code),
		['cache.column_missing', 'trigger.missing']
	);
	assert.equal(quicklyProvable(stale, target), true);
});

test('not without a PostgREST to ask, nor with no cache finding to recheck', () => {
	assert.equal(quicklyProvable(stale, undefined), false);
	assert.equal(
		quicklyProvable({...stale, findings: stale.findings.filter(found => !found.code.startsWith('cache.'))}, target),
		false
	);
});

test('not when the reload seen may be another PostgREST, or part of the cache was not compared', () => {
	const doubts = [
		finding('listener.missing', {situation: 'not listening', database: 'app', channel: 'pgrst', adminDown: false}),
		finding('api.instance_unchecked', {
			database: 'app',
			total: 3,
			list: '#1, #2, #3',
			through: 'one address',
			notes: [],
		}),
		finding('cache.unverified', {objects: 'One function', reasons: ['the probe request failed: no answer']}),
		finding('cache.function_signature', {signature: 'public.f(b)', cached: 'public.f(a)'}),
	];
	for (const doubt of doubts) assert.equal(quicklyProvable(withFindings(doubt), target), false, doubt.code);
	assert.equal(quicklyProvable({...stale, instances: []}, target), false, 'instances');
	assert.equal(
		quicklyProvable({...stale, instancesSeen: [{}, {}] as unknown as Report['instancesSeen']}, target),
		false,
		'several instances seen'
	);
	const skipped = stale.checks.map(check =>
		check.id === 'cache.functions' ? {...check, status: 'skip' as const} : check
	);
	assert.equal(quicklyProvable({...stale, checks: skipped}, target), false, 'a cache check skipped');
});
