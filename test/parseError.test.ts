import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {parseError} from '../source/explain/parseError.js';

// Recorded from PostgREST 12.0.2 by test/support/recordFixtures.ts (each entry names the request that produced it).
const recorded = JSON.parse(readFileSync(new URL('fixtures/errors-12.0.2.json', import.meta.url), 'utf8')) as Array<{label: string; body: string}>;
const body = (label: string) => recorded.find(entry => entry.label === label)!.body;

test('every recorded 12.0.2 error body is recognised with its names', () => {
	assert.deepEqual(pick(parseError(body('PGRST204 stale column'))), {kind: 'column_not_found', code: 'PGRST204', table: 'organizations', column: 'updated_by'});
	assert.deepEqual(pick(parseError(body('PGRST204 quoted names'))), {kind: 'column_not_found', code: 'PGRST204', table: 'Order Items', column: 'Unit Price'});
	const wrongArgs = parseError(body('PGRST202 wrong arguments'));
	assert.deepEqual(pick(wrongArgs), {kind: 'function_not_found', code: 'PGRST202', schema: 'public', function: 'add', args: ['a', 'b', 'c']});
	assert.deepEqual(wrongArgs.suggestedArgs, ['a', 'b']);
	assert.deepEqual(pick(parseError(body('PGRST202 without parameters'))), {kind: 'function_not_found', code: 'PGRST202', schema: 'public', function: 'add', args: []});
	assert.deepEqual(pick(parseError(body('PGRST200 relationship into auth'))), {kind: 'relationship_not_found', code: 'PGRST200', parent: 'posts', child: 'users'});
	assert.deepEqual(parseError(body('PGRST106 unexposed profile')).exposedSchemas, ['public']);
	assert.deepEqual(pick(parseError(body('42P01 unknown table'))), {kind: 'table_not_found', code: '42P01', schema: 'public', table: 'nothing_here'});
	assert.deepEqual(pick(parseError(body('42703 unknown column in select'))), {kind: 'column_not_found', code: '42703', table: 'organizations', column: 'nope'});
	assert.deepEqual(pick(parseError(body('42501 no grants'))), {kind: 'permission_denied', code: '42501', table: 'secret_stuff'});
});

// Later wordings, from PostgREST's src/PostgREST/Error.hs at 12.0.3, 13.0.0 and HEAD (docs/references/errors.rst).
test('later PostgREST wordings and other input shapes', () => {
	assert.deepEqual(pick(parseError(`Could not find the 'created_by' column of 'organizations' in the schema cache`)), {kind: 'column_not_found', code: 'PGRST204', table: 'organizations', column: 'created_by'});
	assert.deepEqual(pick(parseError(`{"code":"PGRST205","details":null,"hint":"Perhaps you meant the table 'public.invoice'","message":"Could not find the table 'public.invoices' in the schema cache"}`)), {kind: 'table_not_found', code: 'PGRST205', schema: 'public', table: 'invoices'});
	// supabase-js's PostgrestError as console.log prints it:
	assert.deepEqual(pick(parseError(`{\n  code: 'PGRST204',\n  details: null,\n  hint: null,\n  message: "Could not find the 'createdAt' column of 'profiles' in the schema cache"\n}`)), {kind: 'column_not_found', code: 'PGRST204', table: 'profiles', column: 'createdAt'});
	// A PostgREST log line:
	assert.equal(parseError(`22/Nov/2026:06:38:59 +0000: Failed to load the schema cache. {"code":"PGRST002","message":"Could not query the database for the schema cache. Retrying."}`).kind, 'cache_unloaded');
	assert.equal(parseError('Timed out acquiring connection from connection pool.').kind, 'pool_timeout');
	assert.equal(parseError('{"code":"PGRST106","message":"Invalid schema: private","hint":"Only the following schemas are exposed: public"}').schema, 'private');
	assert.equal(parseError('Could not find the function public.do_it without parameters in the schema cache').function, 'do_it');
	assert.equal(parseError('Could not find the public.add(a, b) function in the schema cache').function, 'add');
	assert.equal(parseError('Could not embed because more than one relationship was found for \'a\' and \'b\'').kind, 'relationship_ambiguous');
	assert.equal(parseError('ERROR:  function public.nope(integer) does not exist').kind, 'function_not_found');
	assert.equal(parseError('column "Unit Price" of relation "Order Items" does not exist').kind, 'column_not_found');
	assert.equal(parseError('something else entirely').kind, 'unknown');
});

test('fuzz: thousands of mutated errors, noise and 1 MB inputs never crash and always answer', {timeout: 60_000}, () => {
	let seed = 42;
	const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
	const alphabet = `abcXYZ_ .,'"\\\`{}[]():;\n\t-0123456789Ωé漢🙂`;
	const noise = (length: number) => Array.from({length}, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
	const bodies = recorded.map(entry => entry.body);
	for (let round = 0; round < 5000; round++) {
		const base = bodies[round % bodies.length]!;
		const at = Math.floor(random() * base.length);
		const mutated = round % 3 === 0 ? base.slice(0, at) + noise(20) + base.slice(at + 5) : round % 3 === 1 ? base.replaceAll("'", noise(1)) : noise(200);
		const parsed = parseError(mutated);
		assert.ok(parsed.kind.length > 0);
	}
	for (const huge of ['x'.repeat(1024 * 1024), `'`.repeat(1024 * 1024), `Could not find the '${'a'.repeat(1024 * 1024)}`, `column "${'"'.repeat(500_000)}" does not exist`, (body('PGRST204 stale column') + '\n').repeat(5000)]) {
		assert.ok(parseError(huge).kind.length > 0);
	}
});

function pick(parsed: ReturnType<typeof parseError>) {
	const {kind, code, schema, table, column, function: fn, args, parent, child} = parsed;
	return Object.fromEntries(Object.entries({kind, code, schema, table, column, function: fn, args, parent, child}).filter(([, value]) => value !== undefined));
}
