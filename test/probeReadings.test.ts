// The probe methods' readings over the answers recorded from the real PostgREST 11.2.2 and 12.0.2 binaries by
// test/support/recordFixtures.ts (each entry names the request that made it): which method can tell cached from
// not cached on which version, and that 11.2.2's error bodies are recognised by explain like 12.0.2's.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {parseError} from '../source/explain/parseError.js';
import {
	namesMissingColumn,
	type ProbeMethod,
	readColumns,
	readFunction,
	readOptions,
	type Reading,
} from '../source/probes/cacheSnapshot.js';

type Recorded = {label: string; request: string; status: number; body: string};
const recorded = (version: string) =>
	JSON.parse(readFileSync(new URL(`fixtures/errors-${version}.json`, import.meta.url), 'utf8')) as Recorded[];
const answer = (entries: Recorded[], label: string) => {
	const entry = entries.find(item => item.label === label);
	assert.ok(entry, label);
	return {status: entry.status, text: entry.body};
};

/** What a method reads for a cached object, a stale one and one that cannot exist (the negative control). */
function readings(version: string, method: ProbeMethod): Reading[] {
	const entries = recorded(version);
	if (method === 'options')
		return ['cached relation', 'uncached relation'].map(what =>
			readOptions(answer(entries, `probe options: ${what}`))
		);
	if (method === 'post-columns' || method === 'post-invalid-body') {
		return ['cached columns', 'stale column', 'uncached relation'].map(what => {
			const reply = answer(entries, `probe ${method}: ${what}`);
			// A PGRST204 naming the column is what the prober reads as "this column is not cached".
			const error = JSON.parse(reply.text || '{}') as {code?: string; message?: string};
			return error.code === 'PGRST204' && namesMissingColumn(error.message!, 'updated_by', 'organizations')
				? 'not cached'
				: readColumns(method, reply);
		});
	}
	return ['cached function', 'uncached function'].map(what =>
		readFunction(method, answer(entries, `probe ${method}: ${what}`), 'pgrst_doctor_stop')
	);
}

test('12.0.2: every method tells cached from not cached', () => {
	assert.deepEqual(readings('12.0.2', 'options'), ['cached', 'not cached']);
	assert.deepEqual(readings('12.0.2', 'post-columns'), ['cached', 'not cached', 'not cached']);
	assert.deepEqual(readings('12.0.2', 'post-invalid-body'), ['cached', 'not cached', 'not cached']);
	assert.deepEqual(readings('12.0.2', 'post-rpc'), ['cached', 'not cached']);
	assert.deepEqual(readings('12.0.2', 'post-rpc-embed'), ['cached', 'not cached']);
	assert.deepEqual(readings('12.0.2', 'post-rpc-filter'), ['cached', 'not cached']);
});

test('11.2.2: the Accept-stopped methods read everything alike, so their negative control fails; the others work', () => {
	assert.deepEqual(
		readings('11.2.2', 'post-columns'),
		['cached', 'cached', 'cached'],
		'PGRST107 before the cache lookup'
	);
	assert.deepEqual(readings('11.2.2', 'post-rpc'), ['cached', 'cached']);
	assert.deepEqual(readings('11.2.2', 'options'), ['cached', 'not cached']);
	assert.deepEqual(readings('11.2.2', 'post-invalid-body'), ['cached', 'not cached', 'not cached']);
	assert.deepEqual(readings('11.2.2', 'post-rpc-embed'), ['cached', 'not cached']);
	assert.deepEqual(readings('11.2.2', 'post-rpc-filter'), ['cached', 'not cached']);
});

test('an embedding error about another name proves nothing', () => {
	const entries = recorded('12.0.2');
	assert.equal(
		readFunction(
			'post-rpc-embed',
			answer(entries, 'probe post-rpc-embed: cached function'),
			'pgrst_doctor_stop_other'
		),
		'unclear'
	);
	assert.equal(
		readFunction('post-rpc-embed', answer(entries, 'PGRST200 relationship into auth'), 'pgrst_doctor_stop'),
		'unclear'
	);
	assert.equal(
		readFunction(
			'post-rpc-filter',
			answer(entries, 'probe post-rpc-filter: cached function'),
			'pgrst_doctor_stop_other'
		),
		'unclear'
	);
	assert.equal(
		readFunction('post-rpc-filter', answer(entries, 'probe post-rpc-embed: cached function'), 'pgrst_doctor_stop'),
		'unclear',
		"an embedding error is not the filter's"
	);
	assert.equal(
		readColumns('post-invalid-body', answer(entries, 'PGRST106 unexposed profile')),
		'unclear',
		'a PostgREST error is not PostgreSQL refusing the body'
	);
	assert.equal(
		readColumns('post-invalid-body', answer(entries, 'probe post-columns: cached columns')),
		'cached',
		"the strict preferences' PGRST122 comes after the column check"
	);
});

test("11.2.2's error bodies are recognised like 12.0.2's", () => {
	const pick = ({kind, code, table, column, function: fn, args}: ReturnType<typeof parseError>) => ({
		kind,
		code,
		table,
		column,
		function: fn,
		args,
	});
	for (const label of [
		'PGRST204 stale column',
		'PGRST204 quoted names',
		'PGRST202 wrong arguments',
		'PGRST202 new function',
		'PGRST202 without parameters',
		'PGRST200 relationship into auth',
		'42P01 unknown table',
		'42703 unknown column in select',
		'42501 no grants',
	]) {
		const older = parseError(answer(recorded('11.2.2'), label).text);
		assert.notEqual(older.kind, 'unknown', label);
		assert.deepEqual(pick(older), pick(parseError(answer(recorded('12.0.2'), label).text)), label);
	}
	assert.deepEqual(parseError(answer(recorded('11.2.2'), 'PGRST106 unexposed profile').text).exposedSchemas, [
		'public',
	]);
});
