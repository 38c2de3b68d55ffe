// Issue 11, points 2, 3 and 5, on the real PostgreSQL 18 and PostgREST 12.0.2 and 11.2.2: every "permission
// denied" PostgREST answers is explained as grant.missing with the exact GRANT, for the role requests really run as
// (a superuser login, --role, the API key's role claim), reproduced live with a read that runs nothing; and
// explain --fix applies a reload only when the verdict is a stale cache.
import assert from 'node:assert/strict';
import {createHmac} from 'node:crypto';
import {test} from 'node:test';
import {runCli} from './support/cli.js';
import {useStack} from './support/e2e.js';
import {type Scenario, sideEffectCounter} from './support/scenario.js';
import {postgrestVersions, startPostgrest} from './support/stack.js';

const stack = useStack();

const schema = `${sideEffectCounter()}
	create function public.noisy() returns int
		language sql volatile security definer as $$ select public.count_effect('view column'); select 1 $$;
	create table public.secrets (id int primary key, note text);
	create view public.secret_view as select id, public.noisy() as n from public.secrets;
	create materialized view public.secret_counts as select count(*) as n from public.secrets;
	insert into public.secrets values (1, 'x');
	alter table public.secrets enable row level security;
	create function public.policy_hit() returns boolean
		language sql volatile security definer as $$ select public.count_effect('policy'); select true $$;
	create policy seen on public.secrets using (public.policy_hit());
	create table public.notes (id serial primary key, body text);
	grant select, insert on public.notes to anon;
	create schema api;
	create table api.things (id int);
	grant select on api.things to anon;
	create function public.hidden(n int) returns int language sql as 'select n';
	revoke execute on function public.hidden(int) from public;
	create table public.people (id int primary key, name text, salary int);
	grant select (id, name) on public.people to anon;
	create table public.payouts (id int);
	grant select on public.payouts to anon;
	create table public.ledger (id int);
	insert into public.ledger values (1), (2);
	alter table public.ledger enable row level security;
	create policy seen on public.ledger using (public.policy_hit());
	create view public.ledger_view as select id, public.noisy() as n from public.ledger;
	grant select on public.ledger, public.ledger_view to anon;
	do $$ begin if not exists (select from pg_roles where rolname = 'web_anon') then create role web_anon nologin; end if; end $$;
	grant usage on schema public to web_anon;
`;

const explain = async (item: {dbUrl: string; api: {url: string}}, text: string, ...extra: string[]) =>
	runCli(['explain', text, '--db-url', item.dbUrl, '--api-url', item.api.url, '--json', ...extra]);

const body = async (url: string, init: RequestInit = {}) => {
	const response = await fetch(url, init);
	assert.ok(response.status >= 400, `${url} should fail`);
	const text = await response.text();
	assert.match(text, /"42501"/);
	return text;
};

const sideEffects = async (item: Scenario) =>
	(await item.query('select what from public.side_effects')).map(row => String(row.what));

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: each object kind's 42501 gets its exact GRANT, and the live read that confirms it runs nothing`, async () => {
		const item = await stack.setUp(schema, {version, schemas: 'public,api'});
		// Reads that work now (the denial was a write): the live read reads no row, so no policy or view column runs.
		for (const relation of ['ledger', 'ledger_view']) {
			const {json} = await explain(item, `permission denied for table ${relation}`);
			assert.match(json.verdict.message, /A read works now, so the denied request was a write/, relation);
			assert.match(
				json.verdict.suggestion,
				new RegExp(`GRANT <INSERT\\|UPDATE\\|DELETE> ON public\\.${relation} TO anon;`),
				relation
			);
			assert.doesNotMatch(
				json.verdict.suggestion,
				/GRANT DELETE ON/,
				'a guessed write is never a runnable GRANT of every write'
			);
			const named = await explain(item, `DELETE /${relation} 401\npermission denied for table ${relation}`);
			assert.equal(named.json.verdict.suggestion, `GRANT DELETE ON public.${relation} TO anon;`, relation);
		}
		assert.deepEqual(await sideEffects(item), [], "no live read ran a policy or a view's function");
		const cases: Array<[string, RequestInit | undefined, RegExp]> = [
			['/secrets', undefined, /GRANT SELECT ON public\.secrets TO anon;/],
			['/secret_view', undefined, /GRANT SELECT ON public\.secret_view TO anon;/],
			['/secret_counts', undefined, /GRANT SELECT ON public\.secret_counts TO anon;/],
			[
				'/notes',
				{method: 'POST', headers: {'content-type': 'application/json'}, body: '{"body": "x"}'},
				/GRANT USAGE ON SEQUENCE public\.notes_id_seq TO anon;/,
			],
			['/things', {headers: {'accept-profile': 'api'}}, /GRANT USAGE ON SCHEMA api TO anon;/],
			[
				'/rpc/hidden',
				{method: 'POST', headers: {'content-type': 'application/json'}, body: '{"n": 1}'},
				/GRANT EXECUTE ON FUNCTION public\.hidden\(integer\) TO anon;/,
			],
			['/people?select=salary', undefined, /GRANT SELECT \(salary\) ON public\.people TO anon;/],
		];
		for (const [path, init, grant] of cases) {
			const {code, json} = await explain(item, await body(`${item.api.url}${path}`, init));
			assert.equal(json.verdict.code, 'grant.missing', path);
			assert.match(json.verdict.suggestion, grant, path);
			assert.equal(code, 1, path);
		}
		const sequence = await explain(item, await body(`${item.api.url}/notes`, cases[3]![1]));
		assert.match(
			sequence.json.verdict.message,
			/serial column public\.notes\.id from this sequence \(nextval\), which needs USAGE on the sequence: INSERT on the table is not enough/
		);
		const people = await explain(item, await body(`${item.api.url}/people?select=salary`));
		assert.match(people.json.verdict.message, /it may read only id, name/);
		assert.doesNotMatch(
			people.json.verdict.suggestion,
			/GRANT SELECT ON public\.people TO anon/,
			'the whole table is not opened for one column'
		);
		const view = await explain(item, await body(`${item.api.url}/secret_view`));
		assert.match(view.json.verdict.message, /The same read, made now as the API's role, is refused too/);
		// The control: an ordinary read does reach them (which cannot count in PostgREST's read-only transaction).
		assert.match(await (await fetch(`${item.api.url}/ledger_view`)).text(), /read-only transaction/);
	});

	test(`PostgREST ${version}: logged in as a superuser with db-anon-role web_anon: the denial is web_anon's, never 'not reproduced'`, async () => {
		const item = await stack.setUp(schema, {version});
		await item.api.stop();
		const api = await startPostgrest({dbUri: stack.pg.url(item.name), anonRole: 'web_anon', version});
		try {
			const denied = await body(`${api.url}/payouts`);
			const {code, json} = await explain({dbUrl: item.dbUrl, api}, denied);
			assert.equal(json.verdict.code, 'grant.missing');
			assert.match(json.verdict.suggestion, /GRANT SELECT ON public\.payouts TO web_anon;/);
			assert.doesNotMatch(json.verdict.suggestion, /TO anon;/, 'anon may read it already');
			assert.equal(code, 1);
			// web_anon may use notes alone, so PostgREST's OpenAPI (which lists what its role may use) names it.
			await item.query('grant select on public.notes to web_anon');
			const named = await explain({dbUrl: item.dbUrl, api}, denied);
			assert.match(
				named.json.verdict.message,
				/Requests run as web_anon \(PostgREST's OpenAPI output lists exactly the relations it may use\)/
			);
			assert.equal(named.json.verdict.suggestion, 'GRANT SELECT ON public.payouts TO web_anon;');
			// --role names a role that may read it, but the live read is still refused: the request runs as another role.
			const pinned = await explain({dbUrl: item.dbUrl, api}, denied, '--role', 'anon');
			assert.equal(pinned.json.verdict.code, 'grant.missing');
			assert.match(
				pinned.json.verdict.message,
				/still refused \(42501\), but none of the roles checked \(anon\) lacks USAGE on schema public or SELECT on public\.payouts: requests run as another role/
			);
			// Once granted, the live read works: not reproduced.
			await item.query('grant select on public.payouts to web_anon');
			const granted = await explain({dbUrl: item.dbUrl, api}, denied, '--role', 'web_anon');
			assert.equal(granted.json.verdict.code, 'explain.not_reproduced');
			assert.match(
				granted.json.verdict.message,
				/\(web_anon\) has what public\.payouts needs now and the same read, made now as the API's role, succeeds/
			);
		} finally {
			await api.stop();
		}
	});

	test(`PostgREST ${version}: the API key's role claim pins the role, and the key never reaches the output`, async () => {
		const item = await stack.setUp(
			`${schema} grant select on public.payouts to authenticated; revoke select on public.payouts from authenticated;`,
			{version}
		);
		const key = jwt({role: 'authenticated'});
		const denied = await body(`${item.api.url}/payouts`, {headers: {authorization: `Bearer ${key}`}});
		const run = await runCli([
			'explain',
			denied,
			'--db-url',
			item.dbUrl,
			'--api-url',
			item.api.url,
			'--api-key',
			key,
		]);
		assert.ok(!run.stdout.includes(key) && !run.stderr.includes(key) && !run.stdout.includes(key.split('.')[2]!));
		const {json} = await explain(item, denied, '--api-key', key);
		assert.equal(json.verdict.code, 'grant.missing');
		assert.match(json.verdict.message, /Requests run as authenticated \(the API key's role claim\)/);
		assert.match(json.verdict.message, /The same read, made now as the API's role, is refused too/);
		assert.equal(json.verdict.suggestion, 'GRANT SELECT ON public.payouts TO authenticated;');
	});

	test(`PostgREST ${version}: explain --fix reload heals a stale column and proves it; on a grant it applies nothing and says why`, async () => {
		const item = await stack.setUp(schema, {version});
		await item.query('alter table public.payouts add column amount int');
		const stale = await (
			await fetch(`${item.api.url}/payouts`, {
				method: 'POST',
				headers: {'content-type': 'application/json'},
				body: '{"amount": 1}',
			})
		).text();
		assert.match(stale, /PGRST204/);
		const planned = await explain(item, stale, '--fix', 'reload');
		assert.deepEqual(
			planned.json.fixesPlanned.map((fix: {id: string}) => fix.id),
			['reload']
		);
		assert.equal(planned.code, 1);
		const fixed = await explain(item, stale, '--fix', 'reload', '--yes');
		assert.equal(fixed.json.before.findings[0].code, 'cache.column_missing');
		assert.equal(fixed.json.fixesApplied[0].ok, true);
		assert.equal(fixed.json.verdict.code, 'explain.not_reproduced', 'explained again after the reload');
		assert.equal(fixed.code, 0);
		const denied = await body(`${item.api.url}/secrets`);
		const loadsBefore = item.api.logs().split('Schema cache loaded').length;
		const notApplied = await explain(item, denied, '--fix', 'all', '--yes');
		assert.equal(notApplied.json.verdict.code, 'grant.missing');
		assert.match(
			notApplied.json.fixNotApplied,
			/Nothing was applied for --fix all: the verdict is grant\.missing, which the GRANT above heals/
		);
		assert.equal(notApplied.json.fixesApplied, undefined);
		assert.equal(item.api.logs().split('Schema cache loaded').length, loadsBefore, 'no reload');
		assert.equal(notApplied.code, 1);
		const plain = await runCli([
			'explain',
			denied,
			'--db-url',
			item.dbUrl,
			'--api-url',
			item.api.url,
			'--fix',
			'all',
			'--yes',
		]);
		assert.match(plain.stdout, /Nothing was applied for --fix all/);
	});
}

/** An HS256 JWT signed with the stack's PostgREST secret. */
function jwt(claims: Record<string, unknown>): string {
	const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
	const unsigned = `${encode({alg: 'HS256', typ: 'JWT'})}.${encode(claims)}`;
	return `${unsigned}.${createHmac('sha256', 'a-jwt-secret-that-is-at-least-32-characters-long').update(unsigned).digest('base64url')}`;
}

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: "new row violates row-level security policy" is a policy, not a GRANT: rls.rejected names the table's write policies`, async () => {
		const item = await stack.setUp(
			`
			create table public.todos (id int primary key, owner text, title text);
			grant select, insert on public.todos to anon;
			alter table public.todos enable row level security;
			create policy "own rows only" on public.todos for insert to anon with check (owner = current_user);
		`,
			{version}
		);
		const refused = await fetch(`${item.api.url}/todos`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: '{"id": 1, "owner": "someone else"}',
		});
		const text = await refused.text();
		assert.match(text, /new row violates row-level security policy/);
		const {code, json} = await explain(item, text);
		assert.equal(json.verdict.code, 'rls.rejected');
		assert.match(
			json.verdict.message,
			/on public\.todos refused the row the request wrote: the role has the privilege/
		);
		assert.match(json.verdict.message, /"own rows only" \(INSERT to anon, WITH CHECK \(owner = CURRENT_USER\)\)/);
		assert.ok(!json.fixes.some((fix: {id: string}) => fix.id === 'reload'), 'no reload offered');
		assert.equal(code, 1);
		const offline = await runCli(['explain', text]);
		assert.match(offline.stdout, /row-level security policy on todos refused the row/);
		assert.equal(offline.code, 0);
	});
}

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: a view read as its owner, a name in two exposed schemas, a dot inside a name: the GRANT is for the object really denied`, async () => {
		const item = await stack.setUp(
			`
			create schema private;
			create table private.base (id int, secret text);
			do $$ begin if not exists (select from pg_roles where rolname = 'view_owner')
				then create role view_owner nologin; end if; end $$;
			grant usage on schema private to view_owner;
			grant create on schema public to view_owner;
			set role view_owner;
			create view public.v as select id from private.base;
			reset role;
			grant select on public.v to anon;
			create schema api;
			create table public.things (id int);
			create table api.things (id int);
			grant usage on schema api to anon;
			grant select on public.things to anon;
			create table public."a.b" (id int);
			create schema a;
			create table a.b (id int);
			grant usage on schema a to anon;
			grant select on a.b to anon;
		`,
			{version, schemas: 'public,api,a'}
		);
		// The view: PostgreSQL checks private.base against view_owner; granting anon would open it to anon.
		const viewBody = await body(`${item.api.url}/v`);
		assert.match(viewBody, /permission denied for table base/);
		const viaView = await explain(item, `GET /v 401\n${viewBody}`);
		assert.equal(viaView.json.verdict.code, 'grant.missing');
		assert.equal(viaView.json.verdict.suggestion, 'GRANT SELECT ON private.base TO view_owner;');
		const unsure = await explain(item, viewBody);
		assert.match(
			unsure.json.verdict.suggestion,
			/^Paste the request line to tell\. if it read public\.v: GRANT SELECT ON private\.base TO view_owner;/
		);
		// The namesake: the error names no schema; the read refused now is api.things, not public.things.
		const apiBody = await body(`${item.api.url}/things`, {headers: {'accept-profile': 'api'}});
		const namesake = await explain(item, apiBody);
		assert.equal(namesake.json.verdict.code, 'grant.missing');
		assert.match(namesake.json.verdict.suggestion, /GRANT SELECT ON api\.things TO anon;/);
		assert.doesNotMatch(namesake.json.verdict.suggestion, /public\.things/);
		// Both refused now: which one cannot be told, and the verdict says so instead of picking one silently.
		await item.query('revoke select on public.things from anon');
		const both = await explain(item, apiBody);
		assert.match(
			both.json.verdict.message,
			/public\.things and api\.things all exist in exposed schemas and the error does not say which .*rerun with --schemas <its schema>/
		);
		// A dot inside a name: PostgreSQL prints public."a.b" as a.b, which is not schema a's table b.
		const dotted = await body(`${item.api.url}/a.b`);
		const dot = await explain(item, dotted);
		assert.equal(dot.json.verdict.suggestion, 'GRANT SELECT ON public."a.b" TO anon;');
	});
}

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: a key PostgREST rejects, and a PostgREST serving another database, are the verdict before any privilege or cache`, async () => {
		const item = await stack.setUp(schema, {version});
		const denied = await body(`${item.api.url}/secrets`);
		const forged = jwt({role: 'postgres'}).replace(/\.[^.]+$/, '.c2lnbmF0dXJl');
		const expired = jwt({role: 'authenticated', exp: Math.floor(Date.now() / 1000) - 60});
		for (const key of [forged, expired]) {
			const {code, json, stdout} = await explain(item, denied, '--api-key', key);
			assert.equal(json.verdict.code, 'api.unauthorized');
			assert.match(json.verdict.message, /refused the request \(PGRST301/);
			assert.equal(
				code,
				2,
				'nothing is diagnosed with a key PostgREST rejects, least of all "nothing is denied now"'
			);
			assert.ok(!stdout.includes(key));
		}
		const other = await stack.setUp(schema, {version});
		const elsewhere = await stack.setUp(
			`${schema} create table public.ghost (id int); grant select on public.ghost to anon;`,
			{version, apiDatabase: other.name}
		);
		const ghost = `{"code":"42P01","details":null,"hint":null,"message":"relation \\"public.ghost\\" does not exist"}`;
		const loadsBefore = elsewhere.api.logs().split('Schema cache loaded').length;
		const mixedUp = await explain(elsewhere, ghost, '--fix', 'reload', '--yes');
		assert.equal(mixedUp.json.verdict.code, 'api.other_database');
		assert.match(mixedUp.json.verdict.message, new RegExp(`PostgREST is connected to database ${other.name}`));
		assert.match(mixedUp.json.fixNotApplied, /Nothing was applied for --fix reload/);
		assert.equal(elsewhere.api.logs().split('Schema cache loaded').length, loadsBefore, 'no NOTIFY, no SIGUSR1');
	});
}

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: PGRST203, overloads a call's names fit alike: rpc.ambiguous, not "the call sends no arguments"`, async () => {
		const item = await stack.setUp(
			`
			create function public.f(n int) returns int language sql as 'select 1';
			create function public.f(n text) returns int language sql as 'select 2';
			grant execute on function public.f(int), public.f(text) to anon;
		`,
			{version}
		);
		const answer = await fetch(`${item.api.url}/rpc/f`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: '{"n": "x"}',
		});
		const text = await answer.text();
		assert.match(text, /PGRST203/);
		const {code, json} = await explain(item, `POST /rpc/f 300\n${text}`);
		assert.equal(json.verdict.code, 'rpc.ambiguous');
		assert.match(json.verdict.message, /cannot choose between public\.f\(integer\), public\.f\(text\)/);
		assert.doesNotMatch(json.verdict.message, /no arguments/);
		assert.equal(code, 1);
	});
}
