// Foreign keys asked in batches (embeddingBatches.ts) must read exactly as when each is asked alone. On a schema of
// many shapes (hubs, chains, several keys between the same two tables, a key from a table to itself, one-to-one and
// multi-column keys, partitions, a second schema), made stale in several ways at once, the diagnosis is run twice in
// this process, batched and one key to a request, against the real PostgREST 12.0.2 and 11.2.2: the relationships
// found cached and the ones left unverified must be the same.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {collectFacts} from '../source/collectFacts.js';
import {batchLimits} from '../source/probes/embeddingBatches.js';
import {parseChannel} from '../source/sql/channel.js';
import {databaseTarget, httpTarget} from '../source/target.js';
import {useStack} from './support/e2e.js';
import {postgrestVersions} from './support/stack.js';

const stack = useStack();

const shapes = `
	create schema api;
	create table public.users (id int primary key, manager int references public.users (id), name text);
	create table public.orgs (id int primary key, owner int references public.users (id), backup_owner int references public.users (id));
	create table public.profiles (id int primary key references public.users (id), bio text);
	create table public.pairs (a int, b int, primary key (a, b));
	create table public.pair_notes (id int primary key, a int, b int, foreign key (a, b) references public.pairs (a, b));
	create table public.events (id int, at date, user_id int references public.users (id), primary key (id, at)) partition by range (at);
	create table public.events_2026 partition of public.events for values from ('2026-01-01') to ('2027-01-01');
	do $$ begin
		for i in 1..20 loop
			execute format('create table public.item%s (id int primary key, org int references public.orgs (id), '
				'author int references public.users (id), prev int%s)',
				i, case when i > 1 then format(' references public.item%s (id)', i - 1) else '' end);
		end loop;
	end $$;
	create table api.accounts (id int primary key);
	create table api.sessions (id int primary key, account int references api.accounts (id), parent int references api.sessions (id));
	grant usage on schema api to anon;
	grant select, insert on all tables in schema public, api to anon;
`;

// Behind PostgREST's back: a key renamed mid-chain, a key added to a hub, a key added to a table PostgREST has not
// seen, a second key between two tables, a key dropped, and a one-to-one key added.
const migration = `
	alter table public.item7 rename constraint item7_prev_fkey to item7_previous;
	alter table public.item15 add column reviewer int constraint item15_reviewer references public.users (id);
	create table public.late (id int primary key, item int references public.item3 (id));
	grant select on public.late to anon;
	alter table public.orgs add column third_owner int references public.users (id);
	alter table public.item12 drop constraint item12_author_fkey;
	alter table public.profiles add column twin int unique references public.orgs (id);
	alter table api.sessions rename constraint sessions_account_fkey to sessions_of_account;
`;

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: foreign keys read the same in batches as one by one, on a fresh and on a stale cache`, async () => {
		const item = await stack.setUp(shapes, {version, schemas: 'public,api'});
		const diagnose = async (keys: number) => {
			const saved = batchLimits.keys;
			batchLimits.keys = keys;
			try {
				const facts = await collectFacts({
					database: databaseTarget(item.dbUrl),
					api: httpTarget(item.api.url, '--api-url'),
					schemas: ['public', 'api'],
					channel: parseChannel('pgrst'),
					timeoutMs: 10_000,
				});
				assert.ok(facts.cache, 'the cache was read');
				return {
					cached: [...(facts.cache.relationships ?? [])].sort(),
					unknown: facts.cache.unknown
						.filter(found => found.kind === 'relationship')
						.map(found => `${found.schema}.${found.name}: ${found.reason}`)
						.sort(),
					requests: facts.http?.requests ?? 0,
				};
			} finally {
				batchLimits.keys = saved;
			}
		};
		const fresh = [await diagnose(16), await diagnose(1)];
		assert.deepEqual(fresh[0]!.cached, fresh[1]!.cached);
		assert.deepEqual(fresh[0]!.unknown, fresh[1]!.unknown);
		assert.ok(fresh[0]!.cached.length >= 60, `${fresh[0]!.cached.length} keys cached`);
		assert.ok(
			fresh[0]!.requests < fresh[1]!.requests - 30,
			`batched ${fresh[0]!.requests} requests, alone ${fresh[1]!.requests}`
		);
		await item.query(migration);
		const stale = [await diagnose(16), await diagnose(1)];
		assert.deepEqual(stale[0]!.cached, stale[1]!.cached);
		assert.deepEqual(stale[0]!.unknown, stale[1]!.unknown);
		// Gone from the catalog: the dropped key and the old names of the two renamed ones; every other key still cached.
		assert.deepEqual(
			fresh[0]!.cached
				.filter(key => !stale[0]!.cached.includes(key))
				.map(key => key.split('\u0000')[2])
				.sort(),
			['item12_author_fkey', 'item7_prev_fkey', 'sessions_account_fkey']
		);
		const key = (schema: string, table: string, name: string, foreignTable: string) =>
			[schema, table, name, foreignTable].join('\u0000');
		for (const added of [
			key('public', 'item7', 'item7_previous', 'item6'),
			key('public', 'item15', 'item15_reviewer', 'users'),
			key('public', 'orgs', 'orgs_third_owner_fkey', 'users'),
			key('public', 'profiles', 'profiles_twin_fkey', 'orgs'),
			key('api', 'sessions', 'sessions_of_account', 'accounts'),
		]) {
			assert.ok(!stale[0]!.cached.includes(added), `${added} is not cached`);
		}
		assert.ok(
			stale[0]!.cached.includes(key('public', 'item8', 'item8_prev_fkey', 'item7')),
			'its neighbour in the chain still is'
		);
	});
}
