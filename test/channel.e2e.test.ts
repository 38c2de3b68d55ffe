// Awkward channels on the real PostgreSQL 18 and PostgREST 12.0.2 (issue 9, cases 2 and 3): the generated `sql trigger`
// and `sql reload` deliver on exactly that channel and run nothing injected; a 64-byte channel is refused before
// anything connects; a reserved word works for --fix reload, wait and --probe.
import assert from 'node:assert/strict';
import {createServer} from 'node:net';
import {test} from 'node:test';
import pg from 'pg';
import {awkwardChannels} from './support/awkwardChannels.js';
import {findingRows, runCli} from './support/cli.js';
import {useStack} from './support/e2e.js';
import {appSchema} from './support/scenario.js';

const stack = useStack();

const injections = [
	"x');create table public.injected_literal(i int);--",
	'x";create table public.injected_identifier(i int);--',
	'$pgrst_doctor$;create table public.injected_body(i int);--',
	'line\ncreate table public.injected_comment(i int);--',
];

/** Listens on exactly this channel name (quoted by pg's own escapeIdentifier) and resolves with the first payload. */
async function listen(url: string, channel: string) {
	const client = new pg.Client({connectionString: url});
	await client.connect();
	const heard = new Promise<{channel: string; payload?: string}>(resolve =>
		client.on('notification', message => resolve({channel: message.channel, payload: message.payload}))
	);
	await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
	return {heard, end: async () => client.end()};
}

test('`sql trigger` and `sql reload` for awkward channels deliver on that exact channel and run nothing injected', async () => {
	const item = await stack.setUp();
	for (const channel of [...awkwardChannels, ...injections]) {
		const trigger = await runCli(['sql', 'trigger', '--channel', channel]);
		assert.equal(trigger.code, 0, trigger.stderr);
		await item.query(trigger.stdout);
		const ddl = await listen(item.dbUrl, channel);
		await item.query('create table public.probe_table (id int); drop table public.probe_table');
		assert.deepEqual(
			await ddl.heard,
			{channel, payload: 'reload schema'},
			`the trigger notifies ${JSON.stringify(channel)}`
		);
		await ddl.end();

		const reload = await runCli(['sql', 'reload', '--channel', channel]);
		const now = await listen(item.dbUrl, channel);
		await item.query(reload.stdout);
		assert.deepEqual(
			await now.heard,
			{channel, payload: 'reload schema'},
			`sql reload notifies ${JSON.stringify(channel)}`
		);
		await now.end();
		await item.query((await runCli(['sql', 'uninstall'])).stdout);
	}
	const injected = await item.query(`select relname from pg_class where relname like 'injected%'`);
	assert.deepEqual(injected, [], 'no injected statement ran');
});

test('a 64-byte channel is a usage error before anything connects', async () => {
	let connections = 0;
	const server = createServer(socket => {
		connections++;
		socket.destroy();
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as {port: number};
	try {
		const target = [
			'--db-url',
			`postgresql://postgres@127.0.0.1:${port}/postgres`,
			'--api-url',
			`http://127.0.0.1:${port}`,
		];
		// sql connects to nothing and refuses connection flags, so it gets none.
		for (const args of [
			['check', '--fix', 'trigger', '--yes', ...target],
			['wait', ...target],
			['check', '--probe', ...target],
			['sql', 'trigger'],
		]) {
			const run = await runCli([...args, '--channel', 'c'.repeat(64)]);
			assert.equal(run.code, 2);
			assert.match(run.stderr, /--channel is 64 bytes long; PostgreSQL channel names are 1 to 63 bytes/);
			assert.equal(run.stdout, '');
		}
	} finally {
		server.close();
	}
	assert.equal(connections, 0);
});

test('--channel user works for --fix reload, wait and --probe against a PostgREST listening on "user"', async () => {
	const item = await stack.setUp(appSchema, {channel: 'user'});
	const base = ['--db-url', item.dbUrl, '--api-url', item.api.url, '--channel', 'user', '--json'];
	await item.query('alter table public.organizations add column created_by text');
	const reload = await runCli(['check', ...base, '--fix', 'reload', '--yes', '--timeout', '5']);
	assert.equal(reload.stderr, '');
	assert.deepEqual([reload.json.fixesApplied[0].ok, reload.json.fixesApplied[0].verified], [true, true]);
	assert.match(reload.json.fixesApplied[0].message, /NOTIFY "user", 'reload schema';/);
	assert.doesNotMatch(reload.json.fixesApplied[0].message, /SIGUSR1/, 'the NOTIFY itself healed it');

	await item.query('alter table public.organizations add column updated_by text');
	const waited = await runCli(['wait', ...base, '--timeout', '20']);
	assert.equal(waited.code, 0, waited.stderr);
	assert.ok(!findingRows(waited.json).some(row => row.startsWith('cache.')));

	const probed = await runCli(['check', ...base, '--probe']);
	assert.equal(probed.stderr, '');
	assert.ok(findingRows(probed.json).includes('notify.delivered'), JSON.stringify(findingRows(probed.json)));
});
