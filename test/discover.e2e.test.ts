// Discovery end to end against the real PostgreSQL 18 and PostgREST 12.0.2: the built CLI runs with no flags in a
// folder holding a postgrest.conf and a .env, as a user runs it next to their config, and diagnoses; what the config
// says is compared with what the running PostgREST does (its channel, its listener, its schemas).
import assert from 'node:assert/strict';
import path from 'node:path';
import {test} from 'node:test';
import {apiKeySecret, checkStatus, cliPath, runCli, withoutDiscovery} from './support/cli.js';
import {useStack} from './support/e2e.js';
import {docsTriggers} from './support/scenario.js';
import {authenticatorPassword, superPassword} from './support/stack.js';
import {tmuxWindow} from './support/tmuxWindow.js';
import {projectFolder} from './support/projectFolder.js';

const stack = useStack();
const jwtSecret = 'a-jwt-secret-that-is-at-least-32-characters-long';

/** A folder with the files a self-hosted PostgREST project keeps: its postgrest.conf and a .env for the owner's URL. */

/** postgrest.conf as PostgREST's docs write it, pointing at the scenario's PostgREST (its port from its URL). */
function postgrestConf(apiUrl: string, database: string, extra = ''): string {
	return [
		'# PostgREST of the test stack',
		// The password is the file's own: a $(VAR) of the environment inside an address the file chose is not used.
		`db-uri = "postgres://authenticator:${authenticatorPassword}@127.0.0.1:${stack.pg.port}/${database}"`,
		'db-schemas = "public"',
		'db-anon-role = "anon"',
		`jwt-secret = "${jwtSecret}"`,
		`server-port = ${new URL(apiUrl).port}   # as PostgREST was started`,
		extra,
		'',
	].join('\n');
}

const noSecrets = (text: string) => {
	for (const secret of [jwtSecret, authenticatorPassword])
		assert.ok(!text.includes(secret), 'a secret from the files reached the output');
};

test('no flags, next to postgrest.conf and .env: diagnoses, and every setting says where it came from', async () => {
	const item = await stack.setUp();
	await item.query(docsTriggers);
	const directory = projectFolder({
		'postgrest.conf': postgrestConf(item.api.url, item.name),
		'.env': `DATABASE_URL=${item.dbUrl}\n`,
	});
	const environment = {PGRST_TEST_PASSWORD: authenticatorPassword};
	const {code, json, stdout} = await runCli(['check', '--json'], environment, undefined, undefined, directory);
	noSecrets(stdout);
	assert.equal(code, 0, JSON.stringify(json.findings));
	assert.equal(json.target.api, item.api.url);
	const settings = Object.fromEntries(
		json.settings.map((row: {name: string; value: string; from: string}) => [row.name, row])
	);
	assert.deepEqual(settings['db-url'], {
		name: 'db-url',
		value: `postgres@127.0.0.1:${stack.pg.port}/${item.name}`,
		from: '.env (DATABASE_URL)',
	});
	assert.deepEqual(settings['api-url'], {name: 'api-url', value: item.api.url, from: 'postgrest.conf (server-port)'});
	assert.deepEqual(settings['jwt-secret'], {name: 'jwt-secret', value: 'set', from: 'postgrest.conf (jwt-secret)'});
	assert.deepEqual(settings['anon-role'], {name: 'anon-role', value: 'anon', from: 'postgrest.conf (db-anon-role)'});
	assert.equal(
		json.settingsNotes,
		undefined,
		"the owner's URL and the authenticator's point at the same database: no disagreement"
	);
	assert.equal(checkStatus(json, 'config.server'), 'pass', 'db-schemas compared with what PostgREST exposes');
	const plain = await runCli(['check'], environment, undefined, undefined, directory);
	noSecrets(plain.stdout);
	assert.match(
		plain.stdout,
		new RegExp(
			`\\n {2}db-url +postgres@127\\.0\\.0\\.1:${stack.pg.port}/${item.name} +from \\.env \\(DATABASE_URL\\)\\n`
		)
	);
	assert.match(plain.stdout, /\n {2}api-url +http:\/\/127\.0\.0\.1:\d+ +from postgrest\.conf \(server-port\)\n/);
	assert.equal(plain.code, 0);
});

test('the config says db-channel = app but PostgREST listens on another: config.channel_mismatch, and the run and its fix use the channel PostgREST hears', async () => {
	const item = await stack.setUp(undefined, {channel: 'live_channel'});
	const directory = projectFolder({
		'postgrest.conf': postgrestConf(item.api.url, item.name, 'db-channel = "app"'),
		'.env': `DATABASE_URL=${item.dbUrl}\n`,
	});
	const environment = {PGRST_TEST_PASSWORD: authenticatorPassword};
	const {code, json} = await runCli(['check', '--json'], environment, undefined, undefined, directory);
	assert.equal(code, 1);
	const mismatch = json.findings.find((found: {code: string}) => found.code === 'config.channel_mismatch');
	assert.ok(mismatch, JSON.stringify(json.findings));
	assert.match(
		mismatch.message,
		/postgrest\.conf \(db-channel\) says db-channel = "app", but the running PostgREST listens on "live_channel"/
	);
	const channel = json.settings.find((row: {name: string}) => row.name === 'channel');
	assert.deepEqual(channel, {
		name: 'channel',
		value: 'live_channel',
		from: 'PostgREST\'s listener in pg_stat_activity (postgrest.conf (db-channel) says "app")',
	});
	assert.equal(
		checkStatus(json, 'listener.present'),
		'pass',
		'the listener on live_channel is found, not reported missing'
	);
	assert.ok(
		!json.findings.some((found: {code: string}) => found.code === 'listener.missing'),
		'no false listener.missing'
	);
	// wait's reload goes to the channel PostgREST hears: a NOTIFY on "app" would leave the new column out until --timeout.
	await item.query('alter table public.members add column nickname text');
	const waited = await runCli(['wait', '--json', '--timeout', '15'], environment, undefined, undefined, directory);
	assert.equal(waited.code, 0, JSON.stringify(waited.json.findings));
	assert.ok(waited.json.waited.durationMs < 10_000);
	// The trigger the fix installs notifies the channel PostgREST listens on, and the proof runs on it too.
	const fixed = await runCli(
		['check', '--json', '--fix', 'trigger', '--yes'],
		environment,
		undefined,
		undefined,
		directory
	);
	assert.equal(fixed.json.fixesApplied[0].ok, true, JSON.stringify(fixed.json.fixesApplied));
	const [row] = await item.query(
		`select count(*)::int as n from pg_proc where pronamespace = 'pgrst_doctor'::regnamespace and ` +
			`prosrc like '%pg_notify(''live_channel''%'`
	);
	assert.equal(row!.n, 2, 'both trigger functions notify live_channel');
	assert.equal(checkStatus(fixed.json, 'trigger.installed'), 'pass');
	assert.match(
		fixed.json.fixes.find((fix: {id: string}) => fix.id === 'reload')?.preview ?? 'NOTIFY "live_channel"',
		/live_channel/
	);
});

test('the config turns the listener off (and PostgREST runs with it off): config.listener_disabled instead of a broken listener', async () => {
	const item = await stack.setUp(undefined, {channelEnabled: false});
	const directory = projectFolder({
		'postgrest.conf': postgrestConf(item.api.url, item.name, 'db-channel-enabled = false'),
		'.env': `DATABASE_URL=${item.dbUrl}\n`,
	});
	const {code, json} = await runCli(
		['check', '--json'],
		{PGRST_TEST_PASSWORD: authenticatorPassword},
		undefined,
		undefined,
		directory
	);
	assert.equal(code, 1);
	const codes = json.findings.map((found: {code: string}) => found.code);
	assert.ok(codes.includes('config.listener_disabled'), codes.join(', '));
	assert.ok(
		!codes.includes('listener.missing') && !codes.includes('listener.channel_disabled'),
		`the listener is not diagnosed as broken: ${codes.join(', ')}`
	);
	assert.equal(checkStatus(json, 'listener.present'), 'skip');
	assert.match(
		json.findings.find((found: {code: string}) => found.code === 'config.listener_disabled').message,
		/db-channel-enabled = false, from postgrest\.conf \(db-channel-enabled\)/
	);
});

test('the config turns the listener off but the running PostgREST listens: the file is not what runs', async () => {
	const item = await stack.setUp();
	const directory = projectFolder({
		'postgrest.conf': postgrestConf(item.api.url, item.name, 'db-channel-enabled = false'),
		'.env': `DATABASE_URL=${item.dbUrl}\n`,
	});
	const {json} = await runCli(
		['check', '--json'],
		{PGRST_TEST_PASSWORD: authenticatorPassword},
		undefined,
		undefined,
		directory
	);
	const codes = json.findings.map((found: {code: string}) => found.code);
	assert.ok(
		codes.includes('config.channel_mismatch') && !codes.includes('config.listener_disabled'),
		codes.join(', ')
	);
	assert.equal(checkStatus(json, 'listener.present'), 'pass');
});

test('db-schemas in the config differs from what PostgREST exposes: config.schemas_mismatch, and the doctor compares what PostgREST exposes', async () => {
	const item = await stack.setUp(`${'create schema api;'}`, {schemas: 'public'});
	const conf = postgrestConf(item.api.url, item.name).replace('db-schemas = "public"', 'db-schemas = "api, public"');
	const directory = projectFolder({'postgrest.conf': conf, '.env': `DATABASE_URL=${item.dbUrl}\n`});
	const {json} = await runCli(
		['check', '--json'],
		{PGRST_TEST_PASSWORD: authenticatorPassword},
		undefined,
		undefined,
		directory
	);
	const mismatch = json.findings.find((found: {code: string}) => found.code === 'config.schemas_mismatch');
	assert.ok(mismatch, JSON.stringify(json.findings));
	assert.equal(mismatch.severity, 'warning');
	assert.deepEqual(json.schemas, {names: ['public'], source: 'PostgREST'});
});

test('environment over files: PGRST_* and DATABASE_URL in the environment win, and the report says so', async () => {
	const item = await stack.setUp();
	const directory = projectFolder({'.env': 'DATABASE_URL=postgresql://nobody@127.0.0.1:1/nothing\n'});
	const {code, json} = await runCli(
		['check', '--json'],
		{DATABASE_URL: item.dbUrl, PGRST_SERVER_PORT: new URL(item.api.url).port, PGRST_SERVER_HOST: '127.0.0.1'},
		undefined,
		undefined,
		directory
	);
	assert.notEqual(code, 2, JSON.stringify(json.findings));
	const from = Object.fromEntries(json.settings.map((row: {name: string; from: string}) => [row.name, row.from]));
	assert.deepEqual(from, {'db-url': 'environment (DATABASE_URL)', 'api-url': 'environment (PGRST_SERVER_PORT)'});
});

test('--config and --dotenv: a missing file is a usage error in one sentence; a given file is read wherever it is', async () => {
	const missing = await runCli(['check', '--config', 'no-such.conf']);
	assert.equal(missing.code, 2);
	assert.equal(
		missing.stderr,
		'--config no-such.conf does not exist; give the path of a readable file.\nRun pgrst-doctor check --help for usage.\n'
	);
	const item = await stack.setUp();
	const directory = projectFolder({
		'pgrst.conf': postgrestConf(item.api.url, item.name),
		'secrets.env': `SUPABASE_DB_URL=${item.dbUrl}\n`,
	});
	const {json} = await runCli(
		[
			'check',
			'--json',
			'--config',
			path.join(directory, 'pgrst.conf'),
			'--dotenv',
			path.join(directory, 'secrets.env'),
		],
		{PGRST_TEST_PASSWORD: authenticatorPassword}
	);
	const from = Object.fromEntries(json.settings.map((row: {name: string; from: string}) => [row.name, row.from]));
	assert.equal(from['db-url'], `${path.join(directory, 'secrets.env')} (SUPABASE_DB_URL)`);
	assert.equal(from['api-url'], `${path.join(directory, 'pgrst.conf')} (server-port)`);
	assert.equal(json.target.api, item.api.url);
});

test('keys and passwords found in files never reach the output, plain or JSON; the key is shown as its kind', async () => {
	const item = await stack.setUp();
	const directory = projectFolder({
		'.env.local':
			`DATABASE_URL=${item.dbUrl}\nSUPABASE_SERVICE_ROLE_KEY=${apiKeySecret}\n` +
			`PGRST_DOCTOR_API_URL=${item.api.url}\nPGRST_JWT_SECRET=${jwtSecret}\n`,
	});
	for (const json of [true, false]) {
		const run = await runCli(['check', ...(json ? ['--json'] : [])], {}, undefined, undefined, directory);
		noSecrets(run.stdout + run.stderr);
		if (json) {
			assert.deepEqual(
				run.json.settings.find((row: {name: string}) => row.name === 'api-key'),
				{name: 'api-key', value: 'key', from: '.env.local (SUPABASE_SERVICE_ROLE_KEY)'}
			);
			assert.deepEqual(
				run.json.settings.find((row: {name: string}) => row.name === 'jwt-secret'),
				{name: 'jwt-secret', value: 'set', from: '.env.local (PGRST_JWT_SECRET)'}
			);
		} else {
			assert.match(run.stdout, /\n {2}api-key +key +from \.env\.local \(SUPABASE_SERVICE_ROLE_KEY\)\n/);
		}
	}
});

test('bare pgrst-doctor in a terminal next to postgrest.conf: diagnoses without asking, and the header says where each value came from', async () => {
	const item = await stack.setUp();
	const directory = projectFolder({
		'postgrest.conf': postgrestConf(item.api.url, item.name),
		'.env': `DATABASE_URL=${item.dbUrl}\n`,
	});
	const window = tmuxWindow(
		`cd '${directory}' && '${process.execPath}' '${cliPath}'`,
		{columns: 100, rows: 40},
		{
			...withoutDiscovery(process.env),
			PGRST_TEST_PASSWORD: authenticatorPassword,
		}
	);
	try {
		await window.until('Diagnosis');
		const screen = window.screen();
		assert.ok(
			!screen.includes('Where are your database and PostgREST?'),
			'it diagnosed at once, without the connect screen'
		);
		assert.match(
			screen,
			new RegExp(
				`Database {3}postgres@127\\.0\\.0\\.1:${stack.pg.port}/${item.name}\\s+from \\.env \\(DATABASE_URL\\)`
			)
		);
		assert.match(screen, /PostgREST {2}http:\/\/127\.0\.0\.1:\d+\s+from postgrest\.conf \(server-port\)/);
		noSecrets(window.raw());
		window.keys('q');
		await window.until(/EXIT:0/);
	} finally {
		window.close();
	}
});

test('a database URL from a .env without a password connects with none: PGPASSWORD of the environment is not sent', async () => {
	const item = await stack.setUp();
	const withoutPassword = `postgres://postgres@127.0.0.1:${stack.pg.port}/${item.name}`;
	const directory = projectFolder({'.env': `DATABASE_URL=${withoutPassword}\n`});
	const environment = {PGPASSWORD: superPassword};
	const fromFolder = await runCli(['check', '--json'], environment, undefined, undefined, directory);
	assert.equal(fromFolder.code, 2);
	assert.ok(
		fromFolder.json.findings.some((found: {code: string}) => found.code === 'db.auth_failed'),
		JSON.stringify(fromFolder.json.findings)
	);
	assert.ok(
		fromFolder.json.settingsNotes.includes(
			'.env (DATABASE_URL) has no password, so pgrst-doctor connects without one, not with PGPASSWORD ' +
				'from your environment; put the password in the URL or pass --db-url'
		),
		JSON.stringify(fromFolder.json.settingsNotes)
	);
	const fromFlag = await runCli(
		['check', '--json', '--db-url', withoutPassword, '--api-url', item.api.url],
		environment,
		undefined,
		undefined,
		directory
	);
	assert.ok(
		!fromFlag.json.findings.some((found: {code: string}) => found.code === 'db.auth_failed'),
		'a URL of yours still takes PGPASSWORD, as psql would'
	);
});
