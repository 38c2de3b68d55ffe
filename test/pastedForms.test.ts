import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {parseError} from '../source/explain/parseError.js';
import type {PastedFixture} from './support/recordPasted.js';

// Recorded live by test/support/recordPasted.ts: supabase-js 2, postgrest-js 2 and postgrest-js 1 against the real
// PostgREST 12.0.2 and 11.2.2, each error as console.log(error), JSON.stringify(error) and error.message.
const fixtures = ['supabase-js-2', 'postgrest-js-2', 'postgrest-js-1-1'].flatMap(
	name =>
		JSON.parse(readFileSync(new URL(`fixtures/pasted-${name}.json`, import.meta.url), 'utf8')) as PastedFixture[]
);

/** What each error must parse to, in every form that carries its message. */
const expected: Record<string, Record<string, unknown>> = {
	'42501 table': {kind: 'permission_denied', code: '42501', privilegeOn: 'table', table: 'secrets'},
	'42501 view': {kind: 'permission_denied', code: '42501', privilegeOn: 'view', table: 'secret_names'},
	'42501 materialized view': {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'materialized view',
		table: 'secret_totals',
	},
	'42501 sequence': {kind: 'permission_denied', code: '42501', privilegeOn: 'sequence', sequence: 'notes_id_seq'},
	'42501 schema': {kind: 'permission_denied', code: '42501', privilegeOn: 'schema', schema: 'api'},
	'42501 function': {kind: 'permission_denied', code: '42501', privilegeOn: 'function', function: 'payout_total'},
	// PostgreSQL names the table, not the column, when a column-level grant does not cover the select.
	'42501 column': {kind: 'permission_denied', code: '42501', privilegeOn: 'table', table: 'people'},
	'PGRST204 typo column': {kind: 'column_not_found', code: 'PGRST204', table: 'organizations', column: 'nmae'},
	'PGRST204 stale column': {kind: 'column_not_found', code: 'PGRST204', table: 'organizations', column: 'created_by'},
	'PGRST202 wrong arguments': {
		kind: 'function_not_found',
		code: 'PGRST202',
		schema: 'public',
		function: 'member_count',
		args: ['org'],
	},
	'PGRST200 no relationship': {
		kind: 'relationship_not_found',
		code: 'PGRST200',
		parent: 'organizations',
		child: 'people',
	},
	'unknown table': {kind: 'table_not_found', code: '42P01', schema: 'public', table: 'nothing_here'},
};

const forms = ['consoleLog', 'json', 'message'] as const;
const names = [
	'kind',
	'code',
	'privilegeOn',
	'schema',
	'table',
	'column',
	'sequence',
	'function',
	'args',
	'parent',
	'child',
	'object',
] as const;

function pick(parsed: ReturnType<typeof parseError>) {
	return Object.fromEntries(names.filter(key => parsed[key] !== undefined).map(key => [key, parsed[key]]));
}

/** JSON.stringify drops the message of a postgrest-js 1 PostgrestError (an Error without toJSON): only its code is left. */
const messageLost = (entry: PastedFixture, form: (typeof forms)[number]) =>
	form === 'json' && entry.client === 'postgrest-js-1' && entry.style === 'thrown';

test('the fixtures cover every client, both PostgREST versions, both styles and every error', () => {
	assert.deepEqual(
		new Set(fixtures.map(entry => entry.client)),
		new Set(['supabase-js', 'postgrest-js', 'postgrest-js-1'])
	);
	assert.deepEqual(new Set(fixtures.map(entry => entry.postgrestVersion)), new Set(['12.0.2', '11.2.2']));
	assert.deepEqual(
		new Set(fixtures.map(entry => entry.label)),
		new Set([...Object.keys(expected), 'insert into an uncached table'])
	);
	assert.equal(fixtures.length, 3 * 2 * 2 * 13);
});

for (const entry of fixtures.filter(item => item.label !== 'insert into an uncached table')) {
	test(`${entry.client} ${entry.clientVersion} (${entry.style}) on PostgREST ${entry.postgrestVersion}: ${entry.label} in all three forms`, () => {
		for (const form of forms) {
			const text = entry.forms[form];
			const parsed = parseError(text);
			if (messageLost(entry, form)) {
				assert.deepEqual(pick(parsed), {kind: 'unknown', code: expected[entry.label]!.code}, text);
				assert.match(parsed.needs ?? '', /error\.message/);
				continue;
			}
			// error.message alone carries no code: the one PostgreSQL or PostgREST gives that wording is assumed.
			const want = expected[entry.label]!;
			assert.deepEqual(pick(parsed), want, `${form}: ${text}`);
			if (entry.label === 'PGRST202 wrong arguments' && form !== 'message')
				assert.deepEqual(parsed.suggestedArgs, ['organization']);
			// Pasted with the request line from the network tab, the names stay and the request is read.
			const withRequest = parseError(
				`${entry.request.replace(' /', ' https://abcdefghijklmnopqrst.supabase.co/rest/v1/')} 401 (Unauthorized)\n${text}`
			);
			assert.deepEqual(pick(withRequest), want);
			assert.deepEqual(withRequest.request, {
				method: entry.request.split(' ')[0],
				path: entry.request.split(' ')[1],
				status: 401,
			});
		}
	});
}

for (const entry of fixtures.filter(item => item.label === 'insert into an uncached table')) {
	test(`${entry.client} ${entry.clientVersion} (${entry.style}) on PostgREST ${entry.postgrestVersion}: a 404 {} needs its request line, and with it names the table`, () => {
		for (const form of forms) {
			const text = entry.forms[form];
			const alone = parseError(text);
			assert.equal(alone.kind, 'unknown', `${form}: ${text}`);
			assert.match(alone.needs ?? '', /request line/);
			const parsed = parseError(`${entry.request} 404 ${text}`);
			assert.deepEqual(
				pick(parsed),
				{kind: 'table_not_found', code: null, table: 'invoices'},
				`${form}: ${text}`
			);
			assert.deepEqual(parsed.request, {method: 'POST', path: '/invoices', status: 404});
		}
	});
}
