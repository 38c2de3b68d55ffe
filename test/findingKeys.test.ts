// One key per problem: each overload of a function and each foreign key of a table has its own finding and key, so
// the report's de-duplication by key drops nothing and an allow-list entry for one does not hide another; a key
// without @<instance> names the finding on every instance.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {cacheChecks} from '../source/checks/cacheChecks.js';
import type {Facts} from '../source/checks/check.js';
import {runChecks} from '../source/engine.js';
import {finding, findingKey, keyMatches} from '../source/findings.js';
import type {CacheSnapshot} from '../source/probes/cacheSnapshot.js';
import type {Catalog, CatalogFunction} from '../source/probes/database.js';
import {foreignKeyKey} from '../source/objectKey.js';
import type {ForeignKey} from '../source/probes/foreignKeys.js';
import {buildReport, exitCodes, withIgnores} from '../source/report/buildReport.js';
import {parseChannel} from '../source/sql/channel.js';

const total = (...args: string[]): CatalogFunction => ({
	schema: 'public',
	name: 'total',
	signature: `public.total(${args.join(', ')})`,
	args: args.map(name => ({name, type: 'integer', required: true, variadic: false})),
});
const link = (name: string, column: string): ForeignKey => ({
	schema: 'public',
	table: 'links',
	name,
	foreignTable: 'organizations',
	columns: [column],
	oneToOne: false,
});
const tables = [
	{schema: 'public', name: 'links', kind: 'r', columns: ['id', 'a', 'b']},
	{schema: 'public', name: 'organizations', kind: 'r', columns: ['id']},
];
const catalog: Catalog = {
	schemas: ['public'],
	tables,
	functions: [total('a'), total('b'), total('c')],
	foreignKeys: [link('links_a', 'a'), link('links_b', 'b'), link('links_old', 'id')],
};
// PostgREST started when total(a) and links_old existed; total(b), total(c), links_a and links_b came after.
const cache: CacheSnapshot = {
	source: 'OpenAPI + probes',
	tables: tables.map(({schema, name, columns}) => ({schema, name, columns, allColumnsKnown: true})),
	functions: [{schema: 'public', name: 'total', overloads: [['a']]}],
	relationships: [foreignKeyKey(link('links_old', 'id'))],
	complete: true,
	unknown: [],
	requests: 0,
	notes: [],
};
const facts: Facts = {
	channel: parseChannel('pgrst'),
	schemas: ['public'],
	schemasSource: '--schemas',
	apiUrl: 'http://127.0.0.1:3000',
	poolerHints: [],
	timings: {},
	catalog,
	cache,
};
const relationship =
	"from public.links to public.organizations is in the database but PostgREST's schema cache has" +
	' no relationship for it, so embedding fails (PGRST200)';
const differences = (count: number, noun: string) =>
	`${count} ${noun} differences between the database and PostgREST's cache`;
const report = () => buildReport(facts, runChecks(facts, cacheChecks), {api: facts.apiUrl});

test('two missing overloads, two missing foreign keys: four findings, four keys, as the summaries count', () => {
	const diagnosis = report();
	assert.deepEqual(
		diagnosis.findings.map(found => found.key),
		[
			'cache.function_missing:public.total(b)',
			'cache.function_missing:public.total(c)',
			'cache.relationship_missing:public.links.links_a',
			'cache.relationship_missing:public.links.links_b',
		]
	);
	assert.deepEqual(
		diagnosis.findings.map(found => found.message),
		[
			"public.total(b) is in the database but not in PostgREST's schema cache",
			"public.total(c) is in the database but not in PostgREST's schema cache",
			`The foreign key links_a ${relationship}`,
			`The foreign key links_b ${relationship}`,
		]
	);
	const named = diagnosis.findings.map(found => found.arguments ?? found.constraint);
	assert.deepEqual(named, [['b'], ['c'], 'links_a', 'links_b']);
	const summary = (id: string) => diagnosis.checks.find(check => check.id === id)!.summary;
	assert.equal(summary('cache.functions'), differences(2, 'function'));
	assert.equal(summary('cache.relationships'), differences(2, 'relationship'));
	assert.equal(diagnosis.exitCode, exitCodes.problems);
});

test('ignoring one overload or one foreign key leaves the others failing', () => {
	const ignored = withIgnores(report(), [
		'cache.function_missing:public.total(b)',
		'cache.relationship_missing:public.links.links_a',
	]);
	assert.deepEqual(
		ignored.findings.map(found => found.key),
		['cache.function_missing:public.total(c)', 'cache.relationship_missing:public.links.links_b']
	);
	assert.equal(ignored.ignoredFindings?.length, 2);
	assert.deepEqual(ignored.unmatchedIgnores, []);
	assert.equal(ignored.exitCode, exitCodes.problems);
	// The key every overload had before is no longer any finding's: it is reported as matching nothing.
	const oldKeys = ['cache.function_missing:public.total()', 'cache.relationship_missing:public.links'];
	const old = withIgnores(report(), oldKeys);
	assert.equal(old.findings.length, 4);
	assert.deepEqual(old.unmatchedIgnores, oldKeys);
});

test("a changed overload and a changed cached signature are keyed by the database's argument names", () => {
	// A new snapshot object: the cache checks share one diff per snapshot.
	const changed = {...facts, catalog: {...catalog, functions: [total('a', 'z')], foreignKeys: []}, cache: {...cache}};
	const [signature] = buildReport(changed, runChecks(changed, cacheChecks), {}).findings;
	assert.equal(signature?.code, 'cache.function_signature');
	assert.equal(signature?.key, 'cache.function_signature:public.total(a;z)');
});

test('findingKey: argument names and constraints percent-encoded; the keys of other findings as before', () => {
	const f = {schema: 'public', function: 'f'};
	assert.equal(findingKey('cache.function_missing', {...f, arguments: []}), 'cache.function_missing:public.f()');
	assert.equal(findingKey('cache.function_missing', f), 'cache.function_missing:public.f()');
	assert.equal(
		findingKey('cache.function_missing', {...f, arguments: ['a,b', 'c;d', 'e.f', 'x@y', 'Größe']}),
		'cache.function_missing:public.f(a%2Cb;c%3Bd;e%2Ef;x%40y;Gr%C3%B6%C3%9Fe)'
	);
	assert.equal(
		findingKey('cache.relationship_missing', {schema: 'public', table: 'links', constraint: 'a.b (x)'}),
		'cache.relationship_missing:public.links.a%2Eb%20%28x%29'
	);
	const column = {schema: 'public', table: 'todos', column: 'done'};
	assert.equal(findingKey('cache.column_missing', column), 'cache.column_missing:public.todos.done');
	assert.equal(findingKey('trigger.missing', {}), 'trigger.missing');
	const found = finding('cache.function_missing', {signature: 'public.f(a)'}, {...f, arguments: ['a']});
	assert.equal(found.key, 'cache.function_missing:public.f(a)');
	assert.deepEqual(found.arguments, ['a']);
});

test('keyMatches: a key without @ names the finding on every instance, a key with @ only on that one', () => {
	const plain = 'cache.column_missing:public.todos.done';
	const onA = `${plain}@http%3A%2F%2Fa%3A3000`;
	const onB = `${plain}@http%3A%2F%2Fb%3A3000`;
	assert.ok(keyMatches(plain, plain));
	assert.ok(keyMatches(plain, onA));
	assert.ok(keyMatches(plain, onB));
	assert.ok(keyMatches(onA, onA));
	assert.ok(!keyMatches(onA, onB));
	assert.ok(!keyMatches(onA, plain));
	assert.ok(!keyMatches('cache.column_missing:public.todos', plain), 'a key names its object, not a prefix of it');
	assert.ok(!keyMatches('cache.column_missing:public.todos', `${plain}@x`));
	assert.ok(!keyMatches('trigger.missing', 'trigger.missing_other@x'));
});

test('--ignore of a key without @ leaves the finding out on every instance; with @ only on the one named', () => {
	const onA = finding(
		'cache.column_missing',
		{schema: 'public', table: 'todos', column: 'done'},
		{
			schema: 'public',
			table: 'todos',
			column: 'done',
			instance: 'http://a:3000',
		}
	);
	const onB = {...onA, key: findingKey(onA.code, {...onA, instance: 'http://b:3000'}), instance: 'http://b:3000'};
	const base = {...report(), findings: [onA, onB]};
	const everywhere = withIgnores(base, ['cache.column_missing:public.todos.done']);
	assert.deepEqual(everywhere.findings, []);
	assert.deepEqual(everywhere.ignoredFindings, [onA, onB]);
	assert.deepEqual(everywhere.unmatchedIgnores, []);
	assert.equal(everywhere.exitCode, exitCodes.healthy);
	const one = withIgnores(base, [onA.key]);
	assert.deepEqual(one.findings, [onB]);
	assert.equal(one.exitCode, exitCodes.problems);
});
