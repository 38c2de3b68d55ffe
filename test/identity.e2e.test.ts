// Issue 9, case 12: a session that only calls itself PostgREST is not taken for PostgREST. A low-privileged role
// connects as 'PostgREST 12.0.2' and runs LISTEN pgrst, against the real PostgreSQL 18 and PostgREST 12.0.2.
import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import pg from 'pg';
import {postgrestView} from '../source/checks/postgrestSessions.js';
import type {Session} from '../source/probes/database.js';
import {checkStatus, findingRows, runCli, type JsonDocument} from './support/cli.js';
import {checkJson, useStack} from './support/e2e.js';
import {appSchema} from './support/scenario.js';

const stack = useStack();
const impostors: pg.Client[] = [];
after(async () => Promise.all(impostors.map(async client => client.end())));

/** The impostor's session, left idle after its LISTEN, exactly as PostgREST's listener looks. */
async function impostor(database: string): Promise<number> {
	await stack.pg.query(
		`do $$ begin if not exists (select from pg_roles where rolname = 'impostor') then create role ` +
			`impostor login password 'impostor-pw'; end if; end $$`
	);
	const client = new pg.Client({
		connectionString: stack.pg.url(database, 'impostor', 'impostor-pw'),
		application_name: 'PostgREST 12.0.2',
	});
	await client.connect();
	impostors.push(client);
	const [row] = (await client.query<{pid: number}>('select pg_backend_pid() as pid')).rows;
	await client.query('listen pgrst');
	return row!.pid;
}

const summary = (json: JsonDocument, id: string): string =>
	json.checks.find((check: {id: string}) => check.id === id).summary;

test('an impostor in a database no PostgREST serves: api.database and listener.present do not pass', async () => {
	const served = await stack.setUp();
	const lonely = await stack.setUp(appSchema, {apiDatabase: served.name});
	await impostor(lonely.name);

	const asked = await checkJson(lonely);
	assert.equal(checkStatus(asked.json, 'api.database'), 'fail');
	assert.ok(findingRows(asked.json).includes('api.other_database'));
	assert.match(
		asked.json.findings.find((found: {code: string}) => found.code === 'api.other_database').message,
		new RegExp(`connected to database ${served.name} \\(it ran pgrst-doctor's request there as role authenticator`)
	);
	assert.notEqual(checkStatus(asked.json, 'listener.present'), 'pass');
	assert.notEqual(asked.code, 0);

	const unasked = await runCli(['check', '--db-url', lonely.dbUrl, '--json']);
	assert.equal(checkStatus(unasked.json, 'api.database'), 'warn');
	assert.match(
		summary(unasked.json, 'api.database'),
		/1 session in \w+ claims to be PostgREST \(PostgREST 12\.0\.2, role impostor\), unconfirmed: no --api-url was given/
	);
	assert.equal(checkStatus(unasked.json, 'listener.present'), 'warn');
	assert.match(
		summary(unasked.json, 'listener.present'),
		/PostgREST 12\.0\.2 listens on "pgrst" .* but pgrst-doctor could not confirm it is PostgREST's: no --api-url was given/
	);
});

test('a database without tables while PostgREST serves another: not confirmed, so no stale verdict and no reload, exit 2', async () => {
	const served = await stack.setUp();
	const empty = await stack.setUp('select 1', {apiDatabase: served.name});
	const asked = await checkJson(empty);
	assert.equal(checkStatus(asked.json, 'api.database'), 'fail');
	const found = asked.json.findings.find((one: {code: string}) => one.code === 'api.database_unconfirmed');
	assert.match(
		found.message,
		new RegExp(
			`No PostgREST session is in database ${empty.name}, sessions calling themselves PostgREST are ` +
				`in [^]*${served.name}[^]*schema public has no table to ask PostgREST about`
		)
	);
	assert.match(
		found.suggestion,
		new RegExp(`most likely ${served.name}|Point --db-url at the database in PostgREST's db-uri`)
	);
	assert.ok(!findingRows(asked.json).some(code => code.startsWith('cache.')), findingRows(asked.json).join(', '));
	assert.deepEqual(
		asked.json.fixes.map((fix: {id: string}) => fix.id).filter((id: string) => id === 'reload'),
		[]
	);
	assert.equal(asked.code, 2);
});

test('a real PostgREST still passes both, and an impostor beside it is not counted', async () => {
	const item = await stack.setUp();
	const alone = await checkJson(item);
	assert.equal(checkStatus(alone.json, 'api.database'), 'pass');
	assert.match(
		summary(alone.json, 'api.database'),
		/PostgREST ran pgrst-doctor's request in \w+ as role authenticator from 127\.0\.0\.1 \(PostgREST 12\.0\.2\); 2 sessions of it here/
	);
	assert.equal(checkStatus(alone.json, 'listener.present'), 'pass');

	const pid = await impostor(item.name);
	const beside = await checkJson(item);
	assert.equal(checkStatus(beside.json, 'api.database'), 'pass');
	assert.match(
		summary(beside.json, 'api.database'),
		/2 sessions of it here/,
		"the impostor is not one of PostgREST's sessions"
	);
	assert.equal(checkStatus(beside.json, 'listener.present'), 'pass');
	assert.doesNotMatch(summary(beside.json, 'listener.present'), new RegExp(`pid ${pid}\\)`));
});

test("a doctor role that cannot see other sessions' activity cannot confirm PostgREST, and says so", async () => {
	const item = await stack.setUp();
	await stack.pg.query(
		`do $$ begin if not exists (select from pg_roles where rolname = 'doctor_reader') then create ` +
			`role doctor_reader login password 'reader-pw'; end if; end $$`
	);
	const url = item.dbUrl.replace(/postgres:[^@]+@/, 'doctor_reader:reader-pw@');
	const {json} = await runCli(['check', '--db-url', url, '--api-url', item.api.url, '--json']);
	assert.equal(checkStatus(json, 'api.database'), 'warn');
	assert.match(
		summary(json, 'api.database'),
		/claim to be PostgREST .*unconfirmed: role doctor_reader cannot see other sessions' activity \(GRANT pg_read_all_stats TO doctor_reader;\)/
	);
	assert.notEqual(checkStatus(json, 'listener.present'), 'pass');
});

test('an impostor listening beside a PostgREST that does not listen: listener.present fails', async () => {
	const item = await stack.setUp(appSchema, {channelEnabled: false});
	await impostor(item.name);
	const {json} = await checkJson(item);
	assert.equal(checkStatus(json, 'api.database'), 'pass');
	assert.equal(checkStatus(json, 'listener.present'), 'fail');
	assert.ok(findingRows(json).includes('listener.missing'), findingRows(json).join(', '));
});

test('the request PostgREST is asked to run is only parsed: no policy, function or plan runs', async () => {
	// The first table the doctor would pick, guarded by a policy whose immutable function PostgreSQL would already
	// call while planning. PostgREST reads in a read-only transaction, so the function shows that it ran by failing.
	const item = await stack.setUp(`${appSchema}
		create function public.policy_effect() returns boolean language plpgsql immutable
			as $$ begin raise exception 'the policy function ran'; end $$;
		create table public.aaa_guarded (id int);
		alter table public.aaa_guarded enable row level security;
		create policy everyone on public.aaa_guarded using (public.policy_effect());
		grant select on public.aaa_guarded to anon;
	`);
	const {json} = await checkJson(item);
	assert.equal(
		checkStatus(json, 'api.database'),
		'pass',
		'both requests were rejected while parsing, before the policy'
	);
	assert.match(summary(json, 'api.database'), /as role authenticator/);
	assert.match(
		item.api.logs(),
		/"GET \/aaa_guarded\?select=pgrst_doctor_[0-9a-f]{16}&limit=0 HTTP\/1\.1" 400/,
		'the guarded table was the one asked about'
	);
	const control = await fetch(`${item.api.url}/aaa_guarded?limit=0`);
	assert.match(
		await control.text(),
		/the policy function ran/,
		'a request PostgreSQL plans does run it, even with limit=0'
	);
});

test('postgrestView: a confirmed identity keeps its role, database and application name; otherwise claimants, unconfirmed', () => {
	const session = (pid: number, user: string, database: string, applicationName: string, query = ''): Session => ({
		pid,
		user,
		database,
		applicationName,
		query,
		state: 'idle',
		clientAddress: null,
	});
	const sessions = [
		session(1, 'authenticator', 'app', 'PostgREST 12.0.2'),
		session(2, 'authenticator', 'app', 'PostgREST 12.0.2', 'LISTEN "pgrst"'),
		session(3, 'impostor', 'app', 'PostgREST 12.0.2', 'LISTEN "pgrst"'),
		session(4, 'authenticator', 'other', 'PostgREST 12.0.2'),
		session(5, 'authenticator', 'app', 'psql'),
	];
	const confirmed = postgrestView(sessions, {
		confirmed: true,
		user: 'authenticator',
		database: 'app',
		applicationName: 'PostgREST 12.0.2',
		clientAddress: null,
	});
	assert.deepEqual(
		confirmed.sessions.map(item => item.pid),
		[1, 2]
	);
	assert.equal(confirmed.confirmed, true);
	const claimed = postgrestView(sessions, {confirmed: false, reason: 'not asked'});
	assert.deepEqual(
		claimed.sessions.map(item => item.pid),
		[1, 2, 3, 4]
	);
	assert.deepEqual(claimed.confirmed ? '' : claimed.reason, 'not asked');
});
