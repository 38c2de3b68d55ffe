// Issue 13 point 4: pgrst-doctor run as a Supabase user would run it, against the Supabase-shaped bed
// (support/supabaseStack.ts): connected as the non-superuser postgres with sslmode=require, PostgREST 12.0.2 behind
// a gateway that checks apikey, Supabase's own reload triggers owned by supabase_admin. No secret of the bed may
// appear in any output.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {createClient} from '@supabase/supabase-js';
import {checkStatus, findingRows, runCli, type JsonDocument} from './support/cli.js';
import {waitFor} from './support/e2e.js';
import {bedSecrets, keys, type SupabaseProject, useSupabaseBed} from './support/supabaseStack.js';

const bed = useSupabaseBed();

async function doctor(args: string[]) {
	const run = await runCli(args);
	for (const secret of bedSecrets) {
		assert.ok(
			!run.stdout.includes(secret) && !run.stderr.includes(secret),
			`a secret of the bed leaked into pgrst-doctor ${args[0]}`
		);
	}
	return run;
}

const check = async (project: SupabaseProject, key: string, ...extra: string[]) =>
	doctor(['check', '--db-url', project.dbUrl, '--api-url', project.restUrl, '--api-key', key, '--json', ...extra]);

class NoWebSocket {
	constructor() {
		throw new Error('realtime is not used by these tests');
	}
}

/** supabase-js pointed at the project, as an app would be; Node 20 has no WebSocket, and realtime is not used. */
const supabase = (project: SupabaseProject, key: string) =>
	createClient(project.restUrl.replace(/\/rest\/v1$/, ''), key, {
		auth: {persistSession: false, autoRefreshToken: false, detectSessionInUrl: false},
		realtime: {transport: NoWebSocket as never},
	});

const codes = (json: JsonDocument) => (json.findings as Array<{code: string}>).map(found => found.code);

/** A migration run as supabase_admin with session_replication_role = replica, as a data dump restores: no trigger fires. */
const silentMigration = (project: SupabaseProject, sql: string) =>
	project.asAdmin(`set session_replication_role = replica; ${sql}`);

test("the gateway answers as Supabase's: no key 401, unknown key 401, the OpenAPI root 403 to anon and publishable keys, PostgREST's own answer otherwise", async () => {
	const project = await bed.project();
	const get = async (path: string, headers: Record<string, string> = {}) => {
		const response = await fetch(`${project.restUrl}${path}`, {headers});
		return {status: response.status, server: response.headers.get('server'), body: await response.json()};
	};
	assert.deepEqual(await get('/todos'), {status: 401, server: null, body: {message: 'No API key found in request'}});
	assert.deepEqual(await get('/todos', {apikey: 'sb_publishable_unknown'}), {
		status: 401,
		server: null,
		body: {message: 'Invalid API key'},
	});
	const forbidden = {
		status: 403,
		server: null,
		body: {
			message: 'Access to schema is forbidden',
			hint: 'Accessing the schema via the Data API is only allowed using a secret API key.',
		},
	};
	assert.deepEqual(await get('/', {apikey: keys.anon}), forbidden);
	assert.deepEqual(
		await get('/', {apikey: keys.publishable, authorization: `Bearer ${keys.publishable}`}),
		forbidden
	);
	for (const key of [keys.secret, keys.serviceRole]) {
		const root = await get('/', {apikey: key});
		assert.equal(root.status, 200);
		assert.equal(root.server, 'postgrest/12.0.2');
		assert.equal(root.body.info.version, '12.0.2');
	}
	// The publishable key is anon's JWT behind the gateway: PostgREST runs the request as anon, whom RLS-free tables serve.
	assert.deepEqual(await get('/todos?select=id', {apikey: keys.publishable}), {
		status: 200,
		server: 'postgrest/12.0.2',
		body: [],
	});
	// A user's own JWT is forwarded; one PostgREST cannot verify is refused by PostgREST itself.
	const forged = await get('/todos', {
		apikey: keys.publishable,
		authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.forged',
	});
	assert.equal(forged.status, 401);
	assert.equal(forged.server, 'postgrest/12.0.2');
});

test("healthy fresh project, as postgres over TLS with the secret key: exit 0, Supabase's pgrst_ddl_watch/pgrst_drop_watch count as the auto-reload trigger", async () => {
	const project = await bed.project();
	for (const key of [keys.secret, keys.serviceRole]) {
		const {code, json} = await check(project, key);
		assert.deepEqual(findingRows(json), []);
		assert.equal(checkStatus(json, 'trigger.installed'), 'pass');
		assert.match(
			json.checks.find((item: {id: string}) => item.id === 'trigger.installed').summary,
			/pgrst_ddl_watch \(ddl_command_end\), pgrst_drop_watch \(sql_drop\)/
		);
		assert.equal(checkStatus(json, 'listener.present'), 'pass');
		assert.equal(checkStatus(json, 'cache.columns'), 'pass');
		assert.match(json.checks.find((item: {id: string}) => item.id === 'database.connect').summary, /role postgres/);
		assert.equal(code, 0);
	}
	// The server's word that the doctor was encrypted (sslmode=require, a certificate from a CA it was not given).
	assert.match(
		bed.pg.logs(),
		new RegExp(
			`connection authorized: user=postgres database=${project.database} application_name=pgrst-doctor SSL enabled`
		)
	);
	// PostgREST too: it logs in as authenticator over TLS (sslmode=require in its db-uri).
	assert.match(
		bed.pg.logs(),
		new RegExp(
			`connection authorized: user=authenticator database=${project.database} application_name=PostgREST 12\\.0\\.2 SSL enabled`
		)
	);
	// The gateway served it all: the OpenAPI root with the secret key.
	assert.ok(project.gateway.requests.some(request => request.path === '/rest/v1/' && request.status === 200));
});

test('a column added by a migration no trigger saw: cache.column_missing; --fix reload heals it as postgres and proves it, and the write works', async () => {
	const project = await bed.project();
	await silentMigration(project, 'alter table public.todos add column due date');
	const stale = await check(project, keys.secret);
	assert.deepEqual(findingRows(stale.json), ['cache.column_missing public todos due']);
	assert.equal(
		checkStatus(stale.json, 'trigger.installed'),
		'pass',
		'the triggers are fine; the migration bypassed them'
	);
	assert.equal(stale.code, 1);

	const fixed = await check(project, keys.secret, '--fix', 'reload', '--yes');
	assert.equal(fixed.json.fixesApplied[0].ok, true);
	assert.equal(fixed.json.fixesApplied[0].verified, true);
	assert.match(
		fixed.json.fixesApplied[0].message,
		/PostgREST's cache matches the database \d+ ms after NOTIFY pgrst/
	);
	assert.deepEqual(findingRows(fixed.json), []);
	assert.equal(fixed.code, 0);
	// What the user wanted in the first place, through the gateway with the publishable key.
	const client = supabase(project, keys.publishable);
	const {error} = await client.from('todos').insert({task: 'ship', due: '2026-12-01'});
	assert.equal(error, null);
});

test('pgrst-doctor wait after a migration no trigger saw, as postgres through the gateway: reloads, waits until the cache matches, exit 0', async () => {
	const project = await bed.project();
	await silentMigration(
		project,
		'create table public.invoices (id int primary key); grant select on public.invoices to anon'
	);
	const before = await check(project, keys.secret);
	assert.deepEqual(findingRows(before.json), ['cache.table_missing public invoices']);
	const {code, json} = await doctor([
		'wait',
		'--db-url',
		project.dbUrl,
		'--api-url',
		project.restUrl,
		'--api-key',
		keys.secret,
		'--json',
	]);
	assert.deepEqual(findingRows(json), []);
	assert.equal(code, 0);
	const response = await fetch(`${project.restUrl}/invoices`, {headers: {apikey: keys.publishable}});
	assert.equal(response.status, 200);
});

test('the anon or publishable key: the gateway refuses the OpenAPI root, so nothing is compared: exit 2, api.unauthorized', async () => {
	const project = await bed.project();
	for (const key of [keys.anon, keys.publishable]) {
		const {code, json} = await check(project, key);
		assert.ok(
			codes(json).includes('api.unauthorized'),
			`api.unauthorized with the ${key === keys.anon ? 'anon' : 'publishable'} key, got ${codes(json).join(', ')}`
		);
		assert.equal(code, 2);
	}
	assert.ok(
		project.gateway.requests.some(request => request.path === '/rest/v1/' && request.status === 403),
		"the refusal was the gateway's 403"
	);
});

test('no API key, or one the gateway does not know: refused (401), exit 2, never a pass', async () => {
	const project = await bed.project();
	const without = await doctor(['check', '--db-url', project.dbUrl, '--api-url', project.restUrl, '--json']);
	assert.ok(codes(without.json).includes('api.unauthorized'));
	assert.equal(without.code, 2);
	const unknown = await check(project, 'sb_secret_not-a-key-of-this-project');
	assert.ok(codes(unknown.json).includes('api.unauthorized'));
	assert.equal(unknown.code, 2);
});

test("--fix trigger as postgres while Supabase's triggers are disabled: one clear sentence (disabled, owned by supabase_admin, ask a superuser), no stack trace, nothing installed", async () => {
	const project = await bed.project();
	await project.asAdmin('alter event trigger pgrst_ddl_watch disable; alter event trigger pgrst_drop_watch disable');
	const before = await check(project, keys.secret);
	assert.deepEqual(findingRows(before.json), [
		'trigger.disabled extensions pgrst_ddl_watch',
		'trigger.disabled extensions pgrst_drop_watch',
	]);
	const disabled = before.json.findings.find((found: {code: string}) => found.code === 'trigger.disabled');
	assert.match(
		disabled.suggestion,
		/^As its owner supabase_admin or another superuser \(role postgres may not alter it\): ALTER EVENT TRIGGER pgrst_\w+_watch ENABLE;$/
	);
	const planned = await check(project, keys.secret, '--fix', 'trigger');
	assert.equal(
		planned.json.fixesPlanned[0].dryRun,
		'would fail: only a superuser may create event triggers, and role postgres is not one.'
	);

	const {code, json, stderr} = await check(project, keys.secret, '--fix', 'trigger', '--yes');
	const [applied] = json.fixesApplied;
	assert.equal(applied.ok, false);
	assert.equal(
		applied.message,
		'Nothing was installed: PostgreSQL lets only a superuser create event triggers and role postgres ' +
			'is not one (42501 permission denied); the reload triggers pgrst_ddl_watch and pgrst_drop_watch ' +
			'are already here but disabled, so ask supabase_admin or another superuser to enable them.'
	);
	assert.ok(
		applied.steps.includes(
			'As supabase_admin (only the owner or a superuser may): ALTER EVENT TRIGGER pgrst_ddl_watch ' +
				'ENABLE; ALTER EVENT TRIGGER pgrst_drop_watch ENABLE;'
		)
	);
	assert.ok(applied.steps.some((step: string) => /supautils/.test(step)));
	assert.doesNotMatch(`${JSON.stringify(json)}${stderr}`, /\bat \w+ \(|node:internal|Error:/, 'no stack trace');
	assert.equal(code, 1);
	const installed = await project.asAdmin(
		`select count(*)::int as count from pg_catalog.pg_namespace where nspname = 'pgrst_doctor'`
	);
	assert.equal(installed[0]!.count, 0, 'the refused transaction left nothing behind');

	// The plain report says the same sentence.
	const plain = await doctor([
		'check',
		'--db-url',
		project.dbUrl,
		'--api-url',
		project.restUrl,
		'--api-key',
		keys.secret,
		'--fix',
		'trigger',
		'--yes',
	]);
	assert.match(
		plain.stdout.replace(/\s+/g, ' '),
		/Nothing was installed: PostgreSQL lets only a superuser create event triggers and role postgres is not one/
	);
});

test("postgres without pg_monitor: PostgREST's queries are hidden, so the listener is neither claimed missing nor present; with pg_monitor it is seen", async t => {
	const project = await bed.project();
	await bed.monitor(false);
	t.after(async () => bed.monitor(true));
	const hidden = await check(project, keys.secret);
	assert.deepEqual(findingRows(hidden.json), ['listener.unknown']);
	const unknown = hidden.json.findings[0];
	assert.match(
		unknown.message,
		new RegExp(
			`^2 sessions of authenticator \\(PostgREST 12\\.0\\.2\\) are connected to ${project.database}, ` +
				`but role postgres may not read other roles' queries \\(it has neither pg_monitor nor pg_read_all_stats\\), ` +
				`so whether one of them runs LISTEN "pgrst" can be neither confirmed nor ruled out$`
		)
	);
	assert.match(unknown.suggestion, /^GRANT pg_monitor TO postgres;/);
	assert.equal(checkStatus(hidden.json, 'listener.present'), 'warn');
	assert.doesNotMatch(
		JSON.stringify(hidden.json),
		/listener\.missing|nothing listens|reaches nobody/i,
		'no claim that nothing listens'
	);
	assert.equal(hidden.code, 0, 'the cache was compared in full; what is hidden is said, not failed');

	// A stale cache is still found and healed without pg_monitor: the proof is the comparison itself.
	await silentMigration(project, 'alter table public.profiles add column avatar_url text');
	const fixed = await check(project, keys.secret, '--fix', 'reload', '--yes');
	assert.deepEqual(fixed.json.before.findings.map((found: {code: string}) => found.code).sort(), [
		'cache.column_missing',
		'listener.unknown',
	]);
	assert.equal(fixed.json.fixesApplied[0].ok, true);
	assert.deepEqual(findingRows(fixed.json), ['listener.unknown']);

	await bed.monitor(true);
	const seen = await check(project, keys.secret);
	assert.deepEqual(findingRows(seen.json), []);
	assert.match(
		seen.json.checks.find((item: {id: string}) => item.id === 'listener.present').summary,
		/PostgREST 12\.0\.2 listens on "pgrst"/
	);
	assert.equal(seen.code, 0);
});

test('PostgREST that really does not listen (db-channel-enabled=false): without pg_monitor still unknown, never "listening"; with pg_monitor listener.missing', async t => {
	const project = await bed.project();
	await project.restartPostgrest({channelEnabled: false});
	await bed.monitor(false);
	t.after(async () => bed.monitor(true));
	const hidden = await check(project, keys.secret);
	assert.deepEqual(
		findingRows(hidden.json),
		['listener.unknown'],
		'the same answer as for a listening PostgREST: the hidden queries cannot tell them apart'
	);
	assert.match(hidden.json.findings[0].message, /^1 session of authenticator \(PostgREST 12\.0\.2\) is connected to/);
	// The control: the method that could not tell sees the difference once it may read the queries.
	await bed.monitor(true);
	const seen = await check(project, keys.secret);
	assert.ok(
		codes(seen.json).includes('listener.missing'),
		`listener.missing with pg_monitor, got ${codes(seen.json).join(', ')}`
	);
	assert.equal(checkStatus(seen.json, 'listener.present'), 'fail');
});

test('explain a pasted PGRST204 for a truly stale column, through the gateway: the cache is stale, --fix reload heals it', async () => {
	const project = await bed.project();
	await silentMigration(project, 'alter table public.todos add column priority int');
	const client = supabase(project, keys.publishable);
	const {error} = await client.from('todos').insert({task: 'x', priority: 1});
	assert.equal(error?.code, 'PGRST204', 'the real error a Supabase user sees');
	const pasted = JSON.stringify(error);
	const explained = await doctor([
		'explain',
		pasted,
		'--db-url',
		project.dbUrl,
		'--api-url',
		project.restUrl,
		'--api-key',
		keys.secret,
		'--json',
	]);
	assert.equal(explained.json.verdict.code, 'cache.column_missing');
	assert.equal(explained.code, 1);
	const fixed = await doctor([
		'explain',
		pasted,
		'--db-url',
		project.dbUrl,
		'--api-url',
		project.restUrl,
		'--api-key',
		keys.secret,
		'--json',
		'--fix',
		'reload',
		'--yes',
	]);
	assert.equal(fixed.json.fixesApplied[0].ok, true);
	await waitFor(async () => (await client.from('todos').insert({task: 'y', priority: 2})).error === null);
});

test('explain "permission denied for table" with the anon key: the table exists and is cached, anon lacks the grant (grant.missing), not a stale cache', async () => {
	const project = await bed.project();
	// Created by postgres, then taken back from the API roles, as projects that do not auto-expose new tables have it.
	await project.asPostgres(
		'create table public.payouts (id int primary key, amount int); revoke all on public.payouts from anon, authenticated'
	);
	await project.restartPostgrest();
	const client = supabase(project, keys.anon);
	const {error} = await client.from('payouts').select('*');
	assert.equal(error?.code, '42501');
	const explained = await doctor([
		'explain',
		JSON.stringify(error),
		'--db-url',
		project.dbUrl,
		'--api-url',
		project.restUrl,
		'--api-key',
		keys.anon,
		'--json',
	]);
	assert.equal(explained.json.verdict.code, 'grant.missing');
	assert.match(JSON.stringify(explained.json.verdict), /grant select on (table )?public\.payouts to anon/i);
	assert.equal(explained.code, 1);
});
