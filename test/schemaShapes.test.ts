// Issue 10, point 5: the pure parts of probing every schema shape, from what PostgREST 12.0.2 answered in
// test/schemaShapes.e2e.test.ts and the shapes of its source (Plan.hs findProc, Error.hs, QueryParams.hs).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {diffSchemas} from '../source/checks/diffSchemas.js';
import {formerTableNames, overloadBody, suggestedRelation} from '../source/probes/cacheSnapshot.js';
import type {CacheSnapshot} from '../source/probes/cacheSnapshot.js';
import type {Catalog, CatalogFunction} from '../source/probes/database.js';
import {foreignKeyKey} from '../source/objectKey.js';
import {wireText} from '../source/probes/http.js';
import {parseSchemaCacheDump} from '../source/probes/schemaCacheDump.js';
import {parseChannel} from '../source/sql/channel.js';

const fn = (name: string, ...args: Array<[string, string, boolean?]>): CatalogFunction => ({
	schema: 'public',
	name,
	signature: `public.${name}()`,
	args: args.map(([arg, type, required = true]) => ({name: arg, type, required, variadic: false})),
});

test('one unnamed text, xml or bytea argument is probed with its raw Content-Type, json with JSON, named ones by name', () => {
	assert.deepEqual(overloadBody(fn('f', ['', 'text']), []), {contentType: 'text/plain', body: ''});
	assert.deepEqual(overloadBody(fn('f', ['', 'xml']), []), {contentType: 'text/xml', body: ''});
	assert.deepEqual(overloadBody(fn('f', ['', 'bytea']), []), {contentType: 'application/octet-stream', body: ''});
	assert.deepEqual(overloadBody(fn('f', ['', 'jsonb']), []), {contentType: 'application/json', body: '{}'});
	assert.deepEqual(overloadBody(fn('f', ['a', 'int'], ['b', 'int', false]), []), {
		contentType: 'application/json',
		body: '{"a":null,"b":null}',
	});
});

test('beside an unnamed json overload, named arguments are sent as form fields, which never fall back to it', () => {
	const json = fn('f', ['', 'json']);
	const named = fn('f', ['a b', 'int']);
	assert.deepEqual(overloadBody(named, [json, named]), {
		contentType: 'application/x-www-form-urlencoded',
		body: 'a%20b=',
	});
});

test('an overload another one would answer for is not probed (it becomes unverified, never a pass)', () => {
	const text = fn('f', ['', 'text']);
	const optional = fn('f', ['a', 'int', false]);
	// assert.match throws on anything but a string: a probe body here fails the test.
	assert.match(overloadBody(text, [text, optional]) as string, /another overload/);
	const json = fn('g', ['', 'jsonb']);
	const none = fn('g');
	assert.match(overloadBody(json, [json, none]) as string, /another overload/);
	assert.deepEqual(
		overloadBody(text, [text, fn('f')]),
		{contentType: 'text/plain', body: ''},
		'no arguments never match a raw body'
	);
});

test("the relation PGRST200's hint names, and the table names a foreign key's default name starts with", () => {
	assert.equal(suggestedRelation("Perhaps you meant 'old_name' instead of 'new_name'."), 'old_name');
	assert.equal(suggestedRelation(null), undefined);
	assert.deepEqual(formerTableNames('departments_organization_id_fkey'), ['departments', 'departments_organization']);
	assert.deepEqual(formerTableNames('members_organization'), []);
});

test('header values beyond ASCII become their UTF-8 bytes spelled as Latin-1; ASCII is unchanged', () => {
	assert.equal(wireText('public'), 'public');
	assert.equal(Buffer.from(wireText('تست'), 'latin1').toString('utf8'), 'تست');
	assert.equal(Buffer.from(wireText('café'), 'latin1').toString('utf8'), 'café');
});

// The shape of `postgrest --dump-schema` (12.0.2) for child.parent_id references parent(id), recorded on the real binary.
const dumpWithKeys = {
	dbTables: [],
	dbRelationships: [
		[
			[{qiName: 'child', qiSchema: 'public'}, 'public'],
			[
				{
					tag: 'Relationship',
					relTable: {qiName: 'child', qiSchema: 'public'},
					relForeignTable: {qiName: 'parent', qiSchema: 'public'},
					relIsSelf: false,
					relTableIsView: false,
					relFTableIsView: false,
					relCardinality: {tag: 'M2O', relCons: 'child_parent_id_fkey', relColumns: [['parent_id', 'id']]},
				},
			],
		],
		[
			[{qiName: 'parent', qiSchema: 'public'}, 'public'],
			[
				{
					tag: 'Relationship',
					relTable: {qiName: 'parent', qiSchema: 'public'},
					relForeignTable: {qiName: 'child', qiSchema: 'public'},
					relIsSelf: false,
					relTableIsView: false,
					relFTableIsView: false,
					relCardinality: {tag: 'O2M', relCons: 'child_parent_id_fkey', relColumns: [['id', 'parent_id']]},
				},
			],
		],
	],
};

test("a dump's relationships become the foreign keys they come from; a key the cache lacks is cache.relationship_missing", () => {
	const parsed = parseSchemaCacheDump(dumpWithKeys)!;
	const cached = {
		schema: 'public',
		table: 'child',
		name: 'child_parent_id_fkey',
		foreignTable: 'parent',
		columns: ['parent_id'],
		oneToOne: false,
	};
	assert.deepEqual(parsed.relationships, [foreignKeyKey(cached)]);
	const added = {
		schema: 'public',
		table: 'child',
		name: 'child_other_fkey',
		foreignTable: 'parent',
		columns: ['parent_id'],
		oneToOne: false,
	};
	const catalog: Catalog = {
		schemas: ['public'],
		tables: [
			{schema: 'public', name: 'child', kind: 'r', columns: []},
			{schema: 'public', name: 'parent', kind: 'r', columns: []},
		],
		functions: [],
		foreignKeys: [cached, added],
	};
	const cache: CacheSnapshot = {
		source: 'admin /schema_cache',
		tables: catalog.tables.map(table => ({...table, allColumnsKnown: true})),
		functions: [],
		relationships: parsed.relationships,
		complete: true,
		unknown: [],
		requests: 0,
	};
	const found = diffSchemas(catalog, cache, parseChannel('pgrst'));
	assert.deepEqual(
		found.map(item => [item.code, item.table]),
		[['cache.relationship_missing', 'child']]
	);
	assert.match(found[0]!.message, /child_other_fkey from public\.child to public\.parent/);
	assert.deepEqual(found[0]!.fixes, ['reload']);
});

test('a function the cache has under its name with arguments no probe could name is cache.function_signature', () => {
	const catalog: Catalog = {schemas: ['public'], tables: [], functions: [fn('f', ['b', 'int'])]};
	const cache: CacheSnapshot = {
		source: 'probes',
		tables: [],
		functions: [{schema: 'public', name: 'f', overloads: [], otherArguments: true}],
		complete: false,
		unknown: [],
		requests: 0,
	};
	const [found] = diffSchemas(catalog, cache, parseChannel('pgrst'));
	assert.equal(found?.code, 'cache.function_signature');
	assert.match(found.message, /still has public\.f with other arguments/);
});

test("a foreign key that could not be compared leaves its table's columns compared", () => {
	const catalog: Catalog = {
		schemas: ['public'],
		tables: [{schema: 'public', name: 'child', kind: 'r', columns: ['id', 'added']}],
		functions: [],
		foreignKeys: [],
	};
	const cache: CacheSnapshot = {
		source: 'probes',
		tables: [{schema: 'public', name: 'child', columns: ['id'], allColumnsKnown: false}],
		functions: [],
		relationships: [],
		complete: false,
		unknown: [
			{kind: 'relationship', schema: 'public', name: 'child', reason: 'a one-to-one foreign key can be spread'},
		],
		requests: 0,
	};
	assert.deepEqual(
		diffSchemas(catalog, cache, parseChannel('pgrst')).map(found => [found.code, found.column]),
		[['cache.column_missing', 'added']]
	);
});
