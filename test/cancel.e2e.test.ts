// Time (issue 9, case 9), on the real PostgreSQL 18 and PostgREST 12.0.2: --timeout's range, Ctrl-C from every phase
// exits 130 within a second with nothing sent after it, and the documented worst case of --fix reload --yes holds.
import assert from 'node:assert/strict';
import {type ChildProcess} from 'node:child_process';
import {createConnection, createServer, type Server, type Socket} from 'node:net';
import {test} from 'node:test';
import pg from 'pg';
import {runCli} from './support/cli.js';
import {useStack, waitFor} from './support/e2e.js';
import {appSchema} from './support/scenario.js';

const stack = useStack();

/** Runs the CLI and sends SIGINT when `when` resolves; returns the exit code and how long after the signal it came. */
async function interrupted(args: string[], when: (child: ChildProcess) => Promise<unknown>) {
	let signalledAt = 0;
	const run = await runCli(args, {}, child => {
		void when(child).then(() => {
			signalledAt = performance.now();
			child.kill('SIGINT');
		});
	});
	return {...run, afterSignalMs: performance.now() - signalledAt, signalled: signalledAt > 0};
}

const sleep = async (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** A TCP server that accepts and never answers: an API that hangs. */
async function silentServer(): Promise<{url: string; connected(): boolean; close(): void}> {
	const sockets: Socket[] = [];
	const server = createServer(socket => sockets.push(socket));
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as {port: number}).port}`,
		connected: () => sockets.length > 0,
		close: () => (sockets.forEach(socket => socket.destroy()), server.close()),
	};
}

/** A TCP proxy in this (node) process: the API stays reachable, but no PostgREST process owns its port. */
async function proxy(target: string): Promise<{url: string; close(): void}> {
	const {hostname, port} = new URL(target);
	const sockets: Socket[] = [];
	const server: Server = createServer(socket => {
		const upstream = createConnection({host: hostname, port: Number(port)});
		sockets.push(socket, upstream);
		socket.pipe(upstream).pipe(socket);
		socket.on('error', () => upstream.destroy());
		upstream.on('error', () => socket.destroy());
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as {port: number}).port}`,
		close: () => (sockets.forEach(socket => socket.destroy()), server.close()),
	};
}

const postCreatedBy = async (url: string) =>
	(
		await fetch(`${url}/organizations`, {
			method: 'POST',
			headers: {'content-type': 'application/json'},
			body: JSON.stringify({id: Math.floor(Math.random() * 1e9), name: 'Acme', created_by: 'ada'}),
		})
	).status;

test('--timeout outside 0.1 to 3600 seconds is a usage error naming the range', async () => {
	for (const value of ['0.0004', '0.05', '0', '-1', '3601', '1e7', 'soon']) {
		const run = await runCli([
			'check',
			'--db-url',
			'postgresql://postgres@127.0.0.1:9/postgres',
			'--timeout',
			value,
		]);
		assert.equal(run.code, 2, value);
		assert.match(
			run.stderr.split('\n')[0]!,
			/^--timeout must be a number of seconds from 0\.1 to 3600 \(got /,
			value
		);
	}
	for (const value of ['0.1', '3600']) {
		const run = await runCli([
			'check',
			'--db-url',
			'postgresql://postgres@127.0.0.1:9/postgres',
			'--timeout',
			value,
			'--json',
		]);
		assert.doesNotMatch(run.stderr, /--timeout must/, value);
	}
});

test('Ctrl-C during the diagnosis exits 130 within a second', async () => {
	const item = await stack.setUp();
	const hanging = await silentServer();
	try {
		// Interrupted once it is waiting on the API, not while Node still starts (slow on a busy machine).
		const run = await interrupted(
			['check', '--db-url', item.dbUrl, '--api-url', hanging.url, '--timeout', '60'],
			async () => waitFor(async () => hanging.connected(), 20_000)
		);
		assert.equal(run.code, 130);
		assert.ok(run.afterSignalMs < 1500, `exited ${Math.round(run.afterSignalMs)} ms after SIGINT`);
		assert.equal(run.stdout, '');
	} finally {
		hanging.close();
	}
});

test('Ctrl-C during --fix trigger --yes exits 130 within a second and installs nothing, even once the lock is free', async () => {
	const item = await stack.setUp();
	const blocker = new pg.Client({connectionString: item.dbUrl});
	await blocker.connect();
	await blocker.query('begin; create schema pgrst_doctor');
	try {
		const run = await interrupted(
			[
				'check',
				'--db-url',
				item.dbUrl,
				'--api-url',
				item.api.url,
				'--fix',
				'trigger',
				'--yes',
				'--timeout',
				'30',
			],
			async () =>
				waitFor(
					async () =>
						(
							await item.query(
								`select 1 from pg_stat_activity where application_name = 'pgrst-doctor' and wait_event_type = 'Lock'`
							)
						).length > 0,
					20_000
				)
		);
		assert.ok(run.signalled);
		assert.equal(run.code, 130);
		assert.ok(run.afterSignalMs < 1500, `exited ${Math.round(run.afterSignalMs)} ms after SIGINT`);
	} finally {
		await blocker.query('rollback');
		await blocker.end();
	}
	await sleep(500);
	assert.deepEqual(
		await item.query(
			`select nspname from pg_namespace where nspname = 'pgrst_doctor' union all select evtname from pg_event_trigger`
		),
		[]
	);
	assert.deepEqual(
		await item.query(`select pid from pg_stat_activity where application_name = 'pgrst-doctor'`),
		[],
		'no session of the doctor is left'
	);
});

test('Ctrl-C during --fix reload --yes exits 130 within a second, and PostgREST gets no SIGUSR1 afterwards', async () => {
	const item = await stack.setUp(appSchema, {channelEnabled: false});
	await item.query('alter table public.organizations add column created_by text');
	// The test hears the doctor's NOTIFY itself, so the signal lands in the first wait, before any escalation.
	const listener = new pg.Client({connectionString: item.dbUrl});
	await listener.connect();
	const notified = new Promise(resolve => listener.on('notification', resolve));
	await listener.query('listen pgrst');
	const run = await interrupted(
		['check', '--db-url', item.dbUrl, '--api-url', item.api.url, '--fix', 'reload', '--yes', '--timeout', '6'],
		async () => notified.then(async () => sleep(300))
	);
	await listener.end();
	assert.ok(run.signalled);
	assert.equal(run.code, 130);
	assert.ok(run.afterSignalMs < 1500, `exited ${Math.round(run.afterSignalMs)} ms after SIGINT`);
	const loadsAtSignal = item.api.logs().split('Schema cache loaded').length;
	// Without the cancel, SIGUSR1 would follow 2 × 6 s after the NOTIFY.
	await sleep(13_000);
	assert.equal(
		item.api.logs().split('Schema cache loaded').length,
		loadsAtSignal,
		'PostgREST did not reload after the signal'
	);
	assert.equal(
		await postCreatedBy(item.api.url),
		400,
		"the cache is still stale: nothing healed it behind the user's back"
	);
});

test('Ctrl-C during wait exits 130 within a second', async () => {
	const item = await stack.setUp(appSchema, {channelEnabled: false});
	await item.query('alter table public.organizations add column created_by text');
	const run = await interrupted(
		['wait', '--db-url', item.dbUrl, '--api-url', item.api.url, '--timeout', '60'],
		async () => sleep(2500)
	);
	assert.equal(run.code, 130);
	assert.ok(run.afterSignalMs < 1500, `exited ${Math.round(run.afterSignalMs)} ms after SIGINT`);
});

test('worst case: --fix reload --yes with a deaf PostgREST that SIGUSR1 cannot reach gives up after 3 × --timeout', async () => {
	const item = await stack.setUp(appSchema, {channelEnabled: false});
	await item.query('alter table public.organizations add column created_by text');
	const through = await proxy(item.api.url);
	try {
		const started = performance.now();
		const run = await runCli([
			'check',
			'--db-url',
			item.dbUrl,
			'--api-url',
			through.url,
			'--json',
			'--fix',
			'reload',
			'--yes',
			'--timeout',
			'1',
		]);
		const totalMs = performance.now() - started;
		assert.equal(run.code, 1);
		const [applied] = run.json.fixesApplied;
		assert.equal(applied.ok, false);
		assert.doesNotMatch(applied.message, /SIGUSR1/, "no PostgREST process owns the proxy's port");
		assert.ok(applied.durationMs <= 3 * 1000 + 300, `the fix took ${applied.durationMs} ms, more than 3 × 1 s`);
		assert.ok(totalMs < 3 * 1000 + 2 * 3000, `the command took ${Math.round(totalMs)} ms`);
	} finally {
		through.close();
	}
});
