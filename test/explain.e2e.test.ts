// `explain` against real PostgreSQL and PostgREST 12.0.2 and 11.2.2: each error is produced live by PostgREST, then explained.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {runCli} from './support/cli.js';
import {useStack} from './support/e2e.js';
import {appSchema, type Scenario} from './support/scenario.js';
import {postgrestVersions} from './support/stack.js';

const stack = useStack();

const setup = `${appSchema}
	alter table public.organizations add column admin_id int;
	create table public.profiles (id int primary key, createdAt timestamptz default now());
	grant all on public.profiles to anon;
	create table public.secret_stuff (id int primary key, note text);
	create schema api; create table api.things (id int);
	create schema auth; create table auth.users (id int primary key);
	create table public.posts (id int primary key, author int references auth.users (id));
	grant select on public.posts to anon;
`;

let item: Scenario;

async function errorBody(path: string, init: RequestInit = {}): Promise<string> {
	const response = await fetch(`${item.api.url}${path}`, init);
	assert.ok(response.status >= 400, `${path} should fail`);
	return response.text();
}

const post = (body: unknown) => ({
	method: 'POST',
	headers: {'content-type': 'application/json'},
	body: JSON.stringify(body),
});

async function explain(text: string, ...extra: string[]) {
	return runCli(['explain', text, '--db-url', item.dbUrl, '--api-url', item.api.url, '--json', ...extra]);
}

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: set up one app for all explain cases`, async () => {
		item = await stack.setUp(setup, {version});
		assert.ok(item.api.url);
	});

	test(`PostgREST ${version}: a misspelled column: client.unknown_column with the closest name, no reload`, async () => {
		const body = await errorBody('/organizations', post({id: 1, name: 'x', adminname: 'ada'}));
		assert.match(body, /PGRST204/);
		const {code, json} = await explain(body);
		assert.equal(json.verdict.code, 'client.unknown_column');
		assert.match(json.verdict.message, /did you mean admin_id\?/);
		assert.ok(!json.fixes.some((fix: {id: string}) => fix.id === 'reload'), 'reload is not offered');
		assert.equal(json.error.column, 'adminname');
		assert.equal(code, 1);
	});

	test(`PostgREST ${version}: a camelCase column folded to lower case: client.case_folded`, async () => {
		const body = await errorBody('/profiles', post({id: 1, createdAt: '2026-01-01'}));
		const {json} = await explain(body);
		assert.equal(json.verdict.code, 'client.case_folded');
		assert.equal(json.verdict.column, 'createdat');
	});

	test(`PostgREST ${version}: a column that is really missing from the cache: cache.column_missing with the reload`, async () => {
		await item.query('alter table public.organizations add column created_by text');
		const body = await errorBody('/organizations', post({id: 2, name: 'x', created_by: 'ada'}));
		const {json} = await explain(body);
		assert.equal(json.verdict.code, 'cache.column_missing');
		assert.deepEqual(json.verdict.fixes, ['reload']);
		assert.match(json.verdict.suggestion, /NOTIFY pgrst, 'reload schema';/);
	});

	test(`PostgREST ${version}: a table in a schema PostgREST does not expose: schema.not_exposed`, async () => {
		const body = await errorBody('/things');
		assert.match(body, /42P01/);
		const {json} = await explain(body);
		assert.equal(json.verdict.code, 'schema.not_exposed');
		assert.equal(json.verdict.schema, 'api');
	});

	test(`PostgREST ${version}: a table without grants: grant.missing with the GRANT, not a reload`, async () => {
		const body = await errorBody('/secret_stuff');
		assert.match(body, /42501/);
		const {json} = await explain(body);
		assert.equal(json.verdict.code, 'grant.missing');
		assert.match(json.verdict.suggestion, /GRANT SELECT ON public\.secret_stuff TO anon;/);
	});

	test(`PostgREST ${version}: an RPC called with the wrong argument names: rpc.args_mismatch`, async () => {
		const body = await errorBody('/rpc/member_count', post({org: 1}));
		assert.match(body, /PGRST202/);
		const {json} = await explain(body);
		assert.equal(json.verdict.code, 'rpc.args_mismatch');
		assert.match(json.verdict.suggestion, /organization/);
	});

	test(`PostgREST ${version}: a relationship into auth: relationship.unexposed`, async () => {
		const body = await errorBody('/posts?select=*,users(*)');
		assert.match(body, /PGRST200/);
		const {json} = await explain(body);
		assert.equal(json.verdict.code, 'relationship.unexposed');
		assert.match(json.verdict.message, /auth\.users/);
	});
}

test('a Supabase key of another project: config.project_mismatch', async () => {
	const claims = Buffer.from(JSON.stringify({ref: 'zyxwvutsrqponmlkjihg', role: 'anon'})).toString('base64url');
	const key = `eyJhbGciOiJIUzI1NiJ9.${claims}.c2lnbmF0dXJl`;
	const body = await errorBody('/organizations', post({id: 3, name: 'x', adminname: 'ada'}));
	const dbUrl = item.dbUrl;
	const {json} = await runCli([
		'explain',
		body,
		'--db-url',
		dbUrl,
		'--json',
		'--api-key',
		key,
		'--api-url',
		'https://abcdefghijklmnopqrst.supabase.co/rest/v1',
		'--timeout',
		'2',
	]);
	assert.equal(json.verdict.code, 'config.project_mismatch');
	assert.match(json.verdict.message, /abcdefghijklmnopqrst/);
});

test('offline: the meaning, ranked causes and SQL to tell them apart; stdin works; unrecognised input exits 2', async () => {
	const offline = await runCli([
		'explain',
		`Could not find the 'created_by' column of 'organizations' in the schema cache`,
	]);
	assert.equal(offline.code, 0);
	assert.match(offline.stdout, /Possible causes, most common first/);
	assert.match(offline.stdout, /where table_name = 'organizations'/);
	const quoted = await runCli(['explain', `ERROR: column "a';drop" of relation "o';x" does not exist`, '--json']);
	assert.equal(quoted.json.error.table, "o';x");
	assert.ok(
		quoted.json.advice.causes.some((cause: {check?: string}) => cause.check?.includes(`table_name = 'o'';x'`)),
		'names are escaped literals'
	);
	const piped = await runCli(
		['explain', '-', '--json'],
		{},
		undefined,
		JSON.stringify({
			code: 'PGRST205',
			details: null,
			hint: null,
			message: `Could not find the table 'public.invoices' in the schema cache`,
		})
	);
	assert.deepEqual(
		[piped.json.error.code, piped.json.error.schema, piped.json.error.table],
		['PGRST205', 'public', 'invoices']
	);
	const unknown = await runCli(['explain', 'the cat sat on the mat']);
	assert.equal(unknown.code, 2);
	assert.match(unknown.stdout, /PGRST204/, 'lists what it understands');
});
