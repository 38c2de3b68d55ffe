import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {format} from 'node:util';
import {parseError, pastedRequest} from '../source/explain/parseError.js';

// Recorded from PostgREST 12.0.2 by test/support/recordFixtures.ts (each entry names the request that produced it).
const recorded = JSON.parse(readFileSync(new URL('fixtures/errors-12.0.2.json', import.meta.url), 'utf8')) as Array<{
	label: string;
	body: string;
}>;
const body = (label: string) => recorded.find(entry => entry.label === label)!.body;

test('every recorded 12.0.2 error body is recognised with its names', () => {
	assert.deepEqual(pick(parseError(body('PGRST204 stale column'))), {
		kind: 'column_not_found',
		code: 'PGRST204',
		table: 'organizations',
		column: 'updated_by',
	});
	assert.deepEqual(pick(parseError(body('PGRST204 quoted names'))), {
		kind: 'column_not_found',
		code: 'PGRST204',
		table: 'Order Items',
		column: 'Unit Price',
	});
	const wrongArgs = parseError(body('PGRST202 wrong arguments'));
	assert.deepEqual(pick(wrongArgs), {
		kind: 'function_not_found',
		code: 'PGRST202',
		schema: 'public',
		function: 'add',
		args: ['a', 'b', 'c'],
	});
	assert.deepEqual(wrongArgs.suggestedArgs, ['a', 'b']);
	assert.deepEqual(pick(parseError(body('PGRST202 without parameters'))), {
		kind: 'function_not_found',
		code: 'PGRST202',
		schema: 'public',
		function: 'add',
		args: [],
	});
	assert.deepEqual(pick(parseError(body('PGRST200 relationship into auth'))), {
		kind: 'relationship_not_found',
		code: 'PGRST200',
		parent: 'posts',
		child: 'users',
	});
	assert.deepEqual(parseError(body('PGRST106 unexposed profile')).exposedSchemas, ['public']);
	assert.deepEqual(pick(parseError(body('42P01 unknown table'))), {
		kind: 'table_not_found',
		code: '42P01',
		schema: 'public',
		table: 'nothing_here',
	});
	assert.deepEqual(pick(parseError(body('42703 unknown column in select'))), {
		kind: 'column_not_found',
		code: '42703',
		table: 'organizations',
		column: 'nope',
	});
	assert.deepEqual(pick(parseError(body('42501 no grants'))), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'table',
		table: 'secret_stuff',
	});
});

// Later wordings, from PostgREST's src/PostgREST/Error.hs at 12.0.3, 13.0.0 and HEAD (docs/references/errors.rst).
test('later PostgREST wordings and other input shapes', () => {
	assert.deepEqual(
		pick(parseError(`Could not find the 'created_by' column of 'organizations' in the schema cache`)),
		{kind: 'column_not_found', code: 'PGRST204', table: 'organizations', column: 'created_by'}
	);
	assert.deepEqual(
		pick(
			parseError(
				`{"code":"PGRST205","details":null,"hint":"Perhaps you meant the table 'public.invoice'","message":"Could ` +
					`not find the table 'public.invoices' in the schema cache"}`
			)
		),
		{kind: 'table_not_found', code: 'PGRST205', schema: 'public', table: 'invoices'}
	);
	// supabase-js's PostgrestError as console.log prints it:
	assert.deepEqual(
		pick(
			parseError(
				`{\n  code: 'PGRST204',\n  details: null,\n  hint: null,\n  message: "Could not find the 'createdAt' ` +
					`column of 'profiles' in the schema cache"\n}`
			)
		),
		{kind: 'column_not_found', code: 'PGRST204', table: 'profiles', column: 'createdAt'}
	);
	// A PostgREST log line:
	assert.equal(
		parseError(
			`22/Nov/2026:06:38:59 +0000: Failed to load the schema cache. {"code":"PGRST002","message":"Could ` +
				`not query the database for the schema cache. Retrying."}`
		).kind,
		'cache_unloaded'
	);
	assert.equal(parseError('Timed out acquiring connection from connection pool.').kind, 'pool_timeout');
	assert.equal(
		parseError(
			'{"code":"PGRST106","message":"Invalid schema: private","hint":"Only the following schemas are exposed: public"}'
		).schema,
		'private'
	);
	assert.equal(
		parseError('Could not find the function public.do_it without parameters in the schema cache').function,
		'do_it'
	);
	assert.equal(parseError('Could not find the public.add(a, b) function in the schema cache').function, 'add');
	assert.equal(
		parseError("Could not embed because more than one relationship was found for 'a' and 'b'").kind,
		'relationship_ambiguous'
	);
	assert.equal(parseError('ERROR:  function public.nope(integer) does not exist').kind, 'function_not_found');
	assert.equal(parseError('column "Unit Price" of relation "Order Items" does not exist').kind, 'column_not_found');
	assert.equal(parseError('something else entirely').kind, 'unknown');
});

test(
	'fuzz: thousands of mutated errors, noise and 1 MB inputs never crash and always answer',
	{timeout: 60_000},
	() => {
		let seed = 42;
		const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		const alphabet = `abcXYZ_ .,'"\\\`{}[]():;\n\t-0123456789Ωé漢🙂`;
		const noise = (length: number) =>
			Array.from({length}, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
		const bodies = recorded.map(entry => entry.body);
		for (let round = 0; round < 5000; round++) {
			const base = bodies[round % bodies.length]!;
			const at = Math.floor(random() * base.length);
			const mutated =
				round % 3 === 0
					? base.slice(0, at) + noise(20) + base.slice(at + 5)
					: round % 3 === 1
						? base.replaceAll("'", noise(1))
						: noise(200);
			const parsed = parseError(mutated);
			assert.ok(parsed.kind.length > 0);
		}
		for (const huge of [
			'x'.repeat(1024 * 1024),
			`'`.repeat(1024 * 1024),
			`Could not find the '${'a'.repeat(1024 * 1024)}`,
			`column "${'"'.repeat(500_000)}" does not exist`,
			(body('PGRST204 stale column') + '\n').repeat(5000),
		]) {
			assert.ok(parseError(huge).kind.length > 0);
		}
	}
);

// Every wording of aclcheck_error and aclcheck_error_col (PostgreSQL's src/backend/catalog/aclchk.c; "relation" up
// to PostgreSQL 10): the name is printed unquoted, so it runs to the end of the message, spaces included.
test('42501: every object kind PostgreSQL names, with the name exactly as it was', () => {
	const denied = (message: string) =>
		pick(parseError(JSON.stringify({code: '42501', details: null, hint: null, message})));
	assert.deepEqual(denied('permission denied for table secrets'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'table',
		table: 'secrets',
	});
	assert.deepEqual(denied('permission denied for view secret_names'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'view',
		table: 'secret_names',
	});
	assert.deepEqual(denied('permission denied for materialized view totals'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'materialized view',
		table: 'totals',
	});
	assert.deepEqual(denied('permission denied for foreign table remote'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'foreign table',
		table: 'remote',
	});
	assert.deepEqual(denied('permission denied for relation old_style'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'relation',
		table: 'old_style',
	});
	assert.deepEqual(denied('permission denied for sequence notes_id_seq'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'sequence',
		sequence: 'notes_id_seq',
	});
	assert.deepEqual(denied('permission denied for schema api'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'schema',
		schema: 'api',
	});
	assert.deepEqual(denied('permission denied for function payout_total'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'function',
		function: 'payout_total',
	});
	assert.deepEqual(denied('permission denied for function public.add(integer, text)'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'function',
		schema: 'public',
		function: 'add',
		args: ['integer', 'text'],
	});
	assert.deepEqual(denied('permission denied for procedure close_books'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'procedure',
		function: 'close_books',
	});
	assert.deepEqual(denied('permission denied for column "salary" of relation "people"'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'column',
		table: 'people',
		column: 'salary',
	});
	assert.deepEqual(denied('permission denied for column "Unit ""Price""" of relation "Order Items"'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'column',
		table: 'Order Items',
		column: 'Unit "Price"',
	});
	assert.deepEqual(denied('permission denied for type mood'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'type',
		object: 'mood',
	});
	// Names PostgreSQL prints as they are: spaces, quotes, dots inside double quotes, non-Latin letters.
	assert.deepEqual(denied('permission denied for table Order Items'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'table',
		table: 'Order Items',
	});
	assert.deepEqual(denied(`permission denied for table it's "x"`), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'table',
		table: `it's "x"`,
	});
	assert.deepEqual(denied('permission denied for table счета'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'table',
		table: 'счета',
	});
	assert.deepEqual(denied('permission denied for table "My Schema"."a.b"'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'table',
		schema: 'My Schema',
		table: 'a.b',
	});
	// PostgreSQL never qualifies a relation here: a dot is part of the name (public."a.b"); explain tries schema.name
	// only when no relation has the whole name.
	assert.deepEqual(denied('permission denied for table private.ledger'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'table',
		table: 'private.ledger',
	});
	assert.deepEqual(denied('permission denied for schema "Área 51"'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'schema',
		schema: 'Área 51',
	});
	assert.deepEqual(denied('permission denied for schema tenant.v2'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'schema',
		schema: 'tenant.v2',
	});
	assert.deepEqual(denied('permission denied for table "Billing".invoices'), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'table',
		schema: 'Billing',
		table: 'invoices',
	});
});

test('console.log forms: the quote util.inspect picks never ends up in a name', () => {
	for (const table of ['secrets', `it's`, 'say "hi"', `both ' and "`, "back`tick \\ and '", 'счета 漢字']) {
		const error = {code: '42501', details: null, hint: null, message: `permission denied for table ${table}`};
		for (const printed of [
			format(error),
			format({data: null, error, count: null, status: 401, statusText: 'Unauthorized'}),
			format(Object.assign(new Error(error.message), {code: error.code})),
		]) {
			assert.equal(parseError(printed).table, table, printed);
		}
	}
	// A class-name prefix (PostgrestError { … }), a stack trace, and a message util.inspect split with ' +.
	assert.equal(
		parseError(`PostgrestError {\n  code: '42501',\n  message: 'permission denied for sequence notes_id_seq'\n}`)
			.sequence,
		'notes_id_seq'
	);
	assert.equal(
		parseError(
			`PostgrestError: permission denied for schema api\n    at PostgrestBuilder.processResponse ` +
				`(node_modules/@supabase/postgrest-js/src/PostgrestBuilder.ts:472:15) {\n  details: null,\n ` +
				` hint: null,\n  code: '42501'\n}`
		).schema,
		'api'
	);
	assert.equal(parseError(`{ message: 'permission denied for ' +\n    'table secrets' }`).table, 'secrets');
	// Nested deeper than console.log prints: the message is gone, nothing is made up.
	assert.deepEqual(pick(parseError('{ response: { result: { error: [Object] } } }')), {kind: 'unknown', code: null});
});

test("log lines: PostgreSQL's ERROR line and PostgREST's request line", () => {
	const postgres = parseError(
		'2026-11-29 15:04:18.123 UTC [1234] ERROR:  permission denied for table secrets\n2026-11-29 ' +
			'15:04:18.123 UTC [1234] STATEMENT:  WITH pgrst_source AS (SELECT …)'
	);
	assert.deepEqual(pick(postgres), {
		kind: 'permission_denied',
		code: '42501',
		privilegeOn: 'table',
		table: 'secrets',
	});
	const postgrest = parseError(
		'127.0.0.1 - anon [29/Nov/2026:15:04:18 +0000] "GET /secrets?select=id,value HTTP/1.1" 401 ' +
			'- "" "node"\n{"code":"42501","details":null,"hint":null,"message":"permission denied for table secrets"}'
	);
	assert.deepEqual(postgrest.request, {method: 'GET', path: '/secrets', status: 401, columns: ['id', 'value']});
	assert.equal(postgrest.table, 'secrets');
	// A JSON body quoted inside a JSON log record.
	assert.equal(
		parseError(
			String.raw`{"level":"error","body":"{\"code\":\"42501\",\"message\":\"permission denied for table secrets\"}"}`
		).table,
		'secrets'
	);
	// The bare message inside a larger paste: what surrounds it stays out of the name.
	assert.equal(parseError(`error: "permission denied for table secrets"`).table, 'secrets');
	assert.equal(parseError(`Failed: permission denied for table secrets'`).table, 'secrets');
});

test('request lines: network tab, curl-like and log forms; the path as PostgREST routes it', () => {
	assert.deepEqual(
		pastedRequest(
			'POST https://abcdefghijklmnopqrst.supabase.co/rest/v1/invoices?columns=%22id%22 403 (Forbidden)'
		),
		{method: 'POST', path: '/invoices', status: 403}
	);
	assert.deepEqual(pastedRequest('PATCH /Order%20Items?id=eq.1 400'), {
		method: 'PATCH',
		path: '/Order Items',
		status: 400,
	});
	assert.deepEqual(
		pastedRequest('GET http://localhost:3000/people?select=id,alias:salary::text,organizations(name),raw->a'),
		{method: 'GET', path: '/people', columns: ['id', 'salary', 'raw']}
	);
	assert.deepEqual(pastedRequest('POST /rpc/payout_total'), {method: 'POST', path: '/rpc/payout_total'});
	assert.deepEqual(pastedRequest('GET /%E0%A4%A 404'), {method: 'GET', path: '/%E0%A4%A', status: 404});
	assert.equal(pastedRequest('permission denied for table secrets'), undefined);
	assert.equal(pastedRequest('please GET this done'), undefined);
});

test('a bare 404 {}: with its request line the table or function PostgREST lacks; alone, a request for the request line', () => {
	assert.deepEqual(pick(parseError('POST /invoices 404 {}')), {
		kind: 'table_not_found',
		code: null,
		table: 'invoices',
	});
	assert.deepEqual(
		pick(parseError('POST https://abcdefghijklmnopqrst.supabase.co/rest/v1/Order%20Items 404 (Not Found)\n{}')),
		{kind: 'table_not_found', code: null, table: 'Order Items'}
	);
	assert.deepEqual(pick(parseError('POST /rpc/fresh 404 {}')), {
		kind: 'function_not_found',
		code: null,
		function: 'fresh',
	});
	const printedResponse = format({error: {}, data: null, count: null, status: 404, statusText: 'Not Found'});
	assert.deepEqual(pick(parseError(`POST /invoices\n${printedResponse}`)), {
		kind: 'table_not_found',
		code: null,
		table: 'invoices',
	});
	for (const alone of ['{}', 'undefined', '{"name":"PostgrestError","message":""}']) {
		const parsed = parseError(alone);
		assert.equal(parsed.kind, 'unknown');
		assert.match(parsed.needs ?? '', /paste the request line with it, e\.g\. POST \/invoices 404 \{\}/);
	}
	// Another status, an error with a message, or a request line alone is not the empty 404.
	assert.equal(parseError('GET /secrets').kind, 'unknown');
	assert.equal(parseError('POST /invoices 500 {}').kind, 'unknown');
	assert.equal(parseError('POST /invoices 404 {"message":"JWT expired"}').kind, 'unknown');
});

test('adversarial 64 KiB inputs parse (every pattern is linear; a catastrophic one would not finish)', () => {
	const kib64 = 64 * 1024;
	const fill = (unit: string) => unit.repeat(Math.ceil(kib64 / unit.length)).slice(0, kib64);
	const hostile = [
		fill(`message: '`),
		fill(`"message":"\\`),
		fill(`message: '' +\n`),
		fill('permission denied for table "'),
		fill('permission denied for column "a" of relation '),
		`permission denied for table ${fill('""')}`,
		`permission denied for function ${fill('(')}`,
		fill('"a".'),
		fill('GET /'),
		fill('GET http://x/?select=('),
		fill('PostgrestError: '),
		fill(' '.repeat(63) + 'Error'),
		fill('ERROR: '),
		fill(`Could not find the '`),
		fill('column "a". '),
		fill('relation "a.'),
		fill('Could not find the function a('),
		fill('{} '),
		fill('\\u00'),
		`message: '${fill('\\')}'`,
		fill(`message: 'permission denied for table x' `),
	];
	for (const input of hostile) {
		const parsed = parseError(input);
		assert.ok(parsed.kind.length > 0);
		assert.ok((parsed.message ?? '').length <= kib64);
	}
});

test('a row refused by row-level security is its own kind (a policy, not a GRANT), with the table as PostgreSQL quotes it', () => {
	assert.deepEqual(
		pick(
			parseError(
				String.raw`{"code":"42501","details":null,"hint":null,` +
					String.raw`"message":"new row violates row-level security policy for table \"todos\""}`
			)
		),
		{kind: 'row_security', code: '42501', table: 'todos'}
	);
	assert.deepEqual(
		pick(
			parseError(
				`{ code: '42501', message: 'new row violates row-level security policy "p" for table "my ""t"""' }`
			)
		),
		{kind: 'row_security', code: '42501', table: 'my "t"'}
	);
});

function pick(parsed: ReturnType<typeof parseError>) {
	const {
		kind,
		code,
		schema,
		table,
		column,
		sequence,
		function: fn,
		args,
		parent,
		child,
		privilegeOn,
		object,
	} = parsed;
	return Object.fromEntries(
		Object.entries({
			kind,
			code,
			privilegeOn,
			schema,
			table,
			column,
			sequence,
			function: fn,
			args,
			parent,
			child,
			object,
		}).filter(([, value]) => value !== undefined)
	);
}
