// explain's judge without servers: ExplainFacts (plain data, as collectExplanation returns them) to the report.
// diagnoseError's verdicts have their own tests; these prove what the judge adds around them: the offline advice, the
// failure that stopped the looking, the roles named with --role that do not exist, the exit code and the probe methods.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import type {Facts} from '../source/checks/check.js';
import type {Evidence} from '../source/explain/diagnoseError.js';
import {type ExplainFacts, explainStop, judgeExplanation} from '../source/explain/judgeExplanation.js';
import {offlineAdvice} from '../source/explain/offlineAdvice.js';
import {parseError} from '../source/explain/parseError.js';
import {databaseFailure} from '../source/probes/connectionFailure.js';
import type {ProbeMethods} from '../source/probes/cacheSnapshot.js';
import type {CatalogTable} from '../source/probes/database.js';
import type {ObjectLookup, Privileges} from '../source/probes/objectLookup.js';
import {exitCodes} from '../source/report/buildReport.js';
import {parseChannel} from '../source/sql/channel.js';

const channel = parseChannel('pgrst');
const facts = (more: Partial<Facts> = {}): Facts => {
	const none = {schemas: [], schemasSource: '', poolerHints: [], timings: {}};
	return {channel, ...none, ...more};
};
const target = {db: 'postgres@127.0.0.1:5432/postgres', api: 'http://127.0.0.1:3000'};
// PostgREST 12.0.2's answer to a POST naming a column its cache does not have (recordFixtures.ts).
const recorded = JSON.parse(readFileSync(new URL('fixtures/errors-12.0.2.json', import.meta.url), 'utf8')) as Array<{
	label: string;
	body: string;
}>;
const columnMissing = parseError(recorded.find(entry => entry.label === 'PGRST204 stale column')!.body);
const refused = () => {
	const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {code: 'ECONNREFUSED'});
	return databaseFailure(error, target.db);
};

test('offline: the advice for the error, no verdict, exit 0; an error it does not recognise is exit 2', () => {
	const report = judgeExplanation({looked: 'offline', parsed: columnMissing, facts: facts()});
	assert.deepEqual(report.advice, offlineAdvice(columnMissing));
	assert.equal(report.verdict, undefined);
	assert.deepEqual(report.target, {db: null, api: null});
	assert.equal(report.exitCode, exitCodes.healthy);

	const parsed = parseError('something else went wrong');
	const unknown = judgeExplanation({looked: 'offline', parsed, facts: facts()});
	assert.equal(unknown.verdict?.code, 'explain.unrecognised');
	assert.equal(unknown.checks[0]?.status, 'skip');
	assert.equal(unknown.exitCode, exitCodes.undiagnosed);
});

test("stopped: the failure that ended the looking is the verdict, and the exit code is the report's", () => {
	const failure = refused();
	const stopped = facts({databaseFailure: failure});
	const report = judgeExplanation({looked: 'stopped', parsed: columnMissing, facts: stopped, target});
	assert.deepEqual(report.verdict, failure);
	assert.deepEqual(report.findings, [failure]);
	assert.equal(report.target.db, target.db);
	assert.equal(report.exitCode, exitCodes.undiagnosed);
	const undecided: ExplainFacts = {looked: 'stopped', parsed: columnMissing, facts: facts(), target};
	assert.throws(() => judgeExplanation(undecided), /without a failure/);
});

test('explainStop: a database failure, or a key PostgREST refuses before it answers anything; nothing else', () => {
	const failure = refused();
	assert.equal(explainStop(facts({databaseFailure: failure})), failure);
	const unauthorized = {...failure, code: 'api.unauthorized' as const, severity: 'error' as const};
	assert.equal(explainStop(facts({apiFailure: unauthorized})), unauthorized);
	assert.equal(explainStop(facts()), undefined);
});

const organizations: CatalogTable = {schema: 'public', name: 'organizations', kind: 'r', columns: ['id', 'updated_by']};
const lookup = (privileges: Privileges[] = []): ObjectLookup => ({
	everything: {schemas: ['public'], tables: [organizations], functions: []},
	foreignKeys: [],
	apiRoles: ['anon'],
	sequences: [],
	privileges,
});
const onObject = (evidence: Evidence, probeMethods?: ProbeMethods): ExplainFacts => {
	const looked = facts({schemas: ['public']});
	const methods = probeMethods ? {probeMethods} : {};
	return {looked: 'object', parsed: evidence.parsed, facts: looked, target, evidence, ...methods};
};

test('on the object: a stale cache is exit 1, the probe methods reach the report, and the input is plain data', () => {
	const evidence: Evidence = {
		parsed: columnMissing,
		exposed: ['public'],
		lookup: lookup(),
		resolved: {table: organizations},
		cachedTable: {schema: 'public', name: 'organizations', columns: ['id'], allColumnsKnown: true},
		channel,
		projectRefs: {},
		roles: {names: ['anon'], pinnedBy: null},
	};
	const probeMethods: ProbeMethods = {columns: {method: null, controls: []}};
	const report = judgeExplanation(onObject(evidence, probeMethods));
	assert.equal(report.verdict?.code, 'cache.column_missing');
	assert.equal(report.exitCode, exitCodes.problems);
	assert.deepEqual(report.postgrest.probeMethods, probeMethods);
	// The same facts after a trip through JSON.
	const travelled = JSON.parse(JSON.stringify(onObject(evidence, probeMethods))) as ExplainFacts;
	assert.deepEqual(judgeExplanation(travelled), report);
});

test('on the object: a role named with --role that has no privilege row is said not to exist', () => {
	const denied = parseError('permission denied for table organizations');
	const anon: Privileges = {
		role: 'anon',
		usage: true,
		select: false,
		insert: false,
		update: false,
		delete: false,
		execute: null,
		columnSelect: false,
		columnInsert: false,
		columnUpdate: false,
		readableColumns: [],
		sequenceUsage: null,
		sequenceSchemaUsage: null,
	};
	const roles = {names: ['anon', 'ghost'], pinnedBy: '--role' as const};
	const evidence: Evidence = {
		parsed: denied,
		exposed: ['public'],
		lookup: lookup([anon]),
		resolved: {table: organizations},
		channel,
		projectRefs: {},
		roles,
	};
	const report = judgeExplanation(onObject(evidence));
	assert.equal(report.verdict?.code, 'grant.missing');
	assert.match(report.verdict.message, /No role named ghost exists in this database\./);
	assert.equal(evidence.roles.missing, undefined, 'the judge does not change its input');
	const claimed = {names: ['anon'], pinnedBy: "the API key's role claim" as const};
	const pinnedByKey = judgeExplanation(onObject({...evidence, roles: claimed}));
	assert.doesNotMatch(pinnedByKey.verdict!.message, /No role named/);
});
