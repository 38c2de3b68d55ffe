// The reload function fix (issue 15, point 3) on the real PostgreSQL 18 and PostgREST 12.0.2: installed by
// check --fix reload-function --yes, SECURITY DEFINER with search_path pinned, executable only by the roles named
// (never anon, never PUBLIC), at most one NOTIFY per interval whoever calls, served by PostgREST only when its schema
// is exposed, and removed by uninstall without touching look-alikes it did not create.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {runCli} from './support/cli.js';
import {useStack} from './support/e2e.js';
import {appSchema, type Scenario} from './support/scenario.js';
import {listenForReloads} from './support/reloadListener.js';
import {signJwt} from './support/supabaseStack.js';

const stack = useStack();
const stackJwtSecret = 'a-jwt-secret-that-is-at-least-32-characters-long';
const serviceKey = signJwt({role: 'service_role'}, stackJwtSecret);
const anonKey = signJwt({role: 'anon'}, stackJwtSecret);

/** Roles belong to the cluster: each is made once, whichever test comes first. */
const role = (name: string) => `do $$ begin
	  if not exists (select from pg_roles where rolname = '${name}') then create role ${name} nologin; end if;
	end $$;
	grant ${name} to authenticator;`;

const withServiceRole = `${appSchema}
	${role('service_role')}
	${role('app_server')}`;

const fix = async (item: Scenario, ...flags: string[]) =>
	runCli(['check', '--db-url', item.dbUrl, '--api-url', item.api.url, '--json', '--fix', ...flags]);

const settle = async () => new Promise(resolve => setTimeout(resolve, 300));

test('--role names the callers; anon, PUBLIC and a database without service_role are refused before anything is written', async () => {
	const item = await stack.setUp(appSchema);
	for (const role of ['anon', 'public']) {
		const refused = await fix(item, 'reload-function', '--yes', '--role', role);
		assert.equal(refused.json.fixesApplied[0].ok, false);
		assert.match(
			refused.json.fixesApplied[0].message,
			/^Nothing was installed: .* is the anonymous role \(or everyone\)/
		);
	}
	const noServiceRole = await fix(item, 'reload-function', '--yes');
	assert.match(
		noServiceRole.json.fixesApplied[0].message,
		/^Nothing was installed: no role was named and this database has no service_role role\. Name the role/
	);
	assert.deepEqual(await item.query(`select nspname from pg_namespace where nspname = 'pgrst_doctor_reload'`), []);

	await item.query(role('app_server'));
	const installed = await fix(
		item,
		'reload-function',
		'--yes',
		'--role',
		'app_server',
		'--function-schema',
		'app_private'
	);
	assert.equal(installed.json.fixesApplied[0].ok, true, installed.json.fixesApplied[0].message);
	assert.match(
		installed.json.fixesApplied[0].message,
		/PostgREST does not expose app_private \(PostgREST\), so no app can call it through the API until you add it to db-schemas/
	);
	// Without --api-url the doctor does not know what PostgREST exposes, and does not guess.
	const unasked = await runCli([
		'check',
		'--db-url',
		item.dbUrl,
		'--json',
		'--fix',
		'reload-function',
		'--yes',
		'--role',
		'app_server',
		'--function-schema',
		'app_private',
	]);
	assert.equal(unasked.json.fixesApplied[0].ok, true, unasked.json.fixesApplied[0].message);
	assert.match(
		unasked.json.fixesApplied[0].message,
		/whether PostgREST exposes app_private is not known \(PostgREST was not asked: pass --api-url\)/
	);
	const [allowed] = await item.query(
		`select has_function_privilege('app_server', 'app_private.reload_schema_cache()', 'execute') ` +
			`as server, has_function_privilege('anon', 'app_private.reload_schema_cache()', 'execute') as anon`
	);
	assert.deepEqual(allowed, {server: true, anon: false});
	const flagMisuse = await runCli(['check', '--db-url', item.dbUrl, '--role', 'app_server']);
	assert.equal(flagMisuse.code, 2);
	assert.match(flagMisuse.stderr, /--role and --function-schema are for --fix reload-function/);
});

test('installed for service_role by default: definer, pinned search_path, anon and PUBLIC may not run it, one NOTIFY per interval', async () => {
	// The schema exists and is exposed before the install, as when a user has chosen to let apps call the function.
	const item = await stack.setUp(`${withServiceRole} create schema pgrst_doctor_reload;`, {
		schemas: 'public,pgrst_doctor_reload',
	});
	const dry = await fix(item, 'reload-function');
	assert.equal(dry.code, 1);
	assert.match(dry.json.fixesPlanned[0].preview, /security definer\nset search_path = pg_catalog, pg_temp/);
	assert.match(
		dry.json.fixesPlanned[0].preview,
		/grant execute on function pgrst_doctor_reload\.reload_schema_cache\(\) to service_role;/
	);
	assert.deepEqual(
		await item.query(`select proname from pg_proc where proname = 'reload_schema_cache'`),
		[],
		'the dry run wrote nothing'
	);

	const applied = await fix(item, 'reload-function', '--yes');
	const [result] = applied.json.fixesApplied;
	assert.equal(result.ok, true, result.message);
	assert.equal(result.verified, true);
	assert.match(
		result.message,
		/executable by service_role and superusers, as the catalog says \(checked in the catalog: not by public, anon; an anonymous call through PostgREST was refused \(HTTP 401 42501\)\), at most one NOTIFY per 5 s; PostgREST exposes pgrst_doctor_reload \(PostgREST\): a server-side client calls it with \.schema\('pgrst_doctor_reload'\)\.rpc\('reload_schema_cache'\)$/
	);
	const [fn] =
		await item.query(`select p.prosecdef, p.proconfig, has_function_privilege('anon', p.oid, 'execute') as anon,
		has_function_privilege('authenticated', p.oid, 'execute') as authenticated,
			has_function_privilege('service_role', p.oid, 'execute') as service
		from pg_proc p where p.oid = 'pgrst_doctor_reload.reload_schema_cache()'::regprocedure`);
	assert.deepEqual(fn, {
		prosecdef: true,
		proconfig: ['search_path=pg_catalog, pg_temp'],
		anon: false,
		authenticated: false,
		service: true,
	});

	// Through PostgREST: anon is refused before anything is sent; the service role's call sends one NOTIFY, and a
	// second call within the interval sends none.
	await settle();
	const listener = await listenForReloads(item);
	try {
		const call = async (key: string) =>
			fetch(`${item.api.url}/rpc/reload_schema_cache`, {
				method: 'POST',
				headers: {
					authorization: `Bearer ${key}`,
					'content-profile': 'pgrst_doctor_reload',
					'content-type': 'application/json',
				},
				body: '{}',
			});
		const refused = await call(anonKey);
		assert.equal(refused.status, 401);
		assert.equal(((await refused.json()) as {code: string}).code, '42501');
		await settle();
		assert.equal(listener.count(), 0, 'anon sent no reload');
		const first = (await (await call(serviceKey)).json()) as {sent: boolean};
		const second = (await (await call(serviceKey)).json()) as {sent: boolean; retry_after_ms: number};
		assert.equal(first.sent, true);
		assert.equal(second.sent, false);
		assert.ok(second.retry_after_ms > 0 && second.retry_after_ms <= 5000);
		await settle();
		assert.equal(listener.count(), 1, 'two calls within the interval: one NOTIFY');
	} finally {
		await listener.stop();
	}
	// The state table is its owner's alone.
	const [table] =
		await item.query(`select has_table_privilege('service_role', 'pgrst_doctor_reload.reload_schema_cache_state', 'select') as service,
		has_table_privilege('anon', 'pgrst_doctor_reload.reload_schema_cache_state', 'select') as anon`);
	assert.deepEqual(table, {service: false, anon: false});

	const removed = await fix(item, 'uninstall-reload-function', '--yes');
	assert.equal(removed.json.fixesApplied[0].ok, true, removed.json.fixesApplied[0].message);
	assert.deepEqual(
		await item.query(`select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where n.nspname = 'pgrst_doctor_reload'
		union all select proname from pg_proc where proname = 'reload_schema_cache'`),
		[]
	);
	assert.equal(
		(await item.query(`select nspname from pg_namespace where nspname = 'pgrst_doctor_reload'`)).length,
		1,
		"the user's own schema stays"
	);
});

test('a grant from default privileges is taken back, and the message names exactly who may execute it, from the catalog', async () => {
	// Supabase's default privileges: every new function in public is executable by anon, authenticated and service_role.
	const item = await stack.setUp(`${withServiceRole}
		alter default privileges in schema public grant all on functions to anon, authenticated, service_role;`);
	const applied = await fix(item, 'reload-function', '--yes', '--function-schema', 'public');
	const [result] = applied.json.fixesApplied;
	assert.equal(result.ok, true, result.message);
	assert.match(
		result.message,
		/executable by service_role and superusers, as the catalog says \(checked in the catalog: not by public, anon; an anonymous call through PostgREST was refused \(HTTP 401 42501\)\)/
	);
	const [fn] =
		await item.query(`select has_function_privilege('anon', 'public.reload_schema_cache()', 'execute') as anon,
		has_function_privilege('authenticated', 'public.reload_schema_cache()', 'execute') as authenticated,
		has_function_privilege('service_role', 'public.reload_schema_cache()', 'execute') as service`);
	assert.deepEqual(fn, {anon: false, authenticated: false, service: true});
});

test('a named role the anonymous role is a member of is refused, inside the install transaction: nothing is left', async () => {
	const item = await stack.setUp(`${appSchema} ${role('app_user')} grant app_user to anon;`);
	const refused = await fix(item, 'reload-function', '--yes', '--role', 'app_user');
	const [result] = refused.json.fixesApplied;
	assert.equal(result.ok, false);
	assert.match(
		result.message,
		/^Nothing was installed: pgrst-doctor changed nothing: the anonymous role could execute the function: anon \(a member of app_user\)\. Name a role the anonymous role is not a member of\./
	);
	assert.deepEqual(
		await item.query(`select nspname from pg_namespace where nspname = 'pgrst_doctor_reload'
		union all select proname from pg_proc where proname = 'reload_schema_cache'`),
		[]
	);
	await item.query('revoke app_user from anon');
});

test("PostgREST's anonymous role: refused by name when configured, and an anonymous call through PostgREST undoes an install it can run", async () => {
	// PostgREST's db-anon-role is web_anon, which the doctor is not told: only the call through PostgREST can tell.
	const item = await stack.setUp(
		`${appSchema} ${role('web_anon')} grant usage on schema public to web_anon; create schema pgrst_doctor_reload;`,
		{schemas: 'public,pgrst_doctor_reload', anonRole: 'web_anon'}
	);
	const unknown = await fix(item, 'reload-function', '--yes', '--role', 'web_anon');
	const [undone] = unknown.json.fixesApplied;
	assert.equal(undone.ok, false);
	assert.match(
		undone.message,
		/^Nothing was kept: an anonymous call through PostgREST ran pgrst_doctor_reload\.reload_schema_cache\(\) \(HTTP 200\), so PostgREST's anonymous role may execute it; it was removed again\./
	);
	assert.deepEqual(await item.query(`select proname from pg_proc where proname = 'reload_schema_cache'`), []);
	// Told (PGRST_DB_ANON_ROLE, as discovery reads it), the doctor refuses before writing anything.
	const told = await runCli(
		[
			'check',
			'--db-url',
			item.dbUrl,
			'--api-url',
			item.api.url,
			'--json',
			'--fix',
			'reload-function',
			'--yes',
			'--role',
			'web_anon',
		],
		{PGRST_DB_ANON_ROLE: 'web_anon'}
	);
	assert.equal(told.json.fixesApplied[0].ok, false);
	assert.match(
		told.json.fixesApplied[0].message,
		/^Nothing was installed: web_anon is the anonymous role \(or everyone\)/
	);
	// A role web_anon cannot execute as: the anonymous call is refused, and that is the proof.
	await item.query(role('app_server'));
	const installed = await fix(item, 'reload-function', '--yes', '--role', 'app_server');
	assert.equal(installed.json.fixesApplied[0].ok, true, installed.json.fixesApplied[0].message);
	assert.equal(installed.json.fixesApplied[0].verified, true);
	assert.match(
		installed.json.fixesApplied[0].message,
		/\(checked in the catalog: not by public, anon; an anonymous call through PostgREST was refused \(HTTP 401 42501\)\)/
	);
	// Without --api-url nothing can call as the anonymous role, and the message says it was not known.
	const unasked = await runCli([
		'check',
		'--db-url',
		item.dbUrl,
		'--json',
		'--fix',
		'reload-function',
		'--yes',
		'--role',
		'app_server',
	]);
	assert.equal(unasked.json.fixesApplied[0].verified, false);
	assert.match(
		unasked.json.fixesApplied[0].message,
		/PostgREST's anonymous role \(db-anon-role\) is not known, so only anon and PUBLIC were checked/
	);
});

test('a function of the same name that pgrst-doctor did not create is refused on install and survives uninstall', async () => {
	const item = await stack.setUp(`${withServiceRole}
		create schema pgrst_doctor_reload;
		create function pgrst_doctor_reload.reload_schema_cache() returns json language sql as $$ select '{"mine": true}'::json $$;`);
	const refused = await fix(item, 'reload-function', '--yes');
	assert.equal(refused.json.fixesApplied[0].ok, false);
	assert.match(
		refused.json.fixesApplied[0].message,
		/^Nothing was installed: pgrst-doctor changed nothing: function pgrst_doctor_reload\.reload_schema_cache\(\) exists and was not created by pgrst-doctor/
	);
	await fix(item, 'uninstall-reload-function', '--yes');
	const [mine] = await item.query(`select pgrst_doctor_reload.reload_schema_cache() as answer`);
	assert.deepEqual(mine!.answer, {mine: true});
	// $& in a schema name is not a replacement pattern: the refusal holds there too.
	await item.query(
		`create schema "a$&b"; create function "a$&b".reload_schema_cache() returns json language sql ` +
			`as $$ select '{"mine": true}'::json $$;`
	);
	const odd = await fix(item, 'reload-function', '--yes', '--function-schema', 'a$&b');
	assert.match(
		odd.json.fixesApplied[0].message,
		/^Nothing was installed: pgrst-doctor changed nothing: function "a\$&b"\.reload_schema_cache\(\) exists and was not created by pgrst-doctor/
	);
	const [theirs] = await item.query(`select "a$&b".reload_schema_cache() as answer`);
	assert.deepEqual(theirs!.answer, {mine: true});
});

test('sql reload-function prints the script check --fix reload-function runs, for the roles and schema given', async () => {
	const printed = await runCli(['sql', 'reload-function', '--role', 'app_server', '--function-schema', 'Ops']);
	assert.equal(printed.code, 0);
	assert.match(printed.stdout, /^-- pgrst-doctor: a function apps may call/);
	assert.match(printed.stdout, /create or replace function "Ops"\.reload_schema_cache\(\) returns json/);
	assert.match(printed.stdout, /grant execute on function "Ops"\.reload_schema_cache\(\) to app_server;\n/);
	assert.match(printed.stdout, /\ncommit;\n$/);
	const item = await stack.setUp(`${appSchema} ${role('app_server')}`);
	await item.query(printed.stdout);
	const [fn] = await item.query(
		`select has_function_privilege('app_server', '"Ops".reload_schema_cache()', 'execute') as server`
	);
	assert.equal(fn!.server, true);
	// A schema name that is every kind of quote at once is written safely into identifiers, literals, a regclass
	// literal, format() and dollar-quoted bodies; $& and $' are not replacement patterns.
	const hostile = `we"ird's $1 $& $' $pgrst_doctor$ schema`;
	const odd = await runCli(['sql', 'reload-function', '--role', 'app_server', '--function-schema', hostile]);
	await item.query(odd.stdout);
	const [made] = await item.query(
		`select n.nspname, has_function_privilege('app_server', p.oid, 'execute') as server from pg_proc ` +
			`p join pg_namespace n on n.oid = p.pronamespace where p.proname = 'reload_schema_cache' and n.nspname = $1`,
		[hostile]
	);
	assert.deepEqual(made, {nspname: hostile, server: true});
	await item.query((await runCli(['sql', 'uninstall-reload-function', '--function-schema', hostile])).stdout);
	assert.deepEqual(await item.query('select nspname from pg_namespace where nspname = $1', [hostile]), []);
	const control = await runCli(['sql', 'reload-function', '--function-schema', 'a\nb']);
	assert.equal(control.code, 2);
	assert.match(control.stderr, /^--function-schema must not contain control characters\./);
	const uninstall = await runCli(['sql', 'uninstall-reload-function', '--function-schema', 'Ops']);
	await item.query(uninstall.stdout);
	assert.deepEqual(await item.query(`select nspname from pg_namespace where nspname = 'Ops'`), []);
});
