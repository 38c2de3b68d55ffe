// The quick proof of a reload (issue 14: a heal confirmed within PostgREST's own reload time), on real PostgreSQL 18
// and PostgREST 12.0.2 and 11.2.2. Each of its parts is shown able to say no: the recheck of the objects that
// differed reads them stale before the reload and settled after it, the catalogs' fingerprint moves with every kind of
// change the doctor compares (and not with what it does not), and a finding it cannot recheck leaves the proof to the
// full diagnoses.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {diagnose} from '../source/index.js';
import {openDatabase} from '../source/probes/database.js';
import {apiRequests} from '../source/probes/http.js';
import {
	canRecheck,
	type CatalogFingerprint,
	catalogFingerprint,
	findingsSettled,
	readCatalogState,
} from '../source/probes/recheck.js';
import {fingerprintNow, startQuickProof} from '../source/fixes/quickProof.js';
import {openSession} from '../source/probes/session.js';
import {databaseNow, waitForReload} from '../source/probes/reloadObserver.js';
import {runCli} from './support/cli.js';
import {checkJson, useStack, waitFor} from './support/e2e.js';
import {atFirstRequestAfterReload} from './support/reloadListener.js';
import {appSchema, type Scenario} from './support/scenario.js';
import {postgrestVersions} from './support/stack.js';

const stack = useStack();

const schema = `${appSchema}
	create table public.legacy (id int primary key, organization_id int references public.organizations (id), note text);
	create table public.projects (id int primary key, title text, owner_id int, obsolete text);
	grant select, insert, update, delete on public.legacy, public.projects to anon;`;

// One migration PostgREST does not hear, with a difference of each kind the quick proof rechecks. (A table renamed is
// seen stale by its foreign key's name; one dropped is not seen on 12.0.2, whose OpenAPI lists only live tables.)
const migration = `
	alter table public.organizations add column created_by text;
	alter table public.projects drop column obsolete;
	create table public.invoices (id int primary key, total numeric);
	grant select, insert, update, delete on public.invoices to anon;
	alter table public.legacy rename to archive;
	create function public.invoice_total(invoice int) returns numeric language sql stable as 'select 1::numeric';
	grant execute on function public.invoice_total(int) to anon;
	alter table public.projects add constraint projects_owner_fkey foreign key (owner_id) references public.members (id);`;

const quickWords =
	/every object that differed now reads as the database has it, and the catalogs did not change meanwhile/;

type Fix = {id: string; ok: boolean; verified: boolean | null; message: string; durationMs: number};
type Json = {
	exitCode: number;
	findings: Array<{code: string}>;
	before: {findings: Array<{code: string}>};
	fixesApplied: Fix[];
};

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: --fix reload is proved by rechecking what differed, and the report still ends with a full diagnosis`, async () => {
		const item = await stack.setUp(schema, {version});
		await item.query(migration);
		const {code, json} = (await checkJson(item, '--fix', 'reload', '--yes')) as {code: number; json: Json};
		const before = json.before.findings.map(found => found.code).sort();
		for (const kind of ['column_missing', 'column_stale', 'table_missing', 'table_stale', 'function_missing'])
			assert.ok(before.includes(`cache.${kind}`), `before: ${before.join(', ')}`);
		assert.ok(before.includes('cache.relationship_missing'), `before: ${before.join(', ')}`);
		const [fix] = json.fixesApplied;
		assert.equal(fix!.verified, true, fix!.message);
		assert.match(fix!.message, quickWords);
		// The full diagnosis after the fix agrees: no cache finding is left.
		assert.deepEqual(
			json.findings.filter(found => found.code.startsWith('cache.')),
			[],
			JSON.stringify(json.findings)
		);
		assert.equal(code, 0);
	});

	test(`PostgREST ${version}: the recheck reads each difference as it is: unsettled before the reload, settled after it`, async () => {
		const item = await stack.setUp(schema, {version});
		await item.query(migration);
		const before = await diagnose({database: item.dbUrl, api: item.api.url});
		const cache = before.findings.filter(found => found.code.startsWith('cache.'));
		assert.ok(cache.length >= 7 && canRecheck(before.findings), JSON.stringify(cache.map(found => found.key)));
		const database = await openDatabase(item.dbUrl, 10_000);
		try {
			const state = await readCatalogState(database, before.schemas.names);
			const target = apiRequests(item.api.url, {timeoutMs: 10_000});
			// Each finding alone: the recheck must say "not yet" for every kind, not only for the set.
			for (const found of cache)
				assert.equal(
					await findingsSettled(target, before.postgrest.version, state, [found]),
					false,
					`${found.key} read settled before any reload`
				);
			await item.query(`notify pgrst, 'reload schema'`);
			await waitFor(async () => findingsSettled(target, before.postgrest.version, state, cache));
			for (const found of cache)
				assert.equal(await findingsSettled(target, before.postgrest.version, state, [found]), true, found.key);
		} finally {
			await database.close();
		}
	});
}

test('the catalogs fingerprint moves with every change the doctor compares, and not with what it does not compare', async () => {
	const item = await stack.setUp(`${schema}
		create schema other;
		create role fingerprint_member;
		create materialized view public.totals as select 1 as total;`);
	const database = await openSession({connectionString: item.dbUrl, timeoutMs: 10_000});
	const fingerprint = async () => catalogFingerprint(database, ['public']);
	try {
		const changes = [
			'alter table public.organizations add column created_by text',
			'alter table public.organizations rename column created_by to author',
			'alter table public.organizations drop column author',
			'alter table public.organizations alter column name drop not null',
			'create table public.invoices (id int primary key)',
			'alter table public.invoices rename to bills',
			'drop table public.bills',
			'create view public.member_emails as select email from public.members',
			'create or replace view public.member_emails as select email, id from public.members',
			'grant select on public.member_emails to anon',
			'revoke select on public.member_emails from anon',
			'grant select (email) on public.members to authenticated',
			'create function public.total(a int) returns int language sql as $$select a$$',
			'drop function public.total(int)',
			'alter table public.members add constraint members_email_key unique (email)',
			'alter table public.members drop constraint members_email_key',
			'grant fingerprint_member to anon',
			'grant usage on schema public to fingerprint_member',
			'alter table public.legacy set schema other',
		];
		for (const change of changes) {
			const was = await fingerprint();
			await item.query(change);
			const now = await fingerprint();
			assert.notEqual(now.versions, was.versions, change);
			// The contents leave role memberships out (they are the whole server's).
			if (change.startsWith('grant fingerprint_member')) assert.equal(now.contents, was.contents, change);
			else assert.notEqual(now.contents, was.contents, change);
		}
		// Not migrations: a relation's new file is a new pg_class row version, and roles belong to the whole server. The
		// row versions move (the quick proof then falls back to full diagnoses: time, not truth); the contents do not
		// (a survivor is still one).
		const notMigrations = [
			'truncate public.members cascade',
			'refresh materialized view public.totals',
			'vacuum full public.projects',
			'create role elsewhere_member in role anon',
		];
		for (const change of notMigrations) {
			const was = await fingerprint();
			await item.query(change);
			const now = await fingerprint();
			assert.notEqual(now.versions, was.versions, change);
			assert.equal(now.contents, was.contents, change);
		}
		const unchanged = [
			'vacuum public.members',
			'analyze public.organizations',
			'create table other.elsewhere (id int)',
			'alter table other.legacy add column more text',
			'insert into public.organizations values (1, $$a$$)',
			'begin; create table public.rolled_back (id int); rollback',
		];
		for (const change of unchanged) {
			const was = await fingerprint();
			await item.query(change);
			assert.deepEqual(await fingerprint(), was, change);
		}
		// A temporary table lives in the session's own schema.
		const was = await fingerprint();
		await item.query('create temporary table scratch (id int); drop table scratch');
		assert.deepEqual(await fingerprint(), was, 'a temporary table');
	} finally {
		await database.end();
	}
});

test('a difference the quick proof cannot recheck (a function with other arguments) leaves the proof to the full diagnoses', async () => {
	const item = await stack.setUp(schema);
	await item.query(`drop function public.member_count(int);
		create function public.member_count(org int) returns bigint language sql stable as 'select 1::bigint';
		grant execute on function public.member_count(int) to anon;`);
	const {json} = (await checkJson(item, '--fix', 'reload', '--yes')) as {code: number; json: Json};
	assert.deepEqual(
		json.before.findings.filter(found => found.code.startsWith('cache.')).map(found => found.code),
		['cache.function_signature']
	);
	const [fix] = json.fixesApplied;
	assert.equal(fix!.verified, true, fix!.message);
	assert.match(fix!.message, /^PostgREST's cache matches the database \d+ ms after/);
	assert.doesNotMatch(fix!.message, quickWords);
});

test('PostgREST 12.0.2: the quick proof says no when the catalogs changed after its fingerprint, though every difference reads settled', async () => {
	const item = await stack.setUp(schema);
	await item.query('alter table public.organizations add column created_by text');
	const before = await diagnose({database: item.dbUrl, api: item.api.url});
	assert.deepEqual(
		before.findings.filter(found => found.code.startsWith('cache.')).map(found => found.key),
		['cache.column_missing:public.organizations.created_by']
	);
	const session = {connectionString: item.dbUrl, timeoutMs: 10_000};
	const fingerprint = await fingerprintNow(session, before.schemas.names);
	// A change after the fingerprint was read: the reload below loads it too, so the doctor cannot know the cache
	// it sees came from the catalog it will compare with.
	await item.query('alter table public.members add column nickname text');
	await item.query(`notify pgrst, 'reload schema'`);
	const target = apiRequests(item.api.url, {timeoutMs: 10_000});
	const proof = async (known: CatalogFingerprint) => {
		const quick = startQuickProof(session, target, before, known);
		try {
			return await quick.prove(AbortSignal.timeout(10_000));
		} finally {
			await quick.close();
		}
	};
	const settledNow = async () => {
		const probe = await openDatabase(item.dbUrl, 10_000);
		try {
			return await findingsSettled(
				target,
				before.postgrest.version,
				await readCatalogState(probe, ['public']),
				before.findings
			);
		} finally {
			await probe.close();
		}
	};
	await waitFor(settledNow);
	assert.equal(await proof(fingerprint), false, 'proved on a fingerprint from before a change');
	assert.equal(
		await proof(await fingerprintNow(session, before.schemas.names)),
		true,
		'not proved on the current one'
	);
});

// Found by a tester: a transaction keeps the xid it first wrote with, so its rewrites can carry an xmin older than the
// rows they replace, and a sum of xmin can stay the same across a committed change. Built here exactly: t2's xmin is
// chosen so that one transaction renaming t1 and t2 leaves the sum of their xmin where it was.
test('the fingerprint moves when a change leaves the sum of xmin where it was', async () => {
	const item = await stack.setUp(schema);
	const xid = async () => Number((await item.query('select txid_current()::text as x'))[0]!.x);
	const xmin = async (table: string) =>
		Number(
			(await item.query(`select xmin::text as x from pg_class where oid = 'public.${table}'::regclass`))[0]!.x
		);
	const holder = await openSession({connectionString: item.dbUrl, timeoutMs: 10_000});
	const reader = await openSession({connectionString: item.dbUrl, timeoutMs: 10_000});
	try {
		await item.query('create table public.t1 (id int)');
		const first = await xmin('t1');
		// A few xids between t1 and the held one, so that the xid t2 must get is still ahead.
		for (let burnt = 0; burnt < 5; burnt++) await xid();
		await holder.query('begin');
		const held = Number(
			(await holder.query<{x: string}>('select pg_catalog.txid_current()::text as x')).rows[0]!.x
		);
		// Each autocommit txid_current() takes one xid: stop one short of the xid t2 must get.
		while ((await xid()) < 2 * held - first - 1);
		await item.query('create table public.t2 (id int)');
		const second = await xmin('t2');
		assert.equal(first + second, 2 * held, 'the construction: t1 and t2 average to the held xid');
		const before = await catalogFingerprint(reader, ['public']);
		await holder.query('alter table public.t1 rename to t1_renamed; alter table public.t2 rename to t2_renamed');
		await holder.query('commit');
		assert.equal(
			(await xmin('t1_renamed')) + (await xmin('t2_renamed')),
			first + second,
			'the sum of xmin is kept'
		);
		assert.notEqual((await catalogFingerprint(reader, ['public'])).versions, before.versions);
	} finally {
		await holder.end();
		await reader.end();
	}
});

// Found by a tester: with default_transaction_isolation = 'repeatable read' a fingerprint read inside the proof's
// read-only transaction saw that transaction's first snapshot, so no change after it could move the fingerprint.
test('PostgREST 12.0.2, repeatable read by default: a change after the proof read its catalog still moves the fingerprint', async () => {
	const item = await stack.setUp(schema);
	await item.query(`alter database ${item.name} set default_transaction_isolation = 'repeatable read'`);
	await item.query('alter table public.organizations add column created_by text');
	const before = await diagnose({database: item.dbUrl, api: item.api.url});
	const session = {connectionString: item.dbUrl, timeoutMs: 10_000};
	const quick = startQuickProof(
		session,
		apiRequests(item.api.url, {timeoutMs: 10_000}),
		before,
		await fingerprintNow(session, before.schemas.names)
	);
	try {
		await item.query(`notify pgrst, 'reload schema'`);
		// Proved once: the proof's catalog is read and its transaction's snapshot taken.
		await waitFor(async () => quick.prove(AbortSignal.timeout(10_000)));
		await item.query('create table public.late (id int primary key); grant select on public.late to anon');
		assert.equal(await quick.prove(AbortSignal.timeout(10_000)), false);
	} finally {
		await quick.close();
	}
});

/** A migration PostgREST does not hear, made by the proxy at the first request after a reload. */
const lateTable = (item: Scenario) => async () => {
	await item.query('create table public.late (id int primary key); grant select on public.late to anon');
	return false;
};

// Found by a tester: a migration committed after PostgREST's reload made the two diagnoses after it agree, and the fix
// called the difference "not a stale cache" (survived a proven reload). It is a stale cache: another reload clears it.
test('PostgREST 12.0.2: a migration committed during --fix reload is reloaded again, never called a difference that survived', async () => {
	const item = await stack.setUp(schema);
	await item.query('alter table public.organizations add column created_by text');
	// The first request after the NOTIFY comes once PostgREST has reloaded: the migration lands after that load.
	const proxy = await atFirstRequestAfterReload(item, lateTable(item));
	try {
		const {code, json} = (await runCli([
			'check',
			'--db-url',
			item.dbUrl,
			'--api-url',
			proxy.url,
			'--json',
			'--fix',
			'reload',
			'--yes',
			'--timeout',
			'2',
		])) as {code: number; json: Json};
		assert.ok(proxy.acted());
		const [fix] = json.fixesApplied;
		assert.doesNotMatch(fix!.message, /survived/);
		assert.equal(fix!.ok, true, fix!.message);
		// Asked again at once, not after the attempt's time (--timeout) was waited out.
		assert.match(fix!.message, /then a migration changed the catalogs: asked again\)/);
		assert.ok(fix!.durationMs < 2000, `${fix!.durationMs} ms`);
		assert.equal(proxy.reloads(), 2, 'a second NOTIFY');
		assert.deepEqual(
			json.findings.filter(found => found.code.startsWith('cache.')),
			[]
		);
		assert.equal(code, 0);
	} finally {
		await proxy.close();
	}
});

// Found by a tester: a reload that began before the request and was still running (here waiting on a lock) counted
// as a reload after it, because its last statements started after; its first ones read the catalog as it was before.
test('PostgREST 12.0.2: a reload that began before the request is not one after it, though its last statements start after', async () => {
	const item = await stack.setUp(`${schema}
		create view public.lockme as select id from public.organizations;
		grant select on public.lockme to anon;`);
	const locker = await openSession({connectionString: item.dbUrl, timeoutMs: 10_000});
	const watcher = await openSession({connectionString: item.dbUrl, timeoutMs: 10_000});
	try {
		await locker.query('begin');
		await locker.query('lock table public.lockme in access exclusive mode');
		await item.query(`notify pgrst, 'reload schema'`);
		// PostgREST's load waits on the lock, inside its transaction.
		const waiting = `select count(*)::int as n from pg_stat_activity
			where application_name ilike 'postgrest%' and wait_event_type = 'Lock'`;
		await waitFor(async () => (await item.query(waiting))[0]!.n !== 0);
		const since = await databaseNow(watcher);
		await locker.query('rollback');
		assert.equal((await waitForReload(watcher, since, 2000)).observed, false);
		// The control: a reload asked for after the moment is seen.
		const later = await databaseNow(watcher);
		await item.query(`notify pgrst, 'reload schema'`);
		assert.equal((await waitForReload(watcher, later, 5000)).observed, true);
	} finally {
		await locker.end();
		await watcher.end();
	}
});

test('PostgREST 12.0.2: `wait` with a migration committed after its reload keeps waiting, never calls the difference a survivor', async () => {
	const item = await stack.setUp(schema);
	await item.query('alter table public.organizations add column created_by text');
	const proxy = await atFirstRequestAfterReload(item, lateTable(item));
	try {
		const {code, json} = (await runCli([
			'wait',
			'--db-url',
			item.dbUrl,
			'--api-url',
			proxy.url,
			'--json',
			'--timeout',
			'4',
		])) as {code: number; json: {waited: {healed: boolean; durationMs: number; survivedReload?: unknown}}};
		assert.ok(proxy.acted());
		// Nothing reloads PostgREST again (no trigger here), so the gate stays shut until its time is up.
		assert.equal(json.waited.healed, false);
		assert.equal(json.waited.survivedReload, undefined);
		assert.ok(json.waited.durationMs >= 3500, `gave up after ${json.waited.durationMs} ms`);
		assert.equal(code, 1);
	} finally {
		await proxy.close();
	}
});
