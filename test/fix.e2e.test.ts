// Fixes that heal, proven on real PostgreSQL and PostgREST 12.0.2 and 11.2.2: reload, trigger install/uninstall, sql, wait.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import pg from 'pg';
import {findingRows, runCli} from './support/cli.js';
import {checkJson, useStack, waitFor} from './support/e2e.js';
import {appSchema} from './support/scenario.js';
import {postgrestVersions} from './support/stack.js';

const stack = useStack();

const fix = async (item: {dbUrl: string; api: {url: string}}, ...flags: string[]) =>
	runCli(['check', '--db-url', item.dbUrl, '--api-url', item.api.url, '--json', '--fix', ...flags]);

const doctorObjects = async (query: (sql: string) => Promise<Array<Record<string, unknown>>>) =>
	(
		await query(`select evtname as name from pg_event_trigger where evtname like 'pgrst_doctor%'
		union all select proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'pgrst_doctor'
		union all select nspname from pg_namespace where nspname = 'pgrst_doctor' order by 1`)
	).map(row => row.name);

const postCreatedBy = async (url: string) =>
	(
		await fetch(`${url}/organizations`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: JSON.stringify({id: Math.floor(Math.random() * 1e9), name: 'Acme', created_by: 'ada'}),
		})
	).status;

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: --fix reload without --yes writes nothing and exits 1; with --yes it heals, and the failing POST succeeds`, async () => {
		const item = await stack.setUp(appSchema, {version});
		await item.query('alter table public.organizations add column created_by text');
		assert.equal(await postCreatedBy(item.api.url), 400, 'PGRST204 before the fix');

		const dry = await fix(item, 'all');
		assert.equal(dry.code, 1);
		assert.deepEqual(
			dry.json.fixesPlanned.map((planned: {id: string}) => planned.id),
			['reload', 'trigger']
		);
		assert.match(dry.json.fixesPlanned[1].dryRun, /would succeed/);
		assert.deepEqual(await doctorObjects(item.query), [], 'the dry run left nothing behind');
		assert.equal(await postCreatedBy(item.api.url), 400, 'and did not reload');

		const {code, json} = await fix(item, 'reload', '--yes');
		assert.equal(code, 0);
		assert.equal(json.fixesApplied.length, 1);
		assert.deepEqual(
			{id: json.fixesApplied[0].id, ok: json.fixesApplied[0].ok, verified: json.fixesApplied[0].verified},
			{id: 'reload', ok: true, verified: true}
		);
		assert.ok(json.fixesApplied[0].durationMs >= 0);
		assert.ok(findingRows(json.before).includes('cache.column_missing public organizations created_by'));
		assert.deepEqual(findingRows(json), ['trigger.missing']);
		assert.equal(await postCreatedBy(item.api.url), 201, 'the write that failed with PGRST204 now succeeds');
	});

	test(`PostgREST ${version}: when NOTIFY cannot reach PostgREST, the reload escalates to SIGUSR1 on this machine`, async () => {
		const item = await stack.setUp(appSchema, {channelEnabled: false, version});
		await item.query('alter table public.organizations add column created_by text');
		const {code, json} = await fix(item, 'reload', '--yes', '--timeout', '2');
		assert.equal(json.fixesApplied[0].ok, true);
		assert.match(json.fixesApplied[0].message, /SIGUSR1/);
		assert.ok(!findingRows(json).some(row => row.startsWith('cache.')));
		assert.equal(item.api.process.exitCode, null, 'PostgREST is still running');
		assert.equal(await postCreatedBy(item.api.url), 201);
		assert.equal(code, 1, 'still 1: nothing listens for NOTIFY (listener.missing)');
	});

	test(`PostgREST ${version}: a reload that cannot heal says why and what to do by hand, exit 1`, async () => {
		const other = await stack.setUp(appSchema, {version});
		const item = await stack.setUp(appSchema, {apiDatabase: other.name, version});
		const {code, json} = await runCli([
			'check',
			'--db-url',
			item.dbUrl,
			'--api-url',
			item.api.url,
			'--json',
			'--fix',
			'reload',
			'--yes',
			'--timeout',
			'1',
		]);
		assert.equal(code, 1);
		assert.equal(json.fixesApplied[0].ok, false);
		assert.match(json.fixesApplied[0].message, /did not reload/);
		assert.match(json.fixesApplied[0].message, /another database|not to/);
		assert.ok(json.fixesApplied[0].steps.some((step: string) => step.includes('SIGUSR1')));
		assert.ok(!json.fixesApplied[0].steps.some((step: string) => /SIGHUP(?! does not)/.test(step)));
	});

	test(`PostgREST ${version}: the installed trigger heals later migrations by itself; twice is once; uninstall removes only its own`, async () => {
		const item = await stack.setUp(
			`${appSchema}
			create function public.audit_ddl() returns event_trigger language plpgsql as 'begin end';
			create event trigger user_audit on ddl_command_end execute procedure public.audit_ddl();`,
			{version}
		);
		const first = await fix(item, 'trigger', '--yes');
		assert.equal(first.json.fixesApplied[0].ok, true);
		assert.equal(first.json.fixesApplied[0].verified, true);
		assert.match(first.json.fixesApplied[0].message, /a DDL made PostgREST reload \d+ ms later/);
		assert.ok(!findingRows(first.json).some(row => row.startsWith('trigger.')));
		const installed = await doctorObjects(item.query);
		assert.deepEqual(installed, [
			'notify_ddl',
			'notify_drop',
			'pgrst_doctor',
			'pgrst_doctor_ddl_watch',
			'pgrst_doctor_drop_watch',
		]);
		assert.deepEqual(
			(
				await stack.pg.query(
					`select count(*)::int as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace where ` +
						`n.nspname = 'public' and p.proname like 'notify%'`,
					[],
					item.name
				)
			)[0],
			{n: 0},
			'nothing in an exposed schema'
		);

		await item.query(
			'alter table public.organizations add column created_by text; alter table public.members drop column email'
		);
		await waitFor(async () => (await checkJson(item)).code === 0);
		assert.equal(await postCreatedBy(item.api.url), 201);

		const again = await runCli(['sql', 'trigger']);
		await item.query(again.stdout);
		await item.query(again.stdout);
		assert.deepEqual(await doctorObjects(item.query), installed, 'installing twice leaves the same objects');

		const removed = await fix(item, 'uninstall-trigger', '--yes');
		assert.deepEqual(
			removed.json.fixesApplied.map((applied: {ok: boolean; verified: boolean}) => [
				applied.ok,
				applied.verified,
			]),
			[[true, true]]
		);
		assert.deepEqual(await doctorObjects(item.query), []);
		assert.deepEqual(
			(await item.query(`select evtname from pg_event_trigger`)).map(row => row.evtname),
			['user_audit'],
			'other event triggers untouched'
		);
	});
}

test('a session holding a conflicting lock makes the install fail fast, with nothing half-installed', async () => {
	const item = await stack.setUp();
	const blocker = new pg.Client({connectionString: item.dbUrl});
	await blocker.connect();
	try {
		await blocker.query('begin; create schema pgrst_doctor');
		const started = Date.now();
		const {code, json} = await fix(item, 'trigger', '--yes');
		assert.ok(Date.now() - started < 15_000);
		assert.equal(code, 1);
		assert.equal(json.fixesApplied[0].ok, false);
		assert.match(json.fixesApplied[0].message, /Nothing was installed: another session holds a conflicting lock/);
	} finally {
		await blocker.query('rollback');
		await blocker.end();
	}
	assert.deepEqual(await doctorObjects(item.query), []);
});

test('a role that may not create event triggers gets the alternatives, not a stack trace', async () => {
	const item = await stack.setUp();
	await stack.pg.query(
		`do $$ begin if not exists (select from pg_roles where rolname = 'doctor_migrator') then create ` +
			`role doctor_migrator login password 'migrator-pw'; end if; end $$`
	);
	await item.query('grant create on database ' + item.name + ' to doctor_migrator');
	const url = item.dbUrl.replace(/postgres:[^@]+@/, 'doctor_migrator:migrator-pw@');
	const {code, json, stderr} = await runCli([
		'check',
		'--db-url',
		url,
		'--api-url',
		item.api.url,
		'--json',
		'--fix',
		'trigger',
		'--yes',
	]);
	assert.equal(code, 1);
	assert.equal(stderr, '');
	assert.match(json.fixesApplied[0].message, /permission denied/);
	assert.ok(json.fixesApplied[0].steps.some((step: string) => step.includes('pgrst-doctor wait')));
	assert.deepEqual(await doctorObjects(item.query), []);
});

test('`sql` prints valid SQL: the trigger works on a fresh database, uninstall removes it, reload is a NOTIFY', async () => {
	const item = await stack.setUp();
	const trigger = await runCli(['sql', 'trigger', '--channel', 'Custom Chan']);
	assert.equal(trigger.code, 0);
	assert.match(trigger.stdout, /^-- pgrst-doctor/);
	await item.query(trigger.stdout);
	const listener = new pg.Client({connectionString: item.dbUrl});
	await listener.connect();
	try {
		const heard = new Promise<string | undefined>(resolve =>
			listener.on('notification', message => resolve(message.payload))
		);
		await listener.query('listen "Custom Chan"');
		await item.query('create table public.brand_new (id int)');
		assert.equal(await heard, 'reload schema');
	} finally {
		await listener.end();
	}
	await item.query((await runCli(['sql', 'uninstall'])).stdout);
	assert.deepEqual(await doctorObjects(item.query), []);
	const reload = await runCli(['sql', 'reload']);
	assert.match(reload.stdout, /^NOTIFY pgrst, 'reload schema';$/m);
	await item.query(reload.stdout);
	const usage = await runCli(['sql', 'drop-everything']);
	assert.equal(usage.code, 2);
});

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: \`wait\` returns 0 once the cache matches after a migration, and 1 with the differences when PostgREST cannot hear`, async () => {
		const item = await stack.setUp(appSchema, {version});
		await item.query('alter table public.organizations add column created_by text');
		const healed = await runCli(['wait', '--db-url', item.dbUrl, '--api-url', item.api.url, '--timeout', '20']);
		assert.equal(healed.code, 0);
		assert.match(healed.stdout, /PostgREST's schema cache matches the database \(\d+ ms\)/);

		const deaf = await stack.setUp(appSchema, {channelEnabled: false, version});
		await deaf.query('alter table public.organizations add column created_by text');
		const started = Date.now();
		const stuck = await runCli([
			'wait',
			'--db-url',
			deaf.dbUrl,
			'--api-url',
			deaf.api.url,
			'--timeout',
			'2',
			'--json',
		]);
		assert.equal(stuck.code, 1);
		assert.ok(Date.now() - started < 15_000);
		assert.equal(stuck.json.waited.healed, false);
		assert.ok(findingRows(stuck.json).includes('cache.column_missing public organizations created_by'));
	});
}
