// Issue 10, points 1–3: the same cache-drift scenarios on the real PostgREST 11.2.2 and 12.0.2 binaries, with the
// same findings and exit codes, probes whose methods prove themselves on controls, and nothing run by a probe:
// every table has statement-level triggers and every function counts its calls in public.side_effects.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {apiProxy} from './support/apiProxy.js';
import {checkStatus, findingRows, runCli, type JsonDocument} from './support/cli.js';
import {checkJson, useStack} from './support/e2e.js';
import {appSchema, type Scenario, sideEffectCounter} from './support/scenario.js';
import {type PostgrestVersion, postgrestVersions} from './support/stack.js';

const stack = useStack();

const counted = `${appSchema}${sideEffectCounter(`tg_when || ' ' || tg_op || ' on ' || tg_table_name`)}
	create table public."Order Items" ("Item Id" int primary key, qty int);
	create table public.audit_log (id int, note text);
	create function public.rename_me(a int) returns int language sql volatile security definer
		as $$ select public.count_effect('rename_me'); select a $$;
	create function public.ping(note text) returns int language sql volatile security definer
		as $$ select public.count_effect('ping'); select 1 $$;
	create schema api;
	create table api.things (id int, label text);
	create function api.thing_count(since int) returns int language sql volatile security definer
		as $$ select public.count_effect('thing_count'); select 1 $$;
	grant usage on schema api to anon;
	grant all on all tables in schema public, api to anon;
	grant execute on all functions in schema public, api to anon;
	do $$ declare t record; begin
		for t in select format('%I.%I', schemaname, tablename) as name from pg_tables
			where schemaname in ('public', 'api') and tablename <> 'side_effects' loop
			execute format('create trigger before_statement before insert or update or delete on %s '
				'for each statement execute function public.count_statement()', t.name);
			execute format('create trigger after_statement after insert or update or delete on %s '
				'for each statement execute function public.count_statement()', t.name);
		end loop;
	end $$;
`;

// A migration PostgREST is not told about: new, changed and dropped tables, views, columns and functions.
const migration = `
	alter table public.organizations add column created_by text;
	alter table public.members drop column email;
	alter table public."Order Items" add column "Unit Price" numeric;
	alter table public.audit_log add column actor text;
	create table public.invoices (id int primary key, total numeric);
	create view public."Member View" as select id from public.members;
	create function public.invoice_total(invoice int) returns numeric language sql volatile security definer
		as $$ select public.count_effect('invoice_total'); select 0::numeric $$;
	drop function public.member_count(int);
	create function public.member_count(organization int, active boolean) returns bigint language sql volatile security definer
		as $$ select public.count_effect('member_count'); select 0::bigint $$;
	alter table api.things add column added text;
	create table api.more (id int);
	grant all on all tables in schema public, api to anon;
	grant execute on all functions in schema public, api to anon;
`;

const drift = [
	'cache.column_missing api things added',
	'cache.column_missing public Order Items Unit Price',
	'cache.column_missing public audit_log actor',
	'cache.column_missing public organizations created_by',
	'cache.function_missing public invoice_total',
	'cache.function_signature public member_count',
	'cache.table_missing api more',
	'cache.table_missing public Member View',
	'cache.table_missing public invoices',
];

const cacheRows = (json: JsonDocument) => findingRows(json).filter((row: string) => row.startsWith('cache.'));

async function sideEffects(item: Scenario): Promise<string[]> {
	return (await item.query('select what from public.side_effects')).map(row => String(row.what));
}

const expectedMethods: Record<PostgrestVersion, {columns: string; functions: string; relationships: string}> = {
	'11.2.2': {columns: 'post-invalid-body', functions: 'post-rpc-filter', relationships: 'embed-spread'},
	'12.0.2': {columns: 'post-columns', functions: 'post-rpc', relationships: 'embed-accept'},
};

for (const version of postgrestVersions) {
	describe(`PostgREST ${version}`, () => {
		test('a fresh cache: zero cache findings, exit 0, and the methods that proved themselves are in the JSON', async () => {
			for (const openApiMode of ['follow-privileges', 'disabled'] as const) {
				const item = await stack.setUp(counted, {version, schemas: 'public,api', openApiMode});
				const {code, json} = await checkJson(item, '--schemas', 'public,api');
				assert.equal(json.postgrest.version, version);
				assert.deepEqual(cacheRows(json), [], openApiMode);
				assert.equal(code, 0, openApiMode);
				for (const id of ['cache.tables', 'cache.columns', 'cache.functions'])
					assert.equal(checkStatus(json, id), 'pass', `${id} ${openApiMode}`);
				const {functions} = json.postgrest.probeMethods;
				assert.equal(functions.method, expectedMethods[version].functions);
				assert.deepEqual(functions.controls.at(-1), {
					method: expectedMethods[version].functions,
					control: 'negative',
					object: 'api.(a made-up name)()',
					expected: 'not cached',
					read: 'not cached',
					passed: true,
				});
				if (openApiMode === 'disabled') {
					const {tables, columns} = json.postgrest.probeMethods;
					assert.equal(tables.method, 'options');
					assert.equal(columns.method, expectedMethods[version].columns);
					assert.ok(
						columns.controls.some(
							(control: {control: string; passed: boolean}) =>
								control.control === 'negative' && control.passed
						)
					);
				}
				assert.deepEqual(
					await sideEffects(item),
					[],
					'no probe inserted a row, fired a statement trigger or ran a function'
				);
				await item.stop();
			}
		});

		test("a migration behind PostgREST's back: the same findings on every version, exit 1, nothing run", async () => {
			const item = await stack.setUp(counted, {version, schemas: 'public,api'});
			await item.query(migration);
			const {code, json} = await checkJson(item);
			assert.deepEqual(cacheRows(json), [...drift, 'cache.column_stale public members email'].sort());
			assert.equal(code, 1);
			assert.equal(json.postgrest.probeMethods.relationships.method, expectedMethods[version].relationships);
			// The new relations were probed; a relation OpenAPI lists was the positive control, a made-up name the negative.
			const {columns} = json.postgrest.probeMethods;
			assert.equal(columns.method, expectedMethods[version].columns);
			assert.deepEqual(
				columns.controls
					.filter((control: {method: string}) => control.method === columns.method)
					.map(({control, expected, read, passed}: Record<string, unknown>) => ({
						control,
						expected,
						read,
						passed,
					})),
				[
					{control: 'negative', expected: 'not cached', read: 'not cached', passed: true},
					{control: 'negative', expected: 'not cached', read: 'not cached', passed: true},
					{control: 'positive', expected: 'cached', read: 'cached', passed: true},
				]
			);
			assert.match(
				json.findings.find((found: {code: string}) => found.code === 'cache.function_signature').message,
				/member_count\(organization, active\) changed: PostgREST's schema cache still has public\.member_count\(organization\)/
			);
			assert.deepEqual(await sideEffects(item), []);

			const fixed = await runCli([
				'check',
				'--db-url',
				item.dbUrl,
				'--api-url',
				item.api.url,
				'--json',
				'--fix',
				'reload',
				'--yes',
			]);
			assert.equal(fixed.json.fixesApplied[0].ok, true, fixed.json.fixesApplied[0].message);
			assert.deepEqual(cacheRows(fixed.json), []);
			assert.equal(fixed.code, 0);
			const insert = await fetch(`${item.api.url}/organizations`, {
				method: 'POST',
				headers: {'content-type': 'application/json'},
				body: JSON.stringify({id: 1, name: 'Acme', created_by: 'ada'}),
			});
			assert.equal(insert.status, 201, 'the write that named the new column now succeeds');
			await item.query('delete from public.side_effects');
			assert.deepEqual(cacheRows((await checkJson(item)).json), []);
			assert.deepEqual(await sideEffects(item), []);
			await item.stop();
		});

		test('without OpenAPI every relation is probed: the same drift, except dropped columns, which only a listing shows', async () => {
			const item = await stack.setUp(counted, {version, schemas: 'public,api', openApiMode: 'disabled'});
			await item.query(migration);
			// With openapi-mode disabled GET / is 404 before the profile is read, so PostgREST cannot list its schemas.
			const {code, json} = await checkJson(item, '--schemas', 'public,api');
			assert.deepEqual(cacheRows(json), drift);
			assert.equal(code, 1);
			assert.deepEqual(await sideEffects(item), []);
			await item.stop();
		});

		test('explain of a truly stale column says cache.column_missing, and of a new function cache.function_missing', async () => {
			const item = await stack.setUp(counted, {version});
			await item.query(migration);
			const body = await (
				await fetch(`${item.api.url}/organizations`, {
					method: 'POST',
					headers: {'content-type': 'application/json'},
					body: JSON.stringify({id: 2, name: 'x', created_by: 'ada'}),
				})
			).text();
			assert.match(body, /PGRST204/);
			const column = await runCli(['explain', body, '--db-url', item.dbUrl, '--api-url', item.api.url, '--json']);
			assert.equal(column.json.verdict.code, 'cache.column_missing');
			assert.equal(column.code, 1);
			assert.equal(column.json.postgrest.probeMethods.columns.method, expectedMethods[version].columns);
			const rpc = await (
				await fetch(`${item.api.url}/rpc/invoice_total`, {
					method: 'POST',
					headers: {'content-type': 'application/json'},
					body: '{"invoice": 1}',
				})
			).text();
			assert.match(rpc, /PGRST202/);
			const fn = await runCli(['explain', rpc, '--db-url', item.dbUrl, '--api-url', item.api.url, '--json']);
			assert.equal(fn.json.verdict.code, 'cache.function_missing');
			assert.deepEqual(await sideEffects(item), []);
			await item.stop();
		});

		test('a gateway that answers every OPTIONS itself fails the control: relations are unverified, exit 2, never passing', async () => {
			const item = await stack.setUp(counted, {version, openApiMode: 'disabled'});
			await item.query(migration);
			// A CORS layer that answers preflights for every path: OPTIONS no longer says anything about the cache, and
			// every probed column method is made to look like a gateway error.
			const cors = await apiProxy(item.api.url, (incoming, response) => {
				if (incoming.method === 'OPTIONS' || incoming.url?.includes('columns=')) {
					response.writeHead(incoming.method === 'OPTIONS' ? 200 : 502, {allow: 'GET, POST, OPTIONS'}).end();
					return true;
				}
				return false;
			});
			try {
				const {code, json} = await checkJson({...item, api: {...item.api, url: cors.url}});
				assert.equal(code, 2);
				assert.equal(json.postgrest.probeMethods.tables.method, null);
				assert.deepEqual(json.postgrest.probeMethods.tables.controls[0], {
					method: 'options',
					control: 'negative',
					object: 'public.(a made-up name)',
					expected: 'not cached',
					read: 'cached',
					passed: false,
				});
				assert.equal(checkStatus(json, 'cache.tables'), 'fail');
				assert.equal(checkStatus(json, 'cache.columns'), 'fail');
				assert.match(
					json.findings.find((found: {code: string}) => found.code === 'cache.unverified').message,
					/because no probe method for relations passed its controls on this PostgREST \(options: public\.\(a made-up name\), which cannot exist, read as cached\)/
				);
				assert.ok(
					!findingRows(json).some((row: string) => /cache\.(table|column)_missing/.test(row)),
					'nothing is judged by a method that failed its controls'
				);
				assert.equal(checkStatus(json, 'cache.functions'), 'fail', 'the functions still differ');
			} finally {
				await cors.close();
			}
			assert.deepEqual(await sideEffects(item), []);
			await item.stop();
		});
	});
}

// What PostgreSQL could run for an insert, at each stage: row triggers, defaults, INSTEAD OF triggers on a view, and a
// policy whose function claims to be immutable, which the planner would fold. The invalid-body probe is refused while
// its parameter is bound, before any of these stages.
const everyStage = `${counted}
	create function public.counted_default() returns int language sql volatile security definer
		as $$ select public.count_effect('default'); select 1 $$;
	create function public.folded_check() returns boolean language sql immutable security definer
		as $$ select public.count_effect('policy folded while planning'); select true $$;
	create table public.guarded (id int, stamp int default public.counted_default());
	create trigger guarded_row before insert on public.guarded for each row execute function public.count_statement();
	alter table public.guarded enable row level security;
	create policy guarded_insert on public.guarded for insert with check (public.folded_check());
	create view public.guarded_view as select id from public.guarded;
	create trigger guarded_view_instead instead of insert on public.guarded_view for each row execute function public.count_statement();
	grant all on public.guarded, public.guarded_view to anon;
`;

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: every relation probed for columns, with defaults, row triggers, INSTEAD OF triggers and policies: nothing runs`, async () => {
		const item = await stack.setUp(everyStage, {version, openApiMode: 'disabled'});
		await item.query(
			'alter table public.guarded add column late text; create view public.guarded_late as select id from public.guarded'
		);
		const {json} = await checkJson(item);
		assert.equal(json.postgrest.probeMethods.columns.method, expectedMethods[version].columns);
		assert.ok(cacheRows(json).includes('cache.column_missing public guarded late'), cacheRows(json).join(', '));
		assert.ok(cacheRows(json).includes('cache.table_missing public guarded_late'));
		assert.deepEqual(await sideEffects(item), []);
		// The control: the same insert with a JSON body runs every stage.
		const insert = await fetch(`${item.api.url}/guarded?columns=id`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: '[{"id": 1}]',
		});
		assert.equal(insert.status, 201);
		const viewInsert = await fetch(`${item.api.url}/guarded_view?columns=id`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: '[{"id": 2}]',
		});
		assert.equal(viewInsert.status, 201);
		assert.deepEqual((await sideEffects(item)).sort(), [
			'BEFORE INSERT on guarded',
			'INSTEAD OF INSERT on guarded_view',
			'default',
			'policy folded while planning',
		]);
		await item.stop();
	});
}

test('on 11.2.2 the probes of 12.0.2 would read everything as cached (the control that rejects them)', async () => {
	const item = await stack.setUp(counted, {version: '11.2.2'});
	await item.query(migration);
	const accept = 'application/vnd.pgrst-doctor.probe-control';
	const headers = {'content-type': 'application/json', accept, prefer: 'handling=strict, pgrst-doctor-probe'};
	const column = await fetch(`${item.api.url}/organizations?columns=created_by`, {
		method: 'POST',
		headers,
		body: '[]',
	});
	const missing = await fetch(`${item.api.url}/pgrst_doctor_no_such_table?columns=id`, {
		method: 'POST',
		headers,
		body: '[]',
	});
	const fn = await fetch(`${item.api.url}/rpc/pgrst_doctor_no_such_function`, {method: 'POST', headers, body: '{}'});
	for (const answer of [column, missing, fn]) assert.match(await answer.text(), /PGRST107/);
	assert.deepEqual([column.status, missing.status, fn.status], [415, 415, 415]);
	assert.deepEqual(await sideEffects(item), []);
});
