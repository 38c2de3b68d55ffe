// Issue 12 point 1 and issue 11 point 6, with the built CLI: each command prints its own help on stdout and exits 0;
// --help and --version win wherever they stand on the line, before anything connects or writes — checked with a
// TCP server that counts connections and against the real PostgreSQL and PostgREST (no event trigger installed, no
// reload), each next to a control run without --help that shows the instrument would have seen it.
import assert from 'node:assert/strict';
import {createServer, type Server} from 'node:net';
import {test} from 'node:test';
import {helpText} from '../source/help.js';
import {toolVersion} from '../source/toolVersion.js';
import {runCli} from './support/cli.js';
import {useStack, waitFor} from './support/e2e.js';
import {appSchema} from './support/scenario.js';

const stack = useStack();

const firstLines: Array<[string[], string]> = [
	[['--help'], "pgrst-doctor: why PostgREST's schema cache disagrees with your database, the"],
	[['check', '--help'], 'pgrst-doctor check: diagnose the schema cache once; --fix heals and proves it'],
	[['wait', '--help'], 'pgrst-doctor wait: reload and wait until the cache matches the database'],
	[['explain', '--help'], 'pgrst-doctor explain: the root cause of an error message you paste'],
	[['sql', '--help'], 'pgrst-doctor sql: print ready-to-paste SQL; needs no connection'],
	[['codes', '--help'], 'pgrst-doctor codes: every finding code with its cause and cure'],
	[['help', 'explain'], 'pgrst-doctor explain: the root cause of an error message you paste'],
	[['wait', '-h'], 'pgrst-doctor wait: reload and wait until the cache matches the database'],
	[['help'], "pgrst-doctor: why PostgREST's schema cache disagrees with your database, the"],
];

for (const [args, firstLine] of firstLines) {
	test(`pgrst-doctor ${args.join(' ')} prints that command's help on stdout, exit 0`, async () => {
		const {code, stdout, stderr} = await runCli(args);
		assert.equal(code, 0);
		assert.equal(stderr, '');
		assert.equal(stdout.split('\n')[0], firstLine);
		const command = args.find(word => ['check', 'wait', 'explain', 'sql', 'codes'].includes(word)) as Parameters<
			typeof helpText
		>[0];
		assert.equal(stdout, helpText(command));
		assert.match(stdout, /\nUsage\n {2}\$ pgrst-doctor/);
		assert.match(stdout, /\nExit codes\n {2}0 /);
	});
}

test("codes --help is codes' help, not the list of codes", async () => {
	const {code, stdout} = await runCli(['codes', '--help']);
	assert.equal(code, 0);
	assert.doesNotMatch(stdout, /cache\.column_missing/);
	assert.match(stdout, /\$ pgrst-doctor codes \[--json\]/);
});

test('explain --help lists the recognised errors and the pasted forms', async () => {
	const {stdout} = await runCli(['explain', '--help']);
	assert.match(stdout, /\nRecognised errors\n {2}- PGRST204/);
	assert.match(stdout, /42501/);
	assert.match(stdout, /\nPaste it as you have it\n/);
	assert.match(stdout, /console\.log\(error\) of supabase-js or postgrest-js/);
});

test('--help and --version anywhere on the line, even after a mistake, print and exit 0', async () => {
	const cases: Array<[string[], string]> = [
		[['--help', 'check'], 'check'],
		[['check', '--fix', 'relaod', '--help'], 'check'],
		[['--api-url', 'garbage', 'wait', '--help'], 'wait'],
		[['explain', 'permission denied for table secrets', '--help'], 'explain'],
		[['sql', 'nonsense', '-h'], 'sql'],
	];
	for (const [args, command] of cases) {
		const {code, stdout, stderr} = await runCli(args);
		assert.equal(code, 0, args.join(' '));
		assert.equal(stderr, '', args.join(' '));
		assert.equal(stdout, helpText(command as Parameters<typeof helpText>[0]), args.join(' '));
	}
	for (const args of [
		['--version'],
		['sql', 'reload', '--version'],
		['check', '--api-url', 'garbage', '--version'],
		['wait', '--timeout', 'soon', '--version'],
	]) {
		const {code, stdout, stderr} = await runCli(args);
		assert.equal(code, 0, args.join(' '));
		assert.equal(stderr, '');
		assert.equal(stdout, `${toolVersion}\n`, args.join(' '));
	}
	// After `--` it is text, not a flag: explain reads "--help" as the error (and does not recognise it).
	const text = await runCli(['explain', '--', '--help']);
	assert.notEqual(text.stdout, helpText('explain'));
});

/** A TCP server that counts the connections made to it and closes each at once. */
async function connectionCounter(): Promise<{server: Server; port: number; count: () => number}> {
	let connections = 0;
	const server = createServer(socket => {
		connections++;
		socket.destroy();
	}).listen(0, '127.0.0.1');
	await new Promise(resolve => server.once('listening', resolve));
	return {server, port: (server.address() as {port: number}).port, count: () => connections};
}

test('--help and --version connect to nothing: not the database, not DATABASE_URL, not PostgREST', async () => {
	const counter = await connectionCounter();
	const dbUrl = `postgresql://postgres:x@127.0.0.1:${counter.port}/postgres`;
	const apiUrl = `http://127.0.0.1:${counter.port}`;
	const target = ['--db-url', dbUrl, '--api-url', apiUrl, '--admin-url', apiUrl, '--timeout', '1'];
	try {
		for (const flag of ['--help', '--version']) {
			for (const args of [
				['check', ...target, '--fix', 'trigger', '--yes', flag],
				['check', ...target, '--fix', 'reload', '--yes', flag],
				['check', ...target, '--probe', flag],
				['wait', ...target, flag],
				['explain', 'permission denied for table secrets', ...target, '--fix', 'reload', '--yes', flag],
				[flag, '--db-url', dbUrl],
			]) {
				const {code} = await runCli(args);
				assert.equal(code, 0, args.join(' '));
			}
			const fromEnvironment = await runCli(['check', '--fix', 'all', '--yes', flag], {DATABASE_URL: dbUrl});
			assert.equal(fromEnvironment.code, 0);
		}
		assert.equal(counter.count(), 0, 'no connection was made');

		// The control: the same line without --help does connect, so the counter would have seen it.
		await runCli(['check', ...target, '--fix', 'trigger', '--yes']);
		assert.ok(counter.count() > 0, 'the control run connected');
	} finally {
		counter.server.close();
	}
});

test('against the real stack: --fix trigger|reload --yes with --help or --version installs nothing and reloads nothing', async () => {
	const item = await stack.setUp(appSchema);
	const target = ['--db-url', item.dbUrl, '--api-url', item.api.url, '--timeout', '5'];
	const eventTriggers = async () =>
		(await item.query('select evtname from pg_catalog.pg_event_trigger')).map(row => row.evtname);
	const loads = () => item.api.logs().split('Schema cache loaded').length - 1;
	// PostgREST 12 answers a read of an uncached table anyway; its OpenAPI description lists only what it cached.
	const invoicesCached = async () =>
		Object.hasOwn(((await (await fetch(item.api.url)).json()) as {paths: object}).paths, '/invoices');
	// The cache goes stale: a table created after PostgREST loaded it, with no trigger to tell PostgREST.
	await item.query('create table public.invoices (id int primary key); grant select on public.invoices to anon');
	const loadsBefore = loads();

	for (const flag of ['--help', '--version', '-h']) {
		for (const args of [
			['check', ...target, '--fix', 'trigger', '--yes', flag],
			[flag, 'check', ...target, '--fix', 'all', '--yes'],
			['check', ...target, '--fix', 'reload', '--yes', flag],
			['wait', ...target, flag],
			[
				'explain',
				"Could not find the table 'public.invoices' in the schema cache",
				...target,
				'--fix',
				'reload',
				'--yes',
				flag,
			],
		]) {
			const {code, stderr} = await runCli(args);
			assert.equal(code, 0, args.join(' '));
			assert.equal(stderr, '', args.join(' '));
		}
	}
	const withDatabaseUrl = await runCli(['check', '--api-url', item.api.url, '--fix', 'all', '--yes', '--help'], {
		DATABASE_URL: item.dbUrl,
	});
	assert.equal(withDatabaseUrl.code, 0);
	// A reload, had one been sent, shows in PostgREST's log within milliseconds; give it a second.
	await new Promise(resolve => setTimeout(resolve, 1000));
	assert.deepEqual(await eventTriggers(), [], 'no event trigger installed');
	assert.equal(loads(), loadsBefore, 'PostgREST did not reload');
	assert.equal(await invoicesCached(), false, 'the cache is still stale');

	// The controls: without --help the same lines do reload and install, and the instruments see it.
	const reload = await runCli(['check', ...target, '--fix', 'reload', '--yes']);
	assert.equal(reload.code, 0, reload.stdout);
	await waitFor(async () => loads() > loadsBefore);
	assert.equal(await invoicesCached(), true);
	const trigger = await runCli(['check', ...target, '--fix', 'trigger', '--yes']);
	assert.equal(trigger.code, 0, trigger.stdout);
	assert.ok((await eventTriggers()).length > 0, 'the control installed the trigger');
});
