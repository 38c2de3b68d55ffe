// Re-records test/fixtures from the real servers, for every PostgREST binary installed (12.0.2 and 11.2.2):
// `npx tsx test/support/recordFixtures.ts`. <version> below is the binary's version.
// dump-schema-<version>.json: `postgrest --dump-schema` on the schema below; from 12.2 it has the same shape as
// the admin /schema_cache endpoint.
// errors-<version>.json: the answers PostgREST gives to the requests listed with each one (method, path and the
// headers that matter), made against the schema below after a migration PostgREST was not told about: the errors
// users paste into explain, and the answers to the doctor's probe methods and their controls.
// openapi-<version>.json: the OpenAPI description (GET /) of the same schema, quoted names included.
import {execFileSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {authenticatorPassword, postgrestBinaries, postgrestVersions, startPostgres, startPostgrest} from './stack.js';

for (const version of postgrestVersions) await record(version);

async function record(version: (typeof postgrestVersions)[number]) {
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
		const dump = execFileSync(postgrestBinaries[version], ['--dump-schema'], {
			env: {
				PGRST_DB_URI: db.url('postgres', 'authenticator', authenticatorPassword),
				PGRST_DB_SCHEMAS: 'public',
				PGRST_DB_ANON_ROLE: 'anon',
			},
		});
		writeFileSync(
			new URL(`../fixtures/dump-schema-${version}.json`, import.meta.url),
			JSON.stringify(JSON.parse(dump.toString()), null, 1) + '\n'
		);

		await db.query(`
			grant select, insert on public.organizations, public."Order Items" to anon;
			grant execute on function public.add(int, int) to anon;
			create table public.secret_stuff (id int);
			create schema auth; create table auth.users (id int primary key);
			create table public.posts (id int primary key, author int references auth.users (id));
			grant select on public.posts to anon;
		`);
		const api = await startPostgrest({dbUri: db.url('postgres', 'authenticator', authenticatorPassword), version});
		await db.query(
			`alter table public.organizations add column updated_by text; create function public.fresh(a ` +
				`int) returns int language sql as 'select a';`
		);
		const json = {'content-type': 'application/json'};
		const acceptStop = {
			...json,
			accept: 'application/vnd.pgrst-doctor.probe-fixture',
			prefer: 'handling=strict, pgrst-doctor-probe',
		};
		const requests: Array<[string, string, RequestInit]> = [
			[
				'PGRST204 stale column',
				'/organizations',
				{method: 'POST', headers: json, body: JSON.stringify({id: 1, updated_by: 'x'})},
			],
			[
				'PGRST204 quoted names',
				'/Order%20Items?columns=%22Unit%20Price%22',
				{method: 'POST', headers: json, body: '[]'},
			],
			[
				'PGRST202 wrong arguments',
				'/rpc/add',
				{method: 'POST', headers: json, body: JSON.stringify({a: 1, b: 2, c: 3})},
			],
			['PGRST202 new function', '/rpc/fresh', {method: 'POST', headers: json, body: JSON.stringify({a: 1})}],
			['PGRST202 without parameters', '/rpc/add', {method: 'POST', headers: json, body: '{}'}],
			['PGRST200 relationship into auth', '/posts?select=*,users(*)', {}],
			['PGRST106 unexposed profile', '/organizations', {headers: {'accept-profile': 'auth'}}],
			['42P01 unknown table', '/nothing_here', {}],
			['42703 unknown column in select', '/organizations?select=nope', {}],
			['42501 no grants', '/secret_stuff', {}],
			// The doctor's probe methods (source/probes/cacheSnapshot.ts), on a cached, a stale and a made-up object each.
			['probe options: cached relation', '/organizations', {method: 'OPTIONS'}],
			['probe options: uncached relation', '/pgrst_doctor_control', {method: 'OPTIONS'}],
			[
				'probe post-columns: cached columns',
				'/organizations?columns=id,name',
				{method: 'POST', headers: acceptStop, body: '[]'},
			],
			[
				'probe post-columns: stale column',
				'/organizations?columns=id,updated_by',
				{method: 'POST', headers: acceptStop, body: '[]'},
			],
			[
				'probe post-columns: uncached relation',
				'/pgrst_doctor_control?columns=id',
				{method: 'POST', headers: acceptStop, body: '[]'},
			],
			[
				'probe post-invalid-body: cached columns',
				'/organizations?columns=id,name',
				{method: 'POST', headers: {...json, accept: 'application/json'}, body: 'pgrst-doctor probe: not JSON'},
			],
			[
				'probe post-invalid-body: stale column',
				'/organizations?columns=id,updated_by',
				{method: 'POST', headers: {...json, accept: 'application/json'}, body: 'pgrst-doctor probe: not JSON'},
			],
			[
				'probe post-invalid-body: uncached relation',
				'/pgrst_doctor_control?columns=id',
				{method: 'POST', headers: {...json, accept: 'application/json'}, body: 'pgrst-doctor probe: not JSON'},
			],
			[
				'probe post-rpc: cached function',
				'/rpc/add',
				{method: 'POST', headers: acceptStop, body: JSON.stringify({a: null, b: null})},
			],
			[
				'probe post-rpc: uncached function',
				'/rpc/fresh',
				{method: 'POST', headers: acceptStop, body: JSON.stringify({a: null})},
			],
			[
				'probe post-rpc-embed: cached function',
				'/rpc/add?select=*,pgrst_doctor_stop(*)',
				{
					method: 'POST',
					headers: {...json, accept: 'application/json'},
					body: JSON.stringify({a: null, b: null}),
				},
			],
			[
				'probe post-rpc-embed: uncached function',
				'/rpc/fresh?select=*,pgrst_doctor_stop(*)',
				{method: 'POST', headers: {...json, accept: 'application/json'}, body: JSON.stringify({a: null})},
			],
			[
				'probe post-rpc-filter: cached function',
				'/rpc/add?pgrst_doctor_stop.c=eq.1',
				{
					method: 'POST',
					headers: {...json, accept: 'application/json'},
					body: JSON.stringify({a: null, b: null}),
				},
			],
			[
				'probe post-rpc-filter: uncached function',
				'/rpc/fresh?pgrst_doctor_stop.c=eq.1',
				{method: 'POST', headers: {...json, accept: 'application/json'}, body: JSON.stringify({a: null})},
			],
		];
		const recorded = [];
		for (const [label, path, init] of requests) {
			const response = await fetch(`${api.url}${path}`, init);
			const headers = Object.entries(init.headers ?? {})
				.map(([name, value]) => `${name}: ${value}`)
				.join('; ');
			// The requests above send text bodies only.
			const body = typeof init.body === 'string' && init.body ? ` body ${init.body}` : '';
			recorded.push({
				label,
				request: `${init.method ?? 'GET'} ${path}${headers ? ` (${headers})` : ''}${body}`,
				status: response.status,
				body: await response.text(),
			});
		}
		writeFileSync(
			new URL(`../fixtures/openapi-${version}.json`, import.meta.url),
			await (await fetch(`${api.url}/`)).text()
		);
		await api.stop();
		writeFileSync(
			new URL(`../fixtures/errors-${version}.json`, import.meta.url),
			JSON.stringify(recorded, null, 1) + '\n'
		);
	} finally {
		await db.stop();
	}
}
