// The trigger fix on the real PostgreSQL 18 and PostgREST 12.0.2 (issue 9, cases 4 and 13): the dry run only reads
// (no user trigger fires, no DDL is logged), objects of the same names that pgrst-doctor did not create are never
// changed or removed, and concurrent installs serialise.
import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {runCli} from './support/cli.js';
import {appSchema, type Scenario, scenario} from './support/scenario.js';
import {type Postgres, startPostgres} from './support/stack.js';

let pg: Postgres;
const running: Scenario[] = [];
before(async () => {
	pg = await startPostgres({captureLog: true});
	// A superuser of its own, whose every statement PostgreSQL logs with its name and application in front.
	await pg.query(`create role doctor_admin login superuser password 'admin-pw'`);
	await pg.query(`alter role doctor_admin set log_statement = 'all'`);
	await pg.query(`alter system set log_line_prefix = '[%u %a] '`);
	await pg.query('select pg_reload_conf()');
});
after(async () => {
	await Promise.all(running.map(async item => item.stop()));
	await pg.stop();
});

async function setUp(setup = appSchema): Promise<Scenario & {adminUrl: string}> {
	const item = await scenario(pg, setup);
	running.push(item);
	return {...item, adminUrl: pg.url(item.name, 'doctor_admin', 'admin-pw')};
}

const fix = async (item: {adminUrl: string; api: {url: string}}, ...flags: string[]) =>
	runCli(['check', '--db-url', item.adminUrl, '--api-url', item.api.url, '--json', '--fix', ...flags]);

const doctorObjects = async (item: Scenario) =>
	(
		await item.query(`select evtname as name from pg_event_trigger where evtname like 'pgrst_doctor%'
		union all select proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'pgrst_doctor'
		union all select nspname from pg_namespace where nspname = 'pgrst_doctor' order by 1`)
	).map(row => row.name);

const counterSchema = `${appSchema}
	create sequence public.ddl_counter;
	create function public.count_ddl() returns event_trigger language plpgsql as $$ begin perform nextval('public.ddl_counter'); end $$;
	create event trigger user_counts_ddl on ddl_command_end execute procedure public.count_ddl();`;

const counter = async (item: Scenario) =>
	Number(
		(await item.query(`select case when is_called then last_value else 0 end as n from public.ddl_counter`))[0]!.n
	);

/** The doctor's statements in the server log, from this point on. */
function doctorStatements(from: number): string[] {
	return pg
		.logs()
		.slice(from)
		.split('\n')
		.filter(line => line.includes('[doctor_admin pgrst-doctor]') && /(statement|execute [^:]*): /.test(line))
		.map(line => line.replace(/^.*?(?:statement|execute [^:]*): /, ''));
}

test('the dry run fires no user event trigger and sends no DDL: only reads, seen in the statement log', async () => {
	const item = await setUp(counterSchema);
	const logFrom = pg.logs().length;
	const dry = await fix(item, 'trigger');
	assert.equal(dry.code, 1);
	assert.match(
		dry.json.fixesPlanned[0].dryRun,
		/^would succeed: would create its schema, 2 functions and 2 event triggers \(checked by reading the catalog; nothing was run or written\)$/
	);
	assert.equal(await counter(item), 0, "the user's ddl_command_end trigger did not fire (its sequence did not move)");
	assert.deepEqual(await doctorObjects(item), []);
	await new Promise(resolve => setTimeout(resolve, 300));
	const statements = doctorStatements(logFrom);
	assert.ok(
		statements.some(sql => /^begin transaction read only/.test(sql)),
		"the log shows the doctor's statements (so the next assertion can fail)"
	);
	const writes = statements.filter(
		sql =>
			/^\s*(create|alter|drop|comment|do|insert|update|delete|notify|grant|revoke)\b/i.test(sql) ||
			/pg_notify|nextval/i.test(sql)
	);
	assert.deepEqual(writes, []);

	// The control: a DDL does move the sequence, so the first assertion would have caught a fired trigger.
	await item.query('create table public.control (id int)');
	assert.equal(await counter(item), 1);
});

test("a user's disabled event trigger named pgrst_doctor_ddl_watch is refused, stays disabled, and survives uninstall", async () => {
	const item = await setUp(`${appSchema}
		create function public.my_watch() returns event_trigger language plpgsql as 'begin end';
		create event trigger pgrst_doctor_ddl_watch on ddl_command_end execute procedure public.my_watch();
		alter event trigger pgrst_doctor_ddl_watch disable;`);
	const dry = await fix(item, 'trigger');
	assert.match(
		dry.json.fixesPlanned[0].dryRun,
		/^would be refused: event trigger pgrst_doctor_ddl_watch exists and runs public\.my_watch\(\), which is not pgrst-doctor's/
	);
	const applied = await fix(item, 'trigger', '--yes');
	assert.equal(applied.code, 1);
	assert.equal(applied.json.fixesApplied[0].ok, false);
	assert.match(
		applied.json.fixesApplied[0].message,
		/^Nothing was installed: pgrst-doctor changed nothing: event trigger pgrst_doctor_ddl_watch exists and runs public\.my_watch\(\)/
	);
	const state = async () =>
		item.query(
			`select e.evtname, e.evtenabled, p.proname from pg_event_trigger e join pg_proc p on p.oid = e.evtfoid order by 1`
		);
	assert.deepEqual(await state(), [{evtname: 'pgrst_doctor_ddl_watch', evtenabled: 'D', proname: 'my_watch'}]);
	assert.deepEqual(
		await doctorObjects(item),
		['pgrst_doctor_ddl_watch'],
		'no schema, functions or second trigger were created'
	);

	const removed = await fix(item, 'uninstall-trigger', '--yes');
	assert.equal(removed.json.fixesApplied[0].ok, true);
	assert.deepEqual(
		await state(),
		[{evtname: 'pgrst_doctor_ddl_watch', evtenabled: 'D', proname: 'my_watch'}],
		"uninstall removes only what is pgrst-doctor's"
	);
});

test("a user's schema pgrst_doctor, a marked schema owned by a non-superuser, or a user's function there are refused unchanged", async () => {
	const cases = [
		{
			setup: `create schema pgrst_doctor; comment on schema pgrst_doctor is 'mine'; create table pgrst_doctor.keep (id int);`,
			reason: /schema pgrst_doctor exists and was not created by pgrst-doctor/,
		},
		{
			setup: `create role doctor_low_${Date.now()} login;
			do $$ begin execute format('create schema pgrst_doctor authorization %I',
				(select rolname from pg_roles where rolname like 'doctor_low_%' order by oid desc limit 1)); end $$;
			comment on schema pgrst_doctor is 'Installed by pgrst-doctor; remove with: pgrst-doctor sql uninstall';`,
			reason: /schema pgrst_doctor exists and was not created by pgrst-doctor/,
		},
		{
			setup: `create schema pgrst_doctor;
			comment on schema pgrst_doctor is 'Installed by pgrst-doctor; remove with: pgrst-doctor sql uninstall';
			create function pgrst_doctor.notify_ddl() returns event_trigger language plpgsql as 'begin raise notice ''mine''; end';`,
			reason: /function pgrst_doctor\.notify_ddl\(\) exists and was not created by pgrst-doctor/,
		},
	];
	for (const {setup, reason} of cases) {
		const item = await setUp(`${appSchema}${setup}`);
		const snapshot = async () =>
			item.query(`select n.nspname, pg_catalog.obj_description(n.oid, 'pg_namespace') as comment, n.nspowner::regrole::text as owner,
			(select array_agg(p.prosrc order by p.proname) from pg_proc p where p.pronamespace = n.oid) as functions,
			(select array_agg(c.relname order by c.relname) from pg_class c where c.relnamespace = n.oid) as relations,
			(select count(*)::int from pg_event_trigger) as triggers
			from pg_namespace n where n.nspname = 'pgrst_doctor'`);
		const before = await snapshot();
		const dry = await fix(item, 'trigger');
		assert.match(dry.json.fixesPlanned[0].dryRun, reason);
		const applied = await fix(item, 'trigger', '--yes');
		assert.equal(applied.json.fixesApplied[0].ok, false);
		assert.match(applied.json.fixesApplied[0].message, reason);
		const removed = await fix(item, 'uninstall-trigger', '--yes');
		assert.equal(removed.json.fixesApplied[0].ok, true);
		assert.deepEqual(await snapshot(), before, 'neither install nor uninstall changed it');
	}
});

test('four concurrent --fix trigger --yes runs all succeed and install each object once', async () => {
	const item = await setUp();
	const logFrom = pg.logs().length;
	const runs = await Promise.all([1, 2, 3, 4].map(async () => fix(item, 'trigger', '--yes')));
	for (const run of runs) {
		assert.equal(run.stderr, '');
		assert.equal(run.json.fixesApplied[0].ok, true, run.json.fixesApplied[0].message);
	}
	assert.deepEqual(await doctorObjects(item), [
		'notify_ddl',
		'notify_drop',
		'pgrst_doctor',
		'pgrst_doctor_ddl_watch',
		'pgrst_doctor_drop_watch',
	]);
	await new Promise(resolve => setTimeout(resolve, 300));
	// A run whose diagnosis already saw the trigger installs nothing; every run that installed took the lock.
	const installs = runs.filter(run => /^Installed /.test(run.json.fixesApplied[0].message)).length;
	assert.ok(installs >= 1);
	assert.equal(
		doctorStatements(logFrom).filter(sql => sql.includes('pg_catalog.pg_advisory_xact_lock(')).length,
		installs,
		'each install took the advisory lock'
	);
});
