// Issue 10, point 5: relationships compared on the real PostgREST 12.0.2 and 11.2.2. Embedding probes stop while
// PostgREST plans the read: on 12.0.2 at the per-run Accept type, on 11.2.2 (which checks Accept before its cache)
// at a spread of a one-to-many embedding (PGRST119). Row-level policies count every row a read would touch, so a
// probe that reached the database fails the test.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {checkStatus, findingRows} from './support/cli.js';
import {checkJson, useStack} from './support/e2e.js';
import type {Scenario} from './support/scenario.js';
import {postgrestVersions} from './support/stack.js';

const stack = useStack();

const related = `
	create table public.side_effects (what text);
	create function public.policy_hit(what text) returns boolean language plpgsql volatile security definer
		as $$ begin insert into public.side_effects values (what); return true; end $$;
	create table public.organizations (id int primary key, name text);
	create table public.members (id int primary key, organization_id int);
	create table public.departments (id int primary key, organization_id int references public.organizations (id));
	create table public.tree (id int primary key, up int references public.tree (id));
	insert into public.organizations values (1, 'one');
	insert into public.members values (1, 1);
	insert into public.departments values (1, 1);
	insert into public.tree values (1, null), (2, 1);
	alter table public.organizations enable row level security;
	alter table public.members enable row level security;
	alter table public.departments enable row level security;
	alter table public.tree enable row level security;
	create policy seen on public.organizations using (public.policy_hit('organizations'));
	create policy seen on public.members using (public.policy_hit('members'));
	create policy seen on public.departments using (public.policy_hit('departments'));
	create policy seen on public.tree using (public.policy_hit('tree'));
	grant select, insert on all tables in schema public to anon;
`;

for (const version of postgrestVersions) {
	let item: Scenario;
	const sideEffects = async () =>
		(await item.query('select what from public.side_effects')).map(row => String(row.what));
	const relationshipRows = (json: unknown) =>
		findingRows(json).filter(row => row.startsWith('cache.relationship') || row.startsWith('cache.unverified'));

	test(`PostgREST ${version}: a fresh cache has every foreign key's relationship, and no probe read a row`, async () => {
		item = await stack.setUp(related, {version});
		const {json} = await checkJson(item);
		assert.deepEqual(relationshipRows(json), []);
		assert.equal(checkStatus(json, 'cache.relationships'), 'pass');
		assert.deepEqual(await sideEffects(), []);
	});

	test(`PostgREST ${version}: a foreign key added behind PostgREST's back is cache.relationship_missing until --fix reload`, async () => {
		await item.query(
			'alter table public.members add constraint members_organization foreign key (organization_id) ' +
				'references public.organizations (id)'
		);
		const embed = await fetch(`${item.api.url}/members?select=id,organizations(id)`);
		assert.equal(((await embed.json()) as {code: string}).code, 'PGRST200', 'the stale cache cannot embed');
		const {code, json} = await checkJson(item);
		assert.deepEqual(relationshipRows(json), ['cache.relationship_missing public members']);
		assert.equal(checkStatus(json, 'cache.relationships'), 'fail');
		assert.equal(code, 1);
		assert.deepEqual(await sideEffects(), []);
		const healed = await checkJson(item, '--fix', 'reload', '--yes');
		assert.equal(healed.json.fixesApplied[0].ok, true, 'the reload is proven by the relationship comparison');
		assert.deepEqual(relationshipRows(healed.json), []);
		assert.equal(checkStatus(healed.json, 'cache.relationships'), 'pass');
		assert.deepEqual(await sideEffects(), []);
		const after = await fetch(`${item.api.url}/members?select=id,organizations(id)`);
		assert.notEqual(
			((await after.json()) as {code?: string}).code,
			'PGRST200',
			'the embedding resolves after the reload'
		);
		// The control: an ordinary embedding read does reach the policies (which cannot count in a read-only transaction).
		const read = await fetch(`${item.api.url}/members?select=id,organizations(id)`);
		assert.match(await read.text(), /read-only transaction/);
	});
}

const oneToOne = `${related}
	create table public.profiles (id int primary key references public.organizations (id), bio text);
	create function public.statement_hit() returns trigger language plpgsql security definer
		as $$ begin insert into public.side_effects values ('statement ' || tg_op || ' on ' || tg_table_name); return null; end $$;
	create trigger hit before insert on public.profiles for each statement execute function public.statement_hit();
	create trigger hit_after after insert on public.profiles for each statement execute function public.statement_hit();
	alter table public.profiles enable row level security;
	create policy seen on public.profiles using (public.policy_hit('profiles')) with check (public.policy_hit('profiles check'));
	grant select, insert on public.profiles to anon;
`;

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: a one-to-one foreign key is compared too (11.2.2 would read a spread of it, so it is embedded into an insert PostgreSQL refuses): no row, no trigger, no policy`, async () => {
		const item = await stack.setUp(oneToOne, {version});
		const sideEffects = async () =>
			(await item.query('select what from public.side_effects')).map(row => String(row.what));
		const fresh = await checkJson(item);
		assert.equal(checkStatus(fresh.json, 'cache.relationships'), 'pass');
		assert.equal(fresh.code, 0);
		await item.query(
			'alter table public.profiles add column best_friend int unique references public.organizations (id)'
		);
		const stale = await checkJson(item);
		assert.deepEqual(
			findingRows(stale.json).filter(
				row => row.startsWith('cache.relationship') || row.startsWith('cache.unverified')
			),
			['cache.relationship_missing public profiles']
		);
		assert.equal(stale.code, 1);
		const methods = stale.json.postgrest.probeMethods as Record<string, {method: string} | undefined>;
		assert.equal(methods.oneToOneRelationships?.method, version === '11.2.2' ? 'embed-invalid-body' : undefined);
		assert.deepEqual(await sideEffects(), []);
		assert.equal((await item.query('select count(*)::int as n from public.profiles'))[0]!.n, 0);
	});
}

// Many keys are asked in few requests (embeddingBatches.ts): a chain of 24 tables and a hub that 10 tables reference.
// A batch proves only what reached the method's stop; a stale key anywhere in one sends its keys to one probe each,
// so the stale ones are found exactly, whichever batch they sat in.
const batched = `
	create table public.side_effects (what text);
	create function public.policy_hit(what text) returns boolean language plpgsql volatile security definer
		as $$ begin insert into public.side_effects values (what); return true; end $$;
	do $$ begin
		create table public.link1 (id int primary key);
		for i in 2..24 loop
			execute format('create table public.link%s (id int primary key, '
				'up int constraint link%s_up references public.link%s (id))', i, i, i - 1);
		end loop;
		create table public.hub (id int primary key);
		for i in 1..10 loop
			execute format('create table public.spoke%s (id int primary key, hub int references public.hub (id))', i);
		end loop;
		for i in 1..24 loop
			execute format('alter table public.link%s enable row level security', i);
			execute format('create policy seen on public.link%s using (public.policy_hit(%L))', i, 'link' || i);
		end loop;
	end $$;
	grant select, insert on all tables in schema public to anon;
`;

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: 33 foreign keys are compared in a handful of requests, and stale ones inside a batch are still named`, async () => {
		const item = await stack.setUp(batched, {version});
		const sideEffects = async () =>
			(await item.query('select what from public.side_effects')).map(row => String(row.what));
		const relationships = (json: Awaited<ReturnType<typeof checkJson>>['json']) =>
			findingRows(json).filter(row => row.startsWith('cache.relationship') || row.startsWith('cache.unverified'));
		const fresh = await checkJson(item);
		assert.equal(checkStatus(fresh.json, 'cache.relationships'), 'pass');
		assert.equal(fresh.code, 0);
		// 23 chain keys and 10 spokes: one probe each would be 33 requests on top of the rest.
		const {json: one} = await checkJson(item, '--schemas', 'public');
		assert.ok(one.postgrest.requests < 25, `${one.postgrest.requests} requests`);
		// Renamed in the middle of the chain (embedding by the new name fails until a reload), and a new key at its end.
		await item.query('alter table public.link12 rename constraint link12_up to link12_parent');
		await item.query(
			'alter table public.link24 add column side int constraint link24_side references public.hub (id)'
		);
		const stale = await checkJson(item);
		assert.deepEqual(relationships(stale.json), [
			'cache.relationship_missing public link12',
			'cache.relationship_missing public link24',
		]);
		assert.equal(stale.code, 1);
		const healed = await checkJson(item, '--fix', 'reload', '--yes');
		assert.deepEqual(relationships(healed.json), []);
		assert.equal(healed.json.exitCode, 0);
		assert.deepEqual(await sideEffects(), [], 'no probe read a row');
	});
}
