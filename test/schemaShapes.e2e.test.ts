// Issue 10, point 5: every schema shape PostgREST serves, on the real PostgreSQL 18 and PostgREST 12.0.2 and 11.2.2.
// A fresh cache gives no finding but the missing trigger; then drift in each shape is named with its own code.
// Every function counts its calls in public.side_effects (as its owner), so a probe that ran one fails the test.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {test} from 'node:test';
import {foreignKeyStatements, type ForeignKey} from '../source/probes/foreignKeys.js';
import {foreignKeyKey} from '../source/objectKey.js';
import {parseSchemaCacheDump} from '../source/probes/schemaCacheDump.js';
import {findingRows} from './support/cli.js';
import {checkJson, useStack} from './support/e2e.js';
import type {Scenario} from './support/scenario.js';
import {authenticatorPassword, postgrestBinaries, postgrestVersions} from './support/stack.js';

const stack = useStack();

const arabic = 'تست';
const odd = 'odd @/\\#~ "q"';
const oddSql = '"odd @/\\#~ ""q"""';
const schemas = `public,${arabic},${odd}`;

// From PostgREST's documentation: functions (unnamed json/jsonb/text/xml/bytea bodies, variadic, defaults, overloads,
// set-returning, void), media type handlers, views, materialized views, foreign tables, partitioned tables, composite
// and domain types, foreign keys, and names with quotes, commas, spaces, @/\#~ and non-Latin scripts.
const rich = `
	create table public.side_effects (what text);
	create function public.count_effect(what text) returns void language sql security definer
		as 'insert into public.side_effects values (what)';
	create function public.raw_text(text) returns int
		language sql security definer as $$ select public.count_effect('raw_text'); select 1 $$;
	create function public.raw_xml(xml) returns int language sql security definer as $$ select public.count_effect('raw_xml'); select 1 $$;
	create function public.raw_bytea(bytea) returns int
		language sql security definer as $$ select public.count_effect('raw_bytea'); select 1 $$;
	create function public.raw_json(json) returns int
		language sql security definer as $$ select public.count_effect('raw_json'); select 1 $$;
	create function public.raw_jsonb(jsonb) returns int
		language sql security definer as $$ select public.count_effect('raw_jsonb'); select 1 $$;
	create function public.raw_mixed(text) returns int
		language sql security definer as $$ select public.count_effect('raw_mixed text'); select 1 $$;
	create function public.raw_mixed(a int, b int) returns int
		language sql security definer as $$ select public.count_effect('raw_mixed a b'); select 1 $$;
	create function public.with_json(jsonb) returns int
		language sql security definer as $$ select public.count_effect('with_json'); select 1 $$;
	create function public.with_json(id int) returns int
		language sql security definer as $$ select public.count_effect('with_json id'); select 1 $$;
	create function public.summed(variadic numbers int[]) returns int
		language sql security definer as $$ select public.count_effect('summed'); select 1 $$;
	create function public.defaulted(a int, b int default 2) returns int
		language sql security definer as $$ select public.count_effect('defaulted'); select 1 $$;
	create function public.overloaded(a int) returns int
		language sql security definer as $$ select public.count_effect('overloaded a'); select 1 $$;
	create function public.overloaded(a int, b text) returns int
		language sql security definer as $$ select public.count_effect('overloaded a b'); select 1 $$;
	create function public.several(n int) returns setof int
		language sql security definer as $$ select public.count_effect('several'); select 1 $$;
	create function public.nothing(n int) returns void language sql security definer as $$ select public.count_effect('nothing') $$;
	create function public.renamed_arguments(a int) returns int
		language sql security definer as $$ select public.count_effect('renamed_arguments'); select 1 $$;
	create type public.pair as (l int, r int);
	create domain public.positive as int check (value > 0);
	create function public.paired(p public.pair, n public.positive) returns public.pair
		language sql security definer as $$ select public.count_effect('paired'); select p $$;
	create domain "text/csv" as text;
	create function public.as_csv(n int) returns "text/csv"
		language sql security definer as $$ select public.count_effect('as_csv'); select 'a'::text $$;
	create table public.organizations (id int primary key, name text);
	create table public."Order, ""Items"" @/\\#~" ("Item, Id" int primary key, "qty ""x""" int, organization_id int
		references public.organizations (id));
	create function public."call, ""me"" @/\\#~"("the arg" int) returns int
		language sql security definer as $$ select public.count_effect('call me'); select 1 $$;
	create view public.organization_names as select id, name from public.organizations;
	create materialized view public.organization_counts as select count(*) as n from public.organizations;
	create extension file_fdw;
	create server files foreign data wrapper file_fdw;
	create foreign table public.outside (line text) server files options (filename '/dev/null', format 'text');
	create table public.events (id int, at date, organization_id int references public.organizations (id)) partition by range (at);
	create table public.events_2026 partition of public.events for values from ('2026-01-01') to ('2027-01-01');
	create table public.typed (id int primary key, p public.pair, n public.positive);
	create table public.members (id int primary key, organization_id int);
	create table public.departments (id int primary key, organization_id int references public.organizations (id));
	create table public.tree (id int primary key, up int references public.tree (id));
	create table public.profiles (id int primary key references public.organizations (id), bio text);
	-- A read that reached the database would run this policy for each row: the embedding probes must never execute.
	create function public.policy_hit() returns boolean
		language sql volatile security definer as $$ select public.count_effect('policy'); select true $$;
	insert into public.organizations values (1, 'one');
	insert into public.members values (1, 1);
	alter table public.members enable row level security;
	alter table public.organizations enable row level security;
	create policy seen on public.members using (public.policy_hit());
	create policy seen on public.organizations using (public.policy_hit());
	create schema "${arabic}";
	create table "${arabic}"."جدول" (id int primary key, "اسم" text);
	create table "${arabic}"."фирмы" (id int primary key, "جدول_id" int references "${arabic}"."جدول" (id));
	create function "${arabic}"."دالة"("معامل" int) returns int
		language sql security definer as $$ select public.count_effect('arabic'); select 1 $$;
	create schema ${oddSql};
	create table ${oddSql}."quoted ""t"", too" (id int primary key, "c, ""d""" text);
	grant usage on schema "${arabic}", ${oddSql} to anon;
	grant all on all tables in schema public, "${arabic}", ${oddSql} to anon;
	grant execute on all functions in schema public, "${arabic}", ${oddSql} to anon;
`;

for (const version of postgrestVersions) {
	let item: Scenario;
	const sideEffects = async () =>
		(await item.query('select what from public.side_effects')).map(row => String(row.what));

	test(`PostgREST ${version}: a fresh cache of every shape PostgREST serves: no finding but the missing trigger, exit 0, nothing ran`, async () => {
		item = await stack.setUp(rich, {schemas, version});
		const {code, json} = await checkJson(item);
		assert.deepEqual(findingRows(json), ['trigger.missing']);
		assert.equal(code, 0);
		for (const id of ['cache.tables', 'cache.columns', 'cache.functions', 'cache.relationships']) {
			assert.equal(
				(json.checks as Array<{id: string; status: string}>).find(check => check.id === id)?.status,
				'pass',
				id
			);
		}
		assert.deepEqual(await sideEffects(), []);
	});

	test(`PostgREST ${version}: the schema cache dump (the shape of admin /schema_cache) has a relationship for every foreign key the catalog query reads`, async () => {
		const dump = execFileSync(postgrestBinaries[version], ['--dump-schema'], {
			env: {
				PGRST_DB_URI: stack.pg.url(item.name, 'authenticator', authenticatorPassword),
				PGRST_DB_SCHEMAS: schemas,
				PGRST_DB_ANON_ROLE: 'anon',
			},
		});
		const cached = new Set(parseSchemaCacheDump(JSON.parse(dump.toString()))!.relationships);
		const keys = (await item.query(foreignKeyStatements[0]!, [schemas.split(',')])) as ForeignKey[];
		assert.deepEqual(
			keys.map(key => `${key.table} ${key.name}`).sort(),
			[
				'departments departments_organization_id_fkey',
				'events events_organization_id_fkey',
				'profiles profiles_id_fkey',
				'tree tree_up_fkey',
				'Order, "Items" @/\\#~ Order, "Items" @/\\#~_organization_id_fkey',
				'фирмы фирмы_جدول_id_fkey',
			].sort()
		);
		assert.deepEqual(
			keys.filter(key => !cached.has(foreignKeyKey(key))),
			[]
		);
	});

	test(`PostgREST ${version}: drift in each shape is named with its own code, in the non-Latin and quoted schemas too, and nothing ran`, async () => {
		await item.query(`
			alter table "${arabic}"."جدول" add column "جديد" text;
			alter table ${oddSql}."quoted ""t"", too" add column "new, ""e""" text;
			alter table public."Order, ""Items"" @/\\#~" add column "added col" int;
			alter table public.members add constraint members_organization foreign key (organization_id)
				references public.organizations (id);
			alter table public.departments rename to divisions;
			drop function public.renamed_arguments(int);
			create function public.renamed_arguments(b int) returns int
				language sql security definer as $$ select public.count_effect('renamed_arguments b'); select 1 $$;
			create function public.raw_text_late(text) returns int
				language sql security definer as $$ select public.count_effect('raw_text_late'); select 1 $$;
			create function public.with_json(name text) returns int
				language sql security definer as $$ select public.count_effect('with_json name'); select 1 $$;
			grant all on all tables in schema public to anon;
			grant execute on all functions in schema public to anon;
		`);
		const {code, json} = await checkJson(item);
		assert.deepEqual(findingRows(json), [
			`cache.column_missing ${odd} quoted "t", too new, "e"`,
			'cache.column_missing public Order, "Items" @/\\#~ added col',
			`cache.column_missing ${arabic} جدول جديد`,
			'cache.function_missing public raw_text_late',
			'cache.function_missing public with_json',
			'cache.function_signature public renamed_arguments',
			'cache.relationship_missing public members',
			'cache.table_missing public divisions',
			'cache.table_stale public departments',
			'trigger.missing',
		]);
		assert.equal(code, 1);
		assert.deepEqual(await sideEffects(), []);
		await item.query(`notify pgrst, 'reload schema'`);
		await new Promise(resolve => setTimeout(resolve, 1000));
		const healed = await checkJson(item);
		assert.deepEqual(findingRows(healed.json), ['trigger.missing']);
		assert.equal(healed.code, 0);
		assert.deepEqual(await sideEffects(), []);
		// The control: an ordinary embedding read does reach the policy (it cannot count in a read-only transaction).
		const read = await fetch(`${item.api.url}/members?select=id,organizations(id)`);
		assert.match(await read.text(), /read-only transaction/);
	});

	test(`PostgREST ${version}: a renamed table without foreign keys: its old name is seen where OpenAPI lists the cache as it is (openapi-mode ignore-privileges)`, async () => {
		const setup = 'create table public.plain_old (id int primary key); grant select on public.plain_old to anon;';
		const listed = await stack.setUp(setup, {openApiMode: 'ignore-privileges', version});
		const followed = await stack.setUp(setup, {version});
		for (const scenario of [listed, followed])
			await scenario.query('alter table public.plain_old rename to plain_new');
		assert.deepEqual(findingRows((await checkJson(listed)).json), [
			'cache.table_missing public plain_new',
			'cache.table_stale public plain_old',
			'trigger.missing',
		]);
		// follow-privileges lists only what the role may read now, so the old name is out of sight there.
		assert.deepEqual(findingRows((await checkJson(followed)).json), [
			'cache.table_missing public plain_new',
			'trigger.missing',
		]);
	});
}
