// Several PostgREST instances as pure functions: counting them in pg_stat_activity, merging their reports, comparing
// identical answers through one address, and the delivery verdict per instance. The sessions are those the replica
// bed (test/support/replicaBed.ts: two replicas direct, one behind PgBouncer in transaction mode) showed on
// PostgreSQL 18 with PostgREST 12.0.2, recorded from pg_stat_activity during a run of test/replicas.e2e.test.ts.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {cacheConsistent} from '../source/checks/cacheConsistent.js';
import type {Facts} from '../source/checks/check.js';
import {instancesReached} from '../source/checks/instancesReached.js';
import {notifyDelivery} from '../source/checks/notifyDelivery.js';
import {hostOf, instanceCount, postgrestInstances} from '../source/checks/postgrestInstances.js';
import {finding} from '../source/findings.js';
import {staleInstances} from '../source/fixes/applyFixes.js';
import {type CacheSample, describedSchema} from '../source/probes/cacheAgreement.js';
import type {DatabaseFacts, Session} from '../source/probes/database.js';
import type {PostgrestIdentity} from '../source/probes/postgrestIdentity.js';
import {exitCodes, type Report} from '../source/report/buildReport.js';
import {mergeInstanceReports} from '../source/report/instanceReport.js';
import {parseChannel} from '../source/sql/channel.js';

const database = 'scenario_1';
const session = (pid: number, applicationName: string, query: string, user = 'authenticator'): Session => ({
	pid,
	database,
	user,
	applicationName,
	state: 'idle',
	query,
	clientAddress: '127.0.0.1/32',
});
// As recorded: each replica's listener and pool connection; PgBouncer's server connection that ran replica-c's
// LISTEN, and one it opened that no client has used yet (no application name); the doctor's own session.
const sessions: Session[] = [
	session(2872, 'PostgREST 12.0.2 replica-a', 'COMMIT'),
	session(2874, 'PostgREST 12.0.2 replica-a', 'LISTEN "pgrst"'),
	session(2883, 'PostgREST 12.0.2 replica-b', 'COMMIT'),
	session(2885, 'PostgREST 12.0.2 replica-b', 'LISTEN "pgrst"'),
	session(2894, 'PostgREST 12.0.2 replica-c', 'LISTEN "pgrst"'),
	session(2896, 'PostgREST 12.0.2 replica-c', 'COMMIT'),
	session(2916, '', ''),
	session(2920, 'pgrst-doctor', 'select 1', 'postgres'),
];
const identity = (applicationName: string): PostgrestIdentity => ({
	confirmed: true,
	user: 'authenticator',
	database,
	applicationName,
	clientAddress: '127.0.0.1',
});

test('the database shows each replica once, by login role, application name and client address; the one asked is marked', () => {
	const seen = postgrestInstances(sessions, database, [
		identity('PostgREST 12.0.2 replica-c'),
		{confirmed: false, reason: 'not asked'},
	]);
	assert.deepEqual(
		seen.map(group => [group.applicationName, group.sessions, group.listeners, group.reachedBy]),
		[
			['PostgREST 12.0.2 replica-c', 2, 1, [0]],
			['PostgREST 12.0.2 replica-a', 2, 1, []],
			['PostgREST 12.0.2 replica-b', 2, 1, []],
		],
		"PgBouncer's unused server connection and the doctor's own session are no instance"
	);
	assert.equal(instanceCount(seen), 3);
	assert.equal(hostOf('::1/128'), '::1');
});

test("through one address, a claim counts only under a login role that ran one of the doctor's requests", () => {
	const lookAlike = {...session(3001, 'PostgREST 12.0.2 replica-z', 'LISTEN "pgrst"', 'intruder')};
	const balanced: PostgrestIdentity = {
		confirmed: false,
		reason: "different sessions ran the doctor's requests each time",
		answeredRoles: ['authenticator'],
	};
	const seen = postgrestInstances([...sessions, lookAlike], database, [balanced]);
	assert.deepEqual(
		seen.map(group => group.applicationName),
		['PostgREST 12.0.2 replica-a', 'PostgREST 12.0.2 replica-b', 'PostgREST 12.0.2 replica-c']
	);
	const unknown = postgrestInstances([...sessions, lookAlike], database, [{confirmed: false, reason: 'not asked'}]);
	assert.equal(
		unknown.length,
		4,
		'with no role known, every claimant is counted (and reported as unconfirmed elsewhere)'
	);
});

test('replicas on one host with one application name are one group, counted by their listeners', () => {
	const alike = sessions.map(found => ({
		...found,
		applicationName: found.applicationName?.startsWith('PostgREST') ? 'PostgREST 12.0.2' : found.applicationName,
	}));
	const seen = postgrestInstances(alike, database, []);
	assert.equal(seen.length, 1);
	assert.equal(seen[0]!.count, 3, 'three listeners: three PostgREST processes that cannot be told apart');
	const facts = {...baseFacts, instancesSeen: seen, instancesAsked: ['http://lb']};
	const outcome = instancesReached.run(facts);
	assert.equal(outcome.status, 'warn');
	assert.match(
		outcome.findings![0]!.message,
		/shows 3 PostgREST instances \(authenticator as "PostgREST 12\.0\.2" from 127\.0\.0\.1, 3 listeners: 3 instances that cannot be told apart\)/
	);
});

const baseFacts: Facts = {
	channel: parseChannel('pgrst'),
	schemas: ['public'],
	schemasSource: 'PostgREST',
	apiUrl: 'http://lb:3000',
	poolerHints: [],
	timings: {},
	database: {
		server: {database, user: 'postgres', version: '18', superuser: true, readAllStats: true},
		eventTriggers: [],
		roleSettings: [],
		sessions,
		queueUsage: [],
	} satisfies DatabaseFacts,
};

test("through one address each instance's listener is checked: the one whose LISTEN the pooler took is named", () => {
	// PgBouncer gave replica-c's LISTEN connection to its pool: the query shown is the pool's last one.
	const pooled = sessions.map(found => (found.pid === 2894 ? {...found, query: 'COMMIT'} : found));
	const seen = postgrestInstances(pooled, database, [
		{confirmed: false, reason: "different sessions ran the doctor's requests each time"},
	]);
	const outcome = instancesReached.run({
		...baseFacts,
		database: {...baseFacts.database!, sessions: pooled},
		instancesSeen: seen,
	});
	assert.equal(outcome.status, 'fail');
	const missing = outcome.findings!.filter(found => found.code === 'listener.missing');
	assert.deepEqual(
		missing.map(found => found.message),
		[
			'The PostgREST instance authenticator as "PostgREST 12.0.2 replica-c" from 127.0.0.1 has no ' +
				'session that runs LISTEN "pgrst" in scenario_1: NOTIFY pgrst reaches the other instances, not this one',
		]
	);
	assert.match(
		outcome.findings!.at(-1)!.message,
		/http:\/\/lb:3000 reaches whichever instance a balancer picks for each request/
	);
});

const openApi = (columns: string[]) =>
	JSON.stringify({
		swagger: '2.0',
		host: '127.0.0.1:3000',
		definitions: {organizations: {properties: Object.fromEntries(columns.map(column => [column, {type: 'text'}]))}},
		paths: {'/': {}, '/organizations': {}},
	});

test('an answer is reduced to the schema it describes: the host differs between replicas, the schema does not', () => {
	const a = describedSchema(200, openApi(['id', 'name']));
	const b = describedSchema(200, openApi(['id', 'name']).replace('127.0.0.1:3000', '10.0.0.7:3000'));
	assert.equal(a.digest, b.digest);
	assert.notEqual(describedSchema(200, openApi(['id', 'name', 'region'])).digest, a.digest);
	assert.deepEqual(describedSchema(503, '{"code":"PGRST002","message":"…","details":null,"hint":null}').entries, [
		'answer HTTP 503 PGRST002',
	]);
});

test('cache.consistent: disagreeing samples are cache.inconsistent, with how many of how many and what differs', () => {
	const fresh = describedSchema(200, openApi(['id', 'name', 'region']));
	const stale = describedSchema(200, openApi(['id', 'name']));
	const samples: CacheSample[] = [fresh, fresh, stale, fresh, fresh, stale, fresh, {failed: 'timeout'}, fresh];
	const outcome = cacheConsistent.run({...baseFacts, agreement: {samples}});
	assert.equal(outcome.status, 'fail');
	const [found] = outcome.findings!;
	assert.equal(found!.code, 'cache.inconsistent');
	assert.match(
		found!.message,
		/^2 of 8 identical requests for PostgREST's OpenAPI description through http:\/\/lb:3000 \(each on a new connection\) described another schema cache than the other 6; 1 got no comparable answer: column organizations\.region in 6 answers, not in 2\./
	);
});

test('cache.consistent: agreement passes, and says it is no proof', () => {
	const fresh = describedSchema(200, openApi(['id']));
	const outcome = cacheConsistent.run({...baseFacts, agreement: {samples: Array.from({length: 9}, () => fresh)}});
	assert.equal(outcome.status, 'pass');
	assert.match(outcome.summary, /no disagreement seen; that does not prove every instance was reached/);
	const lonely = cacheConsistent.run({...baseFacts, agreement: {samples: [fresh, {failed: 'timeout'}]}});
	assert.equal(lonely.status, 'warn', 'one answer cannot disagree with anything');
});

test('notify.delivery through one address: undelivered when one instance of three did not reload, and it is named', () => {
	const delivery = {
		delivered: false,
		waitedMs: 3000,
		instances: [
			{instance: 'authenticator as "PostgREST 12.0.2 replica-a" from 127.0.0.1', delivered: true, latencyMs: 30},
			{instance: 'authenticator as "PostgREST 12.0.2 replica-b" from 127.0.0.1', delivered: true, latencyMs: 40},
			{instance: 'authenticator as "PostgREST 12.0.2 replica-c" from 127.0.0.1', delivered: false},
		],
	};
	const outcome = notifyDelivery.run({...baseFacts, delivery});
	assert.equal(outcome.status, 'fail');
	const undelivered = outcome.findings!.find(found => found.code === 'notify.undelivered');
	assert.match(
		undelivered!.message,
		/1 of the 3 PostgREST instances the database shows did not reload within 3000 ms \(authenticator as "PostgREST 12\.0\.2 replica-c" from 127\.0\.0\.1\); 2 did/
	);
	const all = notifyDelivery.run({
		...baseFacts,
		delivery: {
			delivered: true,
			waitedMs: 3000,
			latencyMs: 40,
			evidence: "each of the 3 instances' own sessions reloading in pg_stat_activity",
			instances: delivery.instances.map(instance => ({...instance, delivered: true})),
		},
	});
	assert.equal(all.status, 'pass');
	assert.match(all.summary, /Delivered to each of the 3 PostgREST instances/);
});

const report = (api: string, findings: Report['findings'], columns: 'pass' | 'fail'): Report => ({
	schemaVersion: 1,
	tool: {name: 'pgrst-doctor', version: '0'},
	target: {db: 'postgres@db/app', api},
	postgrest: {version: '12.0.2', cacheSource: 'OpenAPI + probes', probeRequests: 3, requests: 10, bytesRead: 100},
	schemas: {names: ['public'], source: 'PostgREST'},
	checks: [
		{id: 'cache.tables', title: 'Tables', status: 'pass', summary: '3 relations', durationMs: 1},
		{
			id: 'cache.columns',
			title: 'Columns',
			status: columns,
			summary: columns === 'pass' ? '8 columns' : '1 column difference',
			durationMs: 2,
		},
	],
	findings,
	fixes: [],
	exitCode: findings.some(found => found.severity === 'error') ? 1 : 0,
});

test('merged report: a column per instance, the worst status, a shared finding once and unnamed, the others named', () => {
	const trigger = finding('trigger.missing', {reload: "NOTIFY pgrst, 'reload schema';"});
	const region = {schema: 'public', table: 'organizations', column: 'region'};
	const column = finding('cache.column_missing', region, region);
	const merged = mergeInstanceReports([
		report('http://a:3000', [trigger], 'pass'),
		report('http://b:3000', [trigger], 'pass'),
		report('http://c:3000', [trigger, column], 'fail'),
	]);
	assert.deepEqual(
		merged.instances!.map(instance => [instance.label, instance.api, instance.checks[1]!.status]),
		[
			['#1', 'http://a:3000', 'pass'],
			['#2', 'http://b:3000', 'pass'],
			['#3', 'http://c:3000', 'fail'],
		]
	);
	const columns = merged.checks.find(check => check.id === 'cache.columns')!;
	assert.equal(columns.status, 'fail');
	assert.equal(columns.summary, '#3: 1 column difference | #1 #2: 8 columns');
	assert.equal(
		merged.checks.find(check => check.id === 'cache.tables')!.summary,
		'3 relations',
		'the same outcome everywhere reads once'
	);
	assert.deepEqual(
		merged.findings.map(found => [found.code, found.instance]),
		[
			['trigger.missing', undefined],
			['cache.column_missing', 'http://c:3000'],
		]
	);
	assert.deepEqual(
		merged.findings.map(found => found.key),
		['trigger.missing', 'cache.column_missing:public.organizations.region@http%3A%2F%2Fc%3A3000'],
		'a finding about one instance keys that instance'
	);
	assert.equal(merged.exitCode, exitCodes.problems);
	assert.equal(merged.postgrest.requests, 30);
	assert.deepEqual(staleInstances(merged), ['http://c:3000']);
});
