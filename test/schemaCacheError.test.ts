// Which responses the recovering fetch treats as schema-cache errors, and which of those it may send again. The
// bodies are PostgREST 12.0.2's and 11.2.2's answers as recorded in test/fixtures/errors-*.json (and as
// test/recoveringFetch.e2e.test.ts sees them); PGRST205 is PostgREST 13's wording from its source (reference §errors).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import pg from 'pg';
import {databaseUrl, diagnosisOptions} from '../source/library/connection.js';
import {recoveryKey, schemaCacheError} from '../source/library/schemaCacheError.js';

const url = (path: string) => new URL(`http://127.0.0.1:3000${path}`);
const body = (code: string, message: string) => JSON.stringify({code, details: null, hint: null, message});

test("PGRST204, PGRST202, PGRST200 and a write's 404 {} are retried; PGRST205 is recovered but not proved unexecuted here", () => {
	const cases = [
		[
			'POST',
			'/members',
			400,
			body('PGRST204', "Column 'nickname' of relation 'members' does not exist"),
			'PGRST204',
			true,
		],
		[
			'POST',
			'/rpc/record_visit',
			404,
			body('PGRST202', 'Could not find the function public.record_visit(who) in the schema cache'),
			'PGRST202',
			true,
		],
		[
			'GET',
			'/organizations',
			400,
			body(
				'PGRST200',
				"Could not find a relationship between 'organizations' and 'projects' in the schema cache"
			),
			'PGRST200',
			true,
		],
		['PATCH', '/rest/v1/invoices', 404, '{}', '404 {}', true],
		[
			'POST',
			'/invoices',
			404,
			body('PGRST205', "Could not find the table 'public.invoices' in the schema cache"),
			'PGRST205',
			false,
		],
	] as const;
	for (const [method, path, status, text, code, unexecuted] of cases) {
		const error = schemaCacheError(method, url(path), status, text);
		assert.equal(error?.code, code, path);
		assert.equal(error?.unexecuted, unexecuted, path);
	}
	assert.equal(
		schemaCacheError(
			'POST',
			url('/members'),
			400,
			body('PGRST204', "Column 'nickname' of relation 'members' does not exist")
		)?.parsed.column,
		'nickname'
	);
	assert.equal(
		schemaCacheError('POST', url('/rest/v1/invoices'), 404, '{}')?.parsed.table,
		'invoices',
		"the table comes from the path, without Supabase's prefix"
	);
});

test("anything else is passed through untouched: other codes, a code with the wrong status, a GET's 404 {}, an RPC's 404 {}", () => {
	assert.equal(
		schemaCacheError('POST', url('/members'), 400, body('23505', 'duplicate key value violates unique constraint')),
		undefined
	);
	assert.equal(
		schemaCacheError(
			'POST',
			url('/members'),
			500,
			body('PGRST204', "Column 'x' of relation 'members' does not exist")
		),
		undefined
	);
	assert.equal(schemaCacheError('GET', url('/invoices'), 404, '{}'), undefined);
	assert.equal(schemaCacheError('POST', url('/rpc/f'), 404, '{}'), undefined);
	assert.equal(
		schemaCacheError('POST', url('/members'), 401, body('42501', 'permission denied for table members')),
		undefined
	);
});

test('errors about one object share a key; another column or table is another recovery', () => {
	const key = (path: string, column: string) =>
		recoveryKey(
			schemaCacheError(
				'POST',
				url(path),
				400,
				body('PGRST204', `Column '${column}' of relation '${path.slice(1)}' does not exist`)
			)!
		);
	assert.equal(key('/members', 'nickname'), key('/members', 'nickname'));
	assert.notEqual(key('/members', 'nickname'), key('/members', 'email2'));
	assert.notEqual(key('/members', 'nickname'), key('/people', 'nickname'));
});

test('a pg Pool or Client is read for the URL the doctor connects with; what it cannot reuse is refused in one sentence', () => {
	assert.equal(
		databaseUrl(new pg.Pool({connectionString: 'postgresql://app:pw@db.example:5433/main'})),
		'postgresql://app:pw@db.example:5433/main'
	);
	assert.equal(
		databaseUrl(
			new pg.Pool({host: 'db.example', port: 5433, user: 'app', password: 'p@ss/word', database: 'main'})
		),
		'postgresql://app:p%40ss%2Fword@db.example:5433/main'
	);
	assert.equal(
		databaseUrl(new pg.Client({host: 'db.example', user: 'app', password: 'pw', database: 'main', ssl: true})),
		'postgresql://app:pw@db.example:5432/main?sslmode=verify-full'
	);
	assert.throws(
		() => databaseUrl(new pg.Pool({host: 'h', password: () => 'pw'})),
		/reads its password from a function/
	);
	assert.throws(
		() => databaseUrl(new pg.Pool({host: 'h', ssl: {ca: 'x'}})),
		/TLS options .* pass database as a postgresql:\/\/ URL/
	);
	const options = diagnosisOptions({
		database: new pg.Pool({host: 'db.example', user: 'app', password: 'secret-pw', database: 'main'}),
		api: 'localhost:3000',
	});
	assert.equal(options.database?.display, 'app@db.example:5432/main', 'the display form never holds the password');
	assert.equal(options.api?.url, 'http://localhost:3000');
	assert.throws(() => diagnosisOptions({database: 'mysql://x'}), /must start with postgresql:\/\//);
	assert.throws(() => diagnosisOptions({timeoutMs: 0}), /timeoutMs must be from 100 to 3600000/);
});
