// How foreign keys are grouped into embedding probes (source/probes/embeddingBatches.ts). What a batch proves is
// tested on the real servers in relationships.e2e; here: every key is asked exactly once, within the limits, and
// no two siblings carry one name.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {embeddingBatches} from '../source/probes/embeddingBatches.js';
import type {ForeignKey} from '../source/probes/foreignKeys.js';
import {quoteSelectName} from '../source/probes/cacheSnapshot.js';

const key = (
	table: string,
	foreignTable: string,
	name = `${table}_${foreignTable}_fkey`,
	schema = 'public'
): ForeignKey => ({schema, table, name, foreignTable, columns: ['x'], oneToOne: false});
const chain = (length: number) =>
	Array.from({length}, (_, index) => key(`t${index + 2}`, `t${index + 1}`)).sort((a, b) =>
		a.table < b.table ? -1 : 1
	);

test('a chain of keys becomes nested embeddings from its far end, at most 16 to a request', () => {
	const keys = chain(40);
	const batches = embeddingBatches(keys, 'accept', quoteSelectName);
	assert.deepEqual(
		batches.map(batch => batch.keys.length),
		[16, 16, 8]
	);
	assert.equal(batches[0]!.root, 't41');
	assert.match(batches[0]!.select, /^"t40"!"t41_t40_fkey"\("t39"!"t40_t39_fkey"\(/);
	assert.equal(batches[2]!.select.endsWith('"t1"!"t2_t1_fkey"(*))))))))'), true);
});

test('every key is in exactly one batch, whatever the shape', () => {
	const keys = [
		...chain(30),
		...Array.from({length: 25}, (_, index) => key(`leaf${index}`, 'hub')),
		key('hub', 'root'),
		key('root', 'hub'),
		key('a', 'b', 'a_one'),
		key('a', 'b', 'a_two'),
		key('a', 'b', 'a_three'),
		key('t5', 't1', 'elsewhere', 'other'),
	];
	for (const direction of ['accept', 'spread'] as const) {
		const batches = embeddingBatches(keys, direction, quoteSelectName);
		const asked = batches.flatMap(batch => batch.keys);
		assert.equal(asked.length, keys.length, direction);
		assert.equal(new Set(asked).size, keys.length, direction);
		for (const batch of batches) {
			assert.ok(batch.keys.length <= 16);
			assert.ok(
				batch.keys.every(item => item.schema === batch.schema),
				'one schema to a request'
			);
			assert.equal(batch.select.split('!').length - 1, batch.keys.length, 'one embedding per key');
		}
	}
});

test('siblings never share a name: a second key between the same two relations is embedded elsewhere', () => {
	const keys = [key('b', 'a', 'b_one'), key('b', 'a', 'b_two'), key('c', 'a')];
	assert.deepEqual(
		embeddingBatches(keys, 'spread', quoteSelectName).map(batch => batch.select),
		['..."b"!"b_one"(*),..."c"!"c_a_fkey"(*)', '..."b"!"b_two"(*)']
	);
	// accept also embeds from the referenced side, so the second key is taken one level down.
	assert.deepEqual(
		embeddingBatches(keys, 'accept', quoteSelectName).map(batch => batch.select),
		['"a"!"b_one"("b"!"b_two"(*),"c"!"c_a_fkey"(*))']
	);
});

test('with accept, the tables that reference one hub are embedded from it, 16 to a request', () => {
	const keys = Array.from({length: 40}, (_, index) => key(`spoke${String(index).padStart(2, '0')}`, 'hub'));
	const batches = embeddingBatches(keys, 'accept', quoteSelectName);
	assert.deepEqual(
		batches.map(batch => batch.keys.length),
		[16, 16, 8]
	);
	assert.match(batches[0]!.select, /^"hub"!"spoke00_hub_fkey"\("spoke01"!"spoke01_hub_fkey"\(\*\),"spoke02"!/);
	// spread spreads each spoke from the hub (one-to-many), as siblings.
	const spread = embeddingBatches(keys, 'spread', quoteSelectName);
	assert.deepEqual(
		spread.map(batch => batch.keys.length),
		[16, 16, 8]
	);
	assert.match(spread[0]!.select, /^\.\.\."spoke00"!"spoke00_hub_fkey"\(\*\),\.\.\."spoke01"!/);
});

test("spread embeds the key's table into the referenced one, each embedding spread", () => {
	const [batch] = embeddingBatches([key('b', 'a'), key('c', 'b')], 'spread', quoteSelectName);
	assert.equal(batch!.root, 'a');
	assert.equal(batch!.select, '..."b"!"b_a_fkey"(..."c"!"c_b_fkey"(*))');
});

test('a select stays within its length; a single key longer than that still gets its own request', () => {
	const long = 'x'.repeat(60);
	const keys = Array.from({length: 40}, (_, index) =>
		key(`${long}${index}`, `${long}${index + 1}`, `${long}_fkey_${index}`)
	);
	const batches = embeddingBatches(keys, 'accept', quoteSelectName, {keys: 16, selectLength: 500});
	assert.ok(batches.every(batch => batch.select.length <= 500 + 140));
	assert.equal(batches.flatMap(batch => batch.keys).length, 40);
	assert.equal(embeddingBatches(keys.slice(0, 1), 'accept', quoteSelectName, {keys: 16, selectLength: 10}).length, 1);
});
