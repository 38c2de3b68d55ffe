// Exit 0 means verified (issue 9, cases 6, 7, 8 and 15): against the real PostgreSQL and PostgREST 12.0.2, every
// way the doctor can be kept from comparing ends in exit 2 with a finding that says so, in a complete report.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {createServer} from 'node:http';
import {test} from 'node:test';
import {type ApiProxy, apiProxy, endlessServer, streamBody} from './support/apiProxy.js';
import {apiKeySecret, checkStatus, findingRows, runCli, type JsonDocument} from './support/cli.js';
import {useStack, waitFor} from './support/e2e.js';
import {appSchema} from './support/scenario.js';
import {authenticatorPassword, postgrestBinary} from './support/stack.js';
import {watchPeakMemory} from './support/peakMemory.js';
import {atFirstRequestAfterReload} from './support/reloadListener.js';

const stack = useStack();
const mib = 1024 * 1024;

const checkVia = async (dbUrl: string, apiUrl: string, ...extra: string[]) =>
	runCli(['check', '--db-url', dbUrl, '--api-url', apiUrl, '--json', ...extra]);
const found = (json: JsonDocument, code: string) => json.findings.find((item: {code: string}) => item.code === code);

async function listening(server: ReturnType<typeof createServer>): Promise<string> {
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(server.address() as {port: number}).port}`;
}

test('PostgREST without a JWT secret answers 500 PGRST300 to a keyed request: api.unauthorized, exit 2, not healthy', async () => {
	const item = await stack.setUp(appSchema, {jwtSecret: false});
	const {code, json} = await checkVia(item.dbUrl, item.api.url, '--api-key', apiKeySecret);
	assert.equal(code, 2);
	assert.match(
		found(json, 'api.unauthorized').message,
		/cannot verify the API key: .*500 PGRST300 "Server lacks JWT secret"/
	);
	assert.match(found(json, 'api.unauthorized').suggestion, /jwt-secret/);
	assert.equal(checkStatus(json, 'cache.tables'), 'skip');

	const wait = await runCli([
		'wait',
		'--db-url',
		item.dbUrl,
		'--api-url',
		item.api.url,
		'--api-key',
		apiKeySecret,
		'--timeout',
		'2',
		'--json',
	]);
	assert.equal(wait.code, 2, 'wait never calls an unverified cache healthy');
	assert.equal(wait.json.waited.healed, false);
});

test('an API URL that redirects: api.redirected names the target without its credentials or query, exit 2', async () => {
	const item = await stack.setUp();
	const redirect = createServer((_request, response) =>
		response.writeHead(302, {location: 'https://user:hunter2@api.example.com/rest/v1?apikey=sekrit#frag'}).end()
	);
	const url = await listening(redirect);
	const {code, json, stdout} = await checkVia(item.dbUrl, url);
	redirect.close();
	assert.equal(code, 2);
	assert.deepEqual(
		findingRows(json).filter(row => row.startsWith('api.')),
		['api.redirected']
	);
	assert.match(
		found(json, 'api.redirected').message,
		/HTTP 302, a redirect to https:\/\/api\.example\.com\/rest\/v1;/
	);
	assert.doesNotMatch(stdout, /hunter2|sekrit|frag/);
});

test('a slow /rpc/ exhausts the probing budget: the unprobed functions are counted, cache.unverified, exit 2; wait exits 2', async () => {
	const functions = Array.from(
		{length: 24},
		(_, index) => `create function public.fn_${index}(a int) returns int language sql as 'select a';`
	).join('\n');
	const item = await stack.setUp(`${appSchema}\n${functions}`);
	await item.query(`create function public.added_later(a int) returns int language sql as 'select a'`);
	// /rpc/ requests are held unanswered: each probe waits out its timeout and the budget runs out.
	const slow = await apiProxy(item.api.url, incoming => Boolean(incoming.url?.startsWith('/rpc/')));
	try {
		const started = Date.now();
		const {code, json} = await checkVia(item.dbUrl, slow.url, '--timeout', '1');
		assert.ok(Date.now() - started < 15_000, 'bounded by the budget');
		assert.equal(code, 2);
		assert.equal(checkStatus(json, 'cache.functions'), 'fail');
		assert.equal(checkStatus(json, 'cache.tables'), 'pass', 'relations were compared');
		const unverified = found(json, 'cache.unverified');
		assert.match(
			unverified.message,
			/^26 functions and 1 foreign key could not be compared with PostgREST's schema cache: /
		);
		assert.match(unverified.message, /because the time for probing \(3 × --timeout\) ran out \(.+ and \d+ more\)/);
		assert.match(unverified.message, /because the probe request failed: it did not answer in time/);
		assert.ok(
			!json.findings.some(
				(item: {code: string; function?: string}) =>
					item.function === 'added_later' && item.code !== 'cache.function_missing'
			)
		);

		const wait = await runCli(['wait', '--db-url', item.dbUrl, '--api-url', slow.url, '--timeout', '1', '--json']);
		assert.equal(wait.code, 2);
		assert.equal(wait.json.waited.healed, false);
		const plain = await runCli(['wait', '--db-url', item.dbUrl, '--api-url', slow.url, '--timeout', '1']);
		assert.equal(plain.code, 2);
		assert.doesNotMatch(plain.stdout, /matches the database/);
		assert.match(plain.stdout, /^PostgREST's schema cache could not be compared with the database \(\d+ ms\):/);
	} finally {
		await slow.close();
	}
});

test('--schemas naming a schema that does not exist: schema.missing, exit 2', async () => {
	const item = await stack.setUp();
	const {code, json} = await checkVia(item.dbUrl, item.api.url, '--schemas', 'public,nosuchschema');
	assert.equal(code, 2);
	assert.ok(findingRows(json).includes('schema.missing nosuchschema'));
	assert.match(
		found(json, 'schema.missing').message,
		/Schema nosuchschema \(from --schemas\) does not exist in the database/
	);
	for (const id of ['cache.tables', 'cache.columns', 'cache.functions'])
		assert.equal(checkStatus(json, id), 'fail', id);
	const only = await checkVia(item.dbUrl, item.api.url, '--schemas', 'nosuchschema');
	assert.equal(only.code, 2, 'comparing nothing is not healthy');
	// wait sends no reload it could not prove and does not wait out its --timeout.
	const loads = () => item.api.logs().split('Schema cache loaded').length;
	const loadsBefore = loads();
	const started = Date.now();
	const wait = await runCli([
		'wait',
		'--db-url',
		item.dbUrl,
		'--api-url',
		item.api.url,
		'--schemas',
		'public,nosuchschema',
		'--timeout',
		'20',
		'--json',
	]);
	assert.equal(wait.code, 2);
	assert.ok(Date.now() - started < 10_000, 'ended without waiting out --timeout');
	assert.ok(findingRows(wait.json).includes('schema.missing nosuchschema'));
	await new Promise(resolve => setTimeout(resolve, 500));
	assert.equal(loads(), loadsBefore, 'no reload was sent');
});

test('PostgREST killed between its first answers and the probes: api.unreachable and cache.unverified, exit 2', async () => {
	const functions = Array.from(
		{length: 8},
		(_, index) => `create function public.fn_${index}(a int) returns int language sql as 'select a';`
	).join('\n');
	const item = await stack.setUp(`${appSchema}\n${functions}`);
	let rootAnswered = false;
	let killed = false;
	const proxy = await apiProxy(item.api.url, async (incoming, response) => {
		// GET / and the exposed-schemas request pass; the first probe (functions are probed while GET / runs) is held
		// until GET / has answered, then finds PostgREST gone.
		if (incoming.url === '/') {
			if (!incoming.headers['accept-profile']) response.on('close', () => (rootAnswered = true));
			return false;
		}
		await waitFor(async () => rootAnswered, 10_000);
		response.destroy();
		if (!killed) {
			killed = true;
			item.api.process.kill('SIGKILL');
			await proxy.close();
		}
		return true;
	});
	const {code, json} = await checkVia(item.dbUrl, proxy.url);
	assert.equal(code, 2);
	assert.equal(json.postgrest.version, '12.0.2', 'the report is complete: what was seen before is kept');
	assert.match(
		found(json, 'api.unreachable').message,
		/stopped answering during the check: (the server closed the connection|the connection was refused)/
	);
	assert.match(
		found(json, 'cache.unverified').message,
		/^9 functions and 1 foreign key could not be compared .*because the probe request failed: the connection was refused/
	);
	assert.equal(checkStatus(json, 'cache.functions'), 'fail');
	assert.equal(
		checkStatus(json, 'cache.tables'),
		'pass',
		'the relations came from the OpenAPI description read before'
	);
});

test('PostgREST stopped (SIGSTOP) during the probes: every request times out, cache.unverified, exit 2', async () => {
	const item = await stack.setUp();
	let rootAnswered = false;
	let stopped = false;
	const proxy = await apiProxy(item.api.url, async (incoming, response) => {
		if (incoming.url === '/') {
			if (!incoming.headers['accept-profile']) response.on('close', () => (rootAnswered = true));
			return false;
		}
		// The first probe (functions are probed while GET / runs) waits for GET / to answer, then goes on only once the
		// kernel shows PostgREST stopped.
		await waitFor(async () => rootAnswered, 10_000);
		if (!stopped) {
			stopped = true;
			item.api.process.kill('SIGSTOP');
			await waitFor(async () => / T /.test(readFileSync(`/proc/${item.api.process.pid}/stat`, 'utf8')), 5000);
		}
		return false;
	});
	try {
		const {code, json} = await checkVia(item.dbUrl, proxy.url, '--timeout', '1');
		assert.equal(code, 2);
		assert.match(found(json, 'cache.unverified').message, /did not answer in time|time for probing/);
	} finally {
		item.api.process.kill('SIGCONT');
		await proxy.close();
	}
});

test("the doctor's own database session terminated mid-run: db.unreachable in a complete report, exit 2", async () => {
	const item = await stack.setUp();
	const proxy = await apiProxy(item.api.url, async (_incoming, _response, count) => {
		if (count !== 1) return false;
		// Hold GET / until the doctor's read-only session exists, then end it from outside.
		await waitFor(
			async () =>
				(
					await stack.pg.query(
						`select pg_terminate_backend(pid) as ended from pg_stat_activity where application_name = 'pgrst-doctor' ` +
							`and datname = $1`,
						[item.name]
					)
				).length > 0
		);
		return false;
	});
	try {
		const {code, json, stderr} = await checkVia(item.dbUrl, proxy.url);
		assert.equal(code, 2);
		assert.doesNotMatch(stderr, /could not finish/);
		assert.ok(findingRows(json).includes('db.unreachable'));
		assert.equal(checkStatus(json, 'database.connect'), 'fail');
		assert.equal(json.postgrest.version, '12.0.2');
	} finally {
		await proxy.close();
	}
});

/** PostgREST's API with its Server header saying another version, as a gateway in front of a newer PostgREST would show it. */
async function relabelled(upstream: string, server: string): Promise<ApiProxy> {
	return apiProxy(upstream, async (incoming, response) => {
		const answer = await fetch(new URL(incoming.url ?? '/', upstream), {
			method: incoming.method,
			headers: incoming.headers as Record<string, string>,
		});
		response
			.writeHead(answer.status, {...Object.fromEntries(answer.headers), server})
			.end(Buffer.from(await answer.arrayBuffer()));
		return true;
	});
}

/** PostgREST's own dump of the database as it is now: what a cache that matches the database would look like. */
function freshDump(dbUri: string): string {
	return execFileSync(postgrestBinary, ['--dump-schema'], {
		env: {PGRST_DB_URI: dbUri, PGRST_DB_SCHEMAS: 'public', PGRST_DB_ANON_ROLE: 'anon'},
	}).toString();
}

test('an admin address that serves /schema_cache beside a PostgREST without that endpoint (< 12.2) is not its cache: a dump that matches the database does not hide the stale column', async () => {
	const item = await stack.setUp();
	await item.query('alter table public.organizations add column created_by text');
	const dump = freshDump(stack.pg.url(item.name, 'authenticator', authenticatorPassword));
	const admin = createServer((request, response) => {
		if (request.url === '/schema_cache') response.writeHead(200, {'content-type': 'application/json'}).end(dump);
		else response.writeHead(200).end();
	});
	const adminUrl = await listening(admin);
	const {code, json} = await checkVia(item.dbUrl, item.api.url, '--admin-url', adminUrl);
	// The control: the same dump beside a PostgREST that has the endpoint is read, and says what it says.
	const newer = await relabelled(item.api.url, 'postgrest/12.2.3');
	const read = await checkVia(item.dbUrl, newer.url, '--admin-url', adminUrl);
	await newer.close();
	admin.close();
	assert.equal(json.postgrest.cacheSource, 'OpenAPI + probes');
	assert.ok(findingRows(json).includes('cache.column_missing public organizations created_by'));
	assert.equal(code, 1);
	assert.equal(read.json.postgrest.cacheSource, 'admin /schema_cache', 'the dump is one PostgREST would serve');
});

test('a malformed admin /schema_cache falls back to OpenAPI and probes, with a note in the report', async () => {
	const item = await stack.setUp();
	await item.query('alter table public.organizations add column created_by text');
	// Only a PostgREST from 12.2 has /schema_cache: the real 12.0.2 is shown as 12.2.3, as if it were one.
	const api = await relabelled(item.api.url, 'postgrest/12.2.3');
	for (const body of ['{"dbTables": [[null, 5]], "dbRoutines": "x"}', 'not json at all']) {
		const admin = createServer((request, response) => {
			if (request.url === '/schema_cache')
				response.writeHead(200, {'content-type': 'application/json'}).end(body);
			else response.writeHead(200).end();
		});
		const adminUrl = await listening(admin);
		const {code, json, stderr} = await checkVia(item.dbUrl, api.url, '--admin-url', adminUrl);
		const plain = await runCli(['check', '--db-url', item.dbUrl, '--api-url', api.url, '--admin-url', adminUrl]);
		admin.close();
		assert.match(
			plain.stdout,
			/\n {2}note {7}The admin \/schema_cache answered a body that is not a schema cache dump/
		);
		assert.doesNotMatch(stderr, /could not finish/);
		assert.equal(code, 1);
		assert.equal(json.postgrest.cacheSource, 'OpenAPI + probes');
		assert.deepEqual(json.postgrest.notes, [
			'The admin /schema_cache answered a body that is not a schema cache dump; compared through OpenAPI and probes instead',
		]);
		assert.ok(
			findingRows(json).includes('cache.column_missing public organizations created_by'),
			'the fallback still finds the drift'
		);
	}
	await api.close();
});

test('PostgREST killed during --fix reload --yes: a complete report with api.unreachable, exit 2', async () => {
	const item = await stack.setUp();
	await item.query('alter table public.organizations add column created_by text');
	// The first request after the fix's NOTIFY is its proof's (the quick proof's recheck, or a diagnosis).
	const proxy = await atFirstRequestAfterReload(item, async (_incoming, response) => {
		item.api.process.kill('SIGKILL');
		response.destroy();
		await proxy.close();
		return true;
	});
	const {code, json, stderr} = await runCli([
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
		'1',
	]);
	await proxy.close();
	assert.ok(proxy.acted());
	assert.doesNotMatch(stderr, /could not finish/);
	assert.equal(code, 2);
	assert.ok(findingRows(json.before).includes('cache.column_missing public organizations created_by'));
	assert.equal(json.fixesApplied[0].ok, false);
	assert.ok(findingRows(json).includes('api.unreachable'));
});

test('the database going away during --fix reload --yes: the failed fix is reported, then db.unreachable, exit 2', async () => {
	const item = await stack.setUp();
	await item.query('alter table public.organizations add column created_by text');
	// The first request after the NOTIFY is the proof's (its recheck or its diagnosis): from then on the database
	// refuses the doctor.
	const proxy = await atFirstRequestAfterReload(item, async () => {
		await stack.pg.query(`alter database ${item.name} with allow_connections false`);
		await stack.pg.query(
			`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'pgrst-doctor' and datname = $1`,
			[item.name]
		);
		return false;
	});
	try {
		const {code, json, stderr} = await runCli([
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
			'1',
		]);
		assert.doesNotMatch(stderr, /could not finish/);
		assert.equal(code, 2);
		assert.equal(json.fixesApplied[0].ok, false);
		assert.match(json.fixesApplied[0].message, /^The reload fix did not finish: /);
		assert.ok(findingRows(json.before).includes('cache.column_missing public organizations created_by'));
		assert.ok(findingRows(json).includes('db.unreachable'));
	} finally {
		await stack.pg.query(`alter database ${item.name} with allow_connections true`);
		await proxy.close();
	}
});

test('an endless body and a 100 MB OpenAPI end in a clear report under 200 MB of memory', async t => {
	const item = await stack.setUp();
	const endless = await endlessServer();
	try {
		let peak = () => 0;
		const {code, json} = await runCli(
			['check', '--db-url', item.dbUrl, '--api-url', endless.url, '--json'],
			{},
			child => (peak = watchPeakMemory(child))
		);
		assert.equal(code, 2);
		assert.equal(json.postgrest.version, '12.0.2');
		assert.ok(
			json.postgrest.notes.some((note: string) => /more than 32 MiB/.test(note)),
			json.postgrest.notes.join('\n')
		);
		assert.ok(found(json, 'cache.unverified'));
		t.diagnostic(`peak RSS ${Math.round(peak() / mib)} MiB`);
		assert.ok(peak() > 0 && peak() < 200 * mib, `peak RSS ${Math.round(peak() / mib)} MiB`);
	} finally {
		await endless.close();
	}

	const hundred = await apiProxy(item.api.url, (incoming, response) => {
		if (
			incoming.method !== 'GET' ||
			incoming.url !== '/' ||
			incoming.headers['accept-profile'] === 'pgrst_doctor_unexposed_probe'
		)
			return false;
		// Announced with Content-Length, so the doctor can refuse it before reading; the endless body above has none.
		response.writeHead(200, {
			server: 'postgrest/12.0.2',
			'content-type': 'application/openapi+json',
			'content-length': String(100 * mib),
		});
		streamBody(response, 100 * mib);
		return true;
	});
	try {
		let peak = () => 0;
		const {code, json} = await runCli(
			['check', '--db-url', item.dbUrl, '--api-url', hundred.url, '--json'],
			{},
			child => (peak = watchPeakMemory(child))
		);
		assert.equal(code, 0, 'every relation was probed instead, so the comparison is complete');
		assert.equal(json.postgrest.cacheSource, 'probes');
		assert.match(
			json.postgrest.notes[0],
			/GET \/ answered more than 32 MiB, so its OpenAPI description was not read/
		);
		t.diagnostic(`peak RSS ${Math.round(peak() / mib)} MiB`);
		assert.ok(peak() > 0 && peak() < 200 * mib, `peak RSS ${Math.round(peak() / mib)} MiB`);
	} finally {
		await hundred.close();
	}
});

test('200,000 OpenAPI definitions: only the relations of the schemas asked for are kept, under 200 MB', async t => {
	const item = await stack.setUp(
		`${appSchema} create schema api; create table api.things (id int); grant usage on schema api ` +
			`to anon; grant select on api.things to anon;`,
		{schemas: 'public,api'}
	);
	const definitions: Record<string, unknown> = {};
	for (let index = 0; index < 200_000; index++)
		definitions[`t${index}`] = {type: 'object', properties: {id: {type: 'integer', format: 'integer'}}};
	const document = Buffer.from(
		JSON.stringify({swagger: '2.0', info: {version: '12.0.2', description: 'served by PostgREST'}, definitions})
	);
	assert.ok(document.length < 32 * mib);
	// GET / without a profile describes the default schema, public: it answers 200,000 relations that do not exist.
	const big = await apiProxy(item.api.url, (incoming, response) => {
		if (incoming.method !== 'GET' || incoming.url !== '/' || incoming.headers['accept-profile']) return false;
		response.writeHead(200, {server: 'postgrest/12.0.2', 'content-type': 'application/openapi+json'}).end(document);
		return true;
	});
	try {
		let peak = () => 0;
		const other = await runCli(
			['check', '--db-url', item.dbUrl, '--api-url', big.url, '--schemas', 'api', '--json'],
			{},
			child => (peak = watchPeakMemory(child))
		);
		assert.equal(other.code, 0, 'schema api was compared in full; public was not asked for');
		assert.deepEqual(other.json.schemas.names, ['api']);
		t.diagnostic(`peak RSS ${Math.round(peak() / mib)} MiB`);
		assert.ok(peak() > 0 && peak() < 200 * mib, `peak RSS ${Math.round(peak() / mib)} MiB`);

		const asked = await runCli(
			['check', '--db-url', item.dbUrl, '--api-url', big.url, '--schemas', 'public', '--json'],
			{},
			child => (peak = watchPeakMemory(child))
		);
		assert.equal(asked.code, 1);
		assert.equal(
			asked.json.findings.filter((item: {code: string}) => item.code === 'cache.table_stale').length,
			200_000,
			'--json keeps every finding'
		);
		t.diagnostic(`peak RSS with 200,000 findings in --json: ${Math.round(peak() / mib)} MiB`);
		// Not the issue's 200 MB bound (that is for bodies the doctor refuses): --json must keep all 200,000 findings,
		// so memory grows with them (measured 800-830 MiB since each finding carries its key and check: the findings
		// and their JSON text, written at once; the text is copied again only when it holds a character to escape).
		// This only guards against a blow-up beyond that.
		assert.ok(peak() < 1024 * mib, `peak RSS ${Math.round(peak() / mib)} MiB`);
	} finally {
		await big.close();
	}
});

test('the report counts every request it sent to PostgREST and the bytes it read, and times each phase', async () => {
	const item = await stack.setUp();
	await item.query('alter table public.organizations add column created_by text');
	const proxy = await apiProxy(item.api.url);
	const {json} = await checkVia(item.dbUrl, proxy.url);
	await proxy.close();
	assert.equal(json.postgrest.requests, proxy.requests(), 'what PostgREST saw');
	assert.ok(json.postgrest.requests > json.postgrest.probeRequests);
	assert.ok(json.postgrest.bytesRead > 1000, 'the OpenAPI description at least');
	assert.deepEqual(Object.keys(json.timings).sort(), ['api', 'cache', 'checks', 'database']);
});

test('--concurrency caps the probe requests in flight at once; the default sends several', async () => {
	const functions = Array.from(
		{length: 12},
		(_, index) => `create function public.cap_${index}(a int) returns int language sql as 'select a';`
	).join('\n');
	const item = await stack.setUp(`${appSchema}\n${functions}`);
	const peakInFlight = async (...extra: string[]) => {
		let inFlight = 0;
		let peak = 0;
		const proxy = await apiProxy(item.api.url, (_incoming, response) => {
			peak = Math.max(peak, ++inFlight);
			response.on('close', () => inFlight--);
			return false;
		});
		const {code} = await checkVia(item.dbUrl, proxy.url, ...extra);
		await proxy.close();
		return {code, peak};
	};
	const capped = await peakInFlight('--concurrency', '1');
	assert.equal(capped.code, 0);
	assert.equal(capped.peak, 1);
	const free = await peakInFlight();
	assert.equal(free.code, 0);
	assert.ok(free.peak > 1, `the default sent ${free.peak} at once`);
});

test('functions are probed while PostgREST still writes its OpenAPI description, within --concurrency, with the same verdict', async () => {
	const functions = Array.from(
		{length: 12},
		(_, index) => `create function public.early_${index}(a int) returns int language sql as 'select a';`
	).join('\n');
	const item = await stack.setUp(`${appSchema}\n${functions}`);
	await item.query("create function public.early_late(a int) returns int language sql as 'select a'");
	const run = async (...extra: string[]) => {
		let rootAnswered = false;
		let beforeRoot = 0;
		let inFlight = 0;
		let peak = 0;
		// GET / (the OpenAPI description) is held back 1.5 s, as PostgREST writing a large one would take.
		const proxy = await apiProxy(item.api.url, async (incoming, response) => {
			peak = Math.max(peak, ++inFlight);
			response.on('close', () => inFlight--);
			const url = incoming.url ?? '';
			if (url.startsWith('/rpc/') && !rootAnswered) beforeRoot++;
			if (url === '/' && !incoming.headers['accept-profile']) {
				await new Promise(resolve => setTimeout(resolve, 1500));
				response.on('close', () => (rootAnswered = true));
			}
			return false;
		});
		const {code, json} = await checkVia(item.dbUrl, proxy.url, ...extra);
		await proxy.close();
		return {code, json, beforeRoot, peak};
	};
	const ahead = await run('--concurrency', '3');
	assert.ok(ahead.beforeRoot >= 13, `${ahead.beforeRoot} function probes before GET / answered`);
	assert.ok(ahead.peak <= 3, `peak ${ahead.peak} requests in flight with --concurrency 3`);
	assert.deepEqual(
		findingRows(ahead.json).filter(row => row.startsWith('cache.function')),
		['cache.function_missing public early_late']
	);
	assert.equal(ahead.code, 1);
	// --concurrency 1 asks one thing at a time, so nothing is probed before GET / answers; the verdict is the same.
	const serial = await run('--concurrency', '1');
	assert.equal(serial.beforeRoot, 0);
	assert.deepEqual(findingRows(serial.json), findingRows(ahead.json));
});
