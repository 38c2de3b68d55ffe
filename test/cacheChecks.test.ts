// The cache checks and the wait verdict as pure functions of facts: exit 0 only for a full comparison.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {cacheChecks} from '../source/checks/cacheChecks.js';
import type {Facts} from '../source/checks/check.js';
import {redirectTarget} from '../source/collectFacts.js';
import {runChecks} from '../source/engine.js';
import {isCacheHealed} from '../source/fixes/applyFixes.js';
import type {CacheSnapshot, Unknown} from '../source/probes/cacheSnapshot.js';
import {parseSchemaCacheDump} from '../source/probes/schemaCacheDump.js';
import {buildReport} from '../source/report/buildReport.js';
import {parseChannel} from '../source/sql/channel.js';

const catalog = {
	schemas: ['public'],
	tables: [{schema: 'public', name: 'organizations', kind: 'r', columns: ['id', 'name']}],
	functions: Array.from({length: 5}, (_, index) => ({
		schema: 'public',
		name: `fn_${index}`,
		signature: '',
		args: [],
	})),
};
const cache = (unknown: Unknown[]): CacheSnapshot => ({
	source: 'OpenAPI + probes',
	tables: [{schema: 'public', name: 'organizations', columns: ['id', 'name'], allColumnsKnown: true}],
	functions: catalog.functions.map(({schema, name}) => ({schema, name, overloads: [[]]})),
	complete: false,
	unknown,
	requests: 7,
	notes: [],
});
const facts = (snapshot: CacheSnapshot, extra: Partial<Facts> = {}): Facts => ({
	channel: parseChannel('pgrst'),
	schemas: ['public'],
	schemasSource: '--schemas',
	apiUrl: 'http://127.0.0.1:3000',
	poolerHints: [],
	timings: {},
	catalog,
	cache: snapshot,
	...extra,
});
const run = (input: Facts) => Object.fromEntries(cacheChecks.map(check => [check.id, check.run(input)]));
const ran: Unknown[] = ['fn_0', 'fn_1', 'fn_2', 'fn_3'].map(name => ({
	kind: 'function',
	schema: 'public',
	name,
	reason: 'the time for probing (3 × --timeout) ran out',
}));

test('a full comparison passes every cache check', () => {
	for (const outcome of Object.values(run(facts(cache([]))))) assert.equal(outcome.status, 'pass');
});

test('unprobed functions fail cache.functions with one cache.unverified grouped by reason; relations still pass', () => {
	const outcomes = run(
		facts(
			cache([
				...ran,
				{kind: 'function', schema: 'public', name: 'fn_4', reason: 'PostgREST answered 500 PGRST300'},
			])
		)
	);
	assert.equal(outcomes['cache.tables']!.status, 'pass');
	assert.equal(outcomes['cache.functions']!.status, 'fail');
	assert.equal(
		outcomes['cache.functions']!.summary,
		'5 functions could not be compared (4: the time for probing (3 × --timeout) ran out; 1: PostgREST answered 500 PGRST300)'
	);
	const [unverified] = outcomes['cache.functions']!.findings!;
	assert.equal(unverified!.code, 'cache.unverified');
	assert.equal(
		unverified!.message,
		"5 functions could not be compared with PostgREST's schema cache: 4 functions because the time " +
			'for probing (3 × --timeout) ran out (public.fn_0(), public.fn_1(), public.fn_2() and 1 more); ' +
			'1 function because PostgREST answered 500 PGRST300 (public.fn_4())'
	);
});

test('a connection lost mid-run adds api.unreachable; a missing schema fails every cache check', () => {
	const lost = run(facts({...cache(ran), apiLost: 'the connection was refused'}));
	assert.deepEqual(
		lost['cache.functions']!.findings!.map(found => found.code),
		['cache.unverified', 'api.unreachable']
	);
	assert.match(
		lost['cache.functions']!.findings![1]!.message,
		/^PostgREST at http:\/\/127\.0\.0\.1:3000 stopped answering during the check: the connection was refused$/
	);

	const missing = run(facts(cache([]), {schemas: ['public', 'nosuchschema'], missingSchemas: ['nosuchschema']}));
	for (const outcome of Object.values(missing)) {
		assert.equal(outcome.status, 'fail');
		assert.deepEqual(
			outcome.findings!.map(found => [found.code, found.schema]),
			[['schema.missing', 'nosuchschema']]
		);
	}
});

test('exit 2 and not healed whenever anything was left unverified', () => {
	const full = facts(cache([]));
	const healthy = buildReport(full, runChecks(full, cacheChecks), {});
	assert.equal(healthy.exitCode, 0);
	assert.equal(isCacheHealed(healthy), true);
	const partial = facts(cache(ran));
	const blind = buildReport(partial, runChecks(partial, cacheChecks), {});
	assert.equal(blind.exitCode, 2);
	assert.deepEqual(
		blind.findings.map(found => found.code),
		['cache.unverified']
	);
	assert.equal(isCacheHealed(blind), false);
});

test('a redirect is named without credentials, query or fragment', () => {
	assert.equal(
		redirectTarget('https://u:p@example.com/rest/v1?apikey=k#x', 'http://127.0.0.1:3000'),
		'https://example.com/rest/v1'
	);
	assert.equal(redirectTarget('/login?next=/', 'http://127.0.0.1:3000/api'), 'http://127.0.0.1:3000/login');
	assert.equal(redirectTarget('', 'http://127.0.0.1:3000'), 'nowhere (no Location header)');
	assert.equal(redirectTarget('http://[bad', 'http://127.0.0.1:3000'), 'an address that is not a URL');
});

test('a schema cache dump with one malformed entry is refused whole instead of throwing', () => {
	assert.equal(parseSchemaCacheDump({dbTables: [[null, 5]]}), undefined);
	assert.equal(
		parseSchemaCacheDump({dbTables: [[{qiSchema: 'public', qiName: 't'}, {tableColumns: [[1]]}]]}),
		undefined
	);
	assert.equal(
		parseSchemaCacheDump({dbTables: [], dbRoutines: [[{qiSchema: 'public', qiName: 'f'}, [{pdParams: [{}]}]]]}),
		undefined
	);
	assert.equal(parseSchemaCacheDump({dbTables: [], dbRoutines: 'x'}), undefined);
	assert.deepEqual(
		parseSchemaCacheDump({dbTables: [[{qiSchema: 'public', qiName: 't'}, {tableColumns: {id: {}}}]]}),
		{
			tables: [{schema: 'public', name: 't', columns: ['id'], allColumnsKnown: true}],
			functions: [],
			relationships: [],
		}
	);
	assert.equal(
		parseSchemaCacheDump({
			dbTables: [],
			dbRelationships: [
				[{qiSchema: 'public', qiName: 't'}, [{tag: 'Relationship', relCardinality: {tag: 'M9O'}}]],
			],
		}),
		undefined
	);
});
