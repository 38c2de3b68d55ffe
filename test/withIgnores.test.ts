// --ignore over reports without servers: what an allow-list can never wave through, and the exit codes it leaves.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {finding} from '../source/findings.js';
import {type Report, unignorableReason, withIgnores} from '../source/report/buildReport.js';

const trigger = {
	...finding('trigger.missing', {reload: 'NOTIFY pgrst'}, {fixes: ['trigger']}),
	check: 'trigger.installed',
};
const column = {
	...finding(
		'cache.column_missing',
		{schema: 'public', table: 't', column: 'c'},
		{schema: 'public', table: 't', column: 'c'}
	),
	check: 'cache.columns',
};

const report = (findings: Report['findings'], checks: Report['checks'], extra: Partial<Report> = {}): Report => ({
	schemaVersion: 1,
	tool: {name: 'pgrst-doctor', version: '0'},
	target: {db: 'postgres@127.0.0.1:5432/app', api: 'http://127.0.0.1:3000'},
	postgrest: {version: '12.0.2', cacheSource: 'OpenAPI + probes', probeRequests: 3},
	schemas: {names: ['public'], source: 'PostgREST'},
	checks,
	findings,
	fixes: [],
	exitCode: 1,
	...extra,
});
const check = (id: string, status: Report['checks'][number]['status'], blockedBy?: string) => ({
	id,
	title: id,
	status,
	summary: status,
	durationMs: 1,
	...(blockedBy ? {blockedBy} : {}),
});

test('a finding whose check kept others from running stays, named as unignorable, with the checks it kept', () => {
	const loaded = {...finding('cache.unloaded', {explained: true}), check: 'cache.loaded'};
	const checks = [
		check('cache.loaded', 'fail'),
		check('cache.columns', 'skip', 'cache.loaded'),
		check('trigger.installed', 'warn'),
	];
	const ignored = withIgnores(report([loaded, trigger], checks), [loaded.key, trigger.key]);
	assert.deepEqual(ignored.findings, [loaded]);
	assert.deepEqual(ignored.unignorable, [loaded.key]);
	assert.deepEqual(ignored.ignoredFindings, [trigger]);
	assert.equal(ignored.exitCode, 1);
	assert.equal(unignorableReason(ignored, loaded.key), 'it kept cache.columns from running');
});

test('cache.inconsistent is never ignored: no comparison through that address can be trusted', () => {
	const split = {
		...finding('cache.inconsistent', {
			url: 'http://lb',
			disagreeing: 1,
			answers: 9,
			majority: 8,
			unanswered: '',
			differences: 'x',
		}),
		check: 'cache.consistent',
	};
	const ignored = withIgnores(report([split], [check('cache.consistent', 'fail')]), [split.key]);
	assert.deepEqual(ignored.findings, [split]);
	assert.deepEqual(ignored.unignorable, [split.key]);
	assert.equal(ignored.exitCode, 1);
	assert.match(unignorableReason(ignored, split.key), /no comparison through it is trusted/);
});

test('a check that could not run keeps exit 2 when every finding is ignored', () => {
	const ignored = withIgnores(
		report([column], [check('cache.columns', 'fail'), check('trigger.installed', 'error')]),
		[column.key]
	);
	assert.deepEqual(ignored.findings, []);
	assert.equal(ignored.exitCode, 2);
});

test('a check whose every finding was ignored is marked; one with a finding left is not', () => {
	const other = {
		...column,
		...finding('cache.column_missing', {schema: 'public', table: 't', column: 'd'}, {column: 'd'}),
		check: 'cache.columns',
	};
	const checks = [check('cache.columns', 'fail'), check('trigger.installed', 'warn')];
	const all = withIgnores(report([column, trigger], checks), [column.key]);
	assert.equal(all.checks.find(item => item.id === 'cache.columns')!.ignored, true);
	assert.equal(all.checks.find(item => item.id === 'trigger.installed')!.ignored, undefined);
	const some = withIgnores(report([column, other], checks), [column.key]);
	assert.equal(some.checks.find(item => item.id === 'cache.columns')!.ignored, undefined);
	assert.equal(some.exitCode, 1);
});

test('several instances: each instance exit code is recomputed from the findings that are about it', () => {
	const stale = {...column, key: `${column.key}@http%3A%2F%2Fa`, instance: 'http://a'};
	const instances = [
		{
			label: '#1',
			api: 'http://a',
			version: '12.0.2',
			cacheSource: null,
			exitCode: 1,
			checks: [check('cache.columns', 'fail')],
		},
		{
			label: '#2',
			api: 'http://b',
			version: '12.0.2',
			cacheSource: null,
			exitCode: 0,
			checks: [check('cache.columns', 'pass')],
		},
	];
	const ignored = withIgnores(report([stale], [check('cache.columns', 'fail')], {instances}), [stale.key]);
	assert.equal(ignored.exitCode, 0);
	assert.deepEqual(
		ignored.instances!.map(instance => instance.exitCode),
		[0, 0]
	);
});
