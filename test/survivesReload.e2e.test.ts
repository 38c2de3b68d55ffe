// A difference that survives a proven reload is not a stale cache (issue 10, point 6), on real PostgreSQL 18 and
// PostgREST 12.0.2 and 11.2.2: --fix reload and wait stop once the reload is proven, without SIGUSR1 or waiting out
// the timeout; when the reload cannot be seen they escalate and wait as before.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {apiProxy} from './support/apiProxy.js';
import {findingRows, runCli} from './support/cli.js';
import {useStack} from './support/e2e.js';
import {appSchema} from './support/scenario.js';
import {postgrestVersions} from './support/stack.js';
import {atFirstRequestAfterReload} from './support/reloadListener.js';

const stack = useStack();

// Schema extra exists and has a table, but PostgREST serves only public (db-schemas): no reload ever puts it in the
// cache, so a doctor told to compare extra can never see it cached.
const unexposed = `${appSchema}
	create schema extra;
	create table extra.invoices (id int primary key);
	grant usage on schema extra to anon;
	grant select on extra.invoices to anon;`;

/**
 * A gateway in front of PostgREST that hides public.members: it drops the table from the OpenAPI description and
 * answers its paths with 404 itself, as an allow-list of routes would. No reload can make the doctor see it cached.
 */
async function hidingGateway(upstream: string) {
	return apiProxy(upstream, async (incoming, response) => {
		const url = new URL(incoming.url ?? '/', upstream);
		if (url.pathname.startsWith('/members')) {
			response.writeHead(404, {'content-type': 'text/html'}).end('<h1>Not Found</h1>');
			return true;
		}
		if (url.pathname !== '/' || incoming.method !== 'GET') return false;
		const answer = await fetch(url, {
			headers: Object.fromEntries(
				Object.entries(incoming.headers).flatMap(([name, value]) =>
					typeof value === 'string' && name !== 'host' ? [[name, value]] : []
				)
			),
		});
		const document = (await answer.json()) as {
			definitions?: Record<string, unknown>;
			paths?: Record<string, unknown>;
		};
		delete document.definitions?.members;
		delete document.paths?.['/members'];
		response
			.writeHead(answer.status, {
				'content-type': answer.headers.get('content-type') ?? 'application/json',
				server: answer.headers.get('server') ?? '',
			})
			.end(JSON.stringify(document));
		return true;
	});
}

const differs =
	/but its schema cache still differs from the database: these differences survived a proven reload, so they are not a stale cache, and reloading again will not clear them\. They may be .*a gateway or proxy in front of PostgREST/;

const reloads = (logs: string) => logs.split('\n').filter(line => line.includes('Schema cache loaded')).length;
const survivor =
	/still could not be compared with the database \(cache\.unverified\): that survived a proven reload, so it is not a stale cache/;

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: --fix reload stops at the first proven reload when the difference survives it: no SIGUSR1, no timeout waited out`, async () => {
		const item = await stack.setUp(unexposed, {version});
		const loadedBefore = reloads(item.api.logs());
		const started = Date.now();
		const {code, json} = await runCli([
			'check',
			'--db-url',
			item.dbUrl,
			'--api-url',
			item.api.url,
			'--schemas',
			'public,extra',
			'--json',
			'--fix',
			'reload',
			'--yes',
			'--timeout',
			'5',
		]);
		const elapsed = Date.now() - started;
		const [applied] = json.fixesApplied;
		assert.equal(applied.ok, false);
		assert.equal(applied.verified, true);
		assert.match(
			applied.message,
			/^PostgREST reloaded \(seen as .+, \d+ ms after NOTIFY pgrst, 'reload schema';\)/
		);
		assert.match(applied.message, survivor);
		assert.match(applied.message, /does not expose/);
		assert.match(applied.message, /report it/);
		assert.doesNotMatch(applied.message, /did not reload|reload failed|SIGUSR1/);
		assert.ok(elapsed < 10_000, `ended after ${elapsed} ms, well before 3 × --timeout (15 s)`);
		assert.equal(reloads(item.api.logs()) - loadedBefore, 1, 'exactly one reload: no second NOTIFY, no SIGUSR1');
		assert.equal(item.api.process.exitCode, null, 'PostgREST is still running');
		assert.equal(code, 2, 'extra still cannot be compared, so the doctor cannot call the cache healthy');
	});

	test(`PostgREST ${version}: \`wait\` ends as soon as a difference survives a proven reload, long before --timeout`, async () => {
		const item = await stack.setUp(unexposed, {version});
		const started = Date.now();
		const plain = await runCli([
			'wait',
			'--db-url',
			item.dbUrl,
			'--api-url',
			item.api.url,
			'--schemas',
			'public,extra',
			'--timeout',
			'20',
		]);
		const elapsed = Date.now() - started;
		assert.ok(elapsed < 10_000, `ended after ${elapsed} ms, not at --timeout 20`);
		assert.match(plain.stdout, /^PostgREST reloaded \(seen as .+\), but parts of its schema cache/);
		assert.match(plain.stdout, survivor);
		assert.equal(plain.code, 2, 'extra still cannot be compared: not healthy, and not a difference either');
		const json = await runCli([
			'wait',
			'--db-url',
			item.dbUrl,
			'--api-url',
			item.api.url,
			'--schemas',
			'public,extra',
			'--timeout',
			'20',
			'--json',
		]);
		assert.equal(json.json.waited.healed, false);
		assert.ok(json.json.waited.survivedReload.latencyMs >= 0);
		assert.ok(json.json.waited.durationMs < 10_000);
	});
}

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: a difference that survives a proven reload (a gateway hides a table) is reported as such, exit 1, after one reload`, async () => {
		const item = await stack.setUp(appSchema, {version});
		const gateway = await hidingGateway(item.api.url);
		try {
			const loadedBefore = reloads(item.api.logs());
			const started = Date.now();
			const fixed = await runCli([
				'check',
				'--db-url',
				item.dbUrl,
				'--api-url',
				gateway.url,
				'--json',
				'--fix',
				'reload',
				'--yes',
				'--timeout',
				'5',
			]);
			const [applied] = fixed.json.fixesApplied;
			assert.deepEqual(
				findingRows(fixed.json.before).filter(row => row.startsWith('cache.')),
				['cache.table_missing public members']
			);
			assert.deepEqual({ok: applied.ok, verified: applied.verified}, {ok: false, verified: true});
			assert.match(
				applied.message,
				/^PostgREST reloaded \(seen as .+, \d+ ms after NOTIFY pgrst, 'reload schema';\)/
			);
			assert.match(applied.message, differs);
			assert.doesNotMatch(applied.message, /did not reload|reload failed|SIGUSR1/);
			assert.deepEqual(
				findingRows(fixed.json).filter(row => row.startsWith('cache.')),
				['cache.table_missing public members'],
				'the difference is still reported'
			);
			assert.equal(fixed.code, 1);
			assert.ok(Date.now() - started < 10_000, 'no timeout waited out');
			assert.equal(
				reloads(item.api.logs()) - loadedBefore,
				1,
				'exactly one reload: no second NOTIFY, no SIGUSR1'
			);

			const waited = await runCli(['wait', '--db-url', item.dbUrl, '--api-url', gateway.url, '--timeout', '20']);
			assert.match(waited.stdout, differs);
			assert.match(waited.stdout, /public\.members is in the database but not in PostgREST's schema cache/);
			assert.equal(waited.code, 1);
		} finally {
			await gateway.close();
		}
	});
}

test("a role that cannot see PostgREST's sessions cannot prove the reload, so --fix reload escalates as before", async () => {
	const item = await stack.setUp(unexposed);
	await stack.pg.query(
		`do $$ begin if not exists (select from pg_roles where rolname = 'doctor_reader') then create ` +
			`role doctor_reader login password 'reader-pw'; end if; end $$`
	);
	const url = item.dbUrl.replace(/postgres:[^@]+@/, 'doctor_reader:reader-pw@');
	const loadedBefore = reloads(item.api.logs());
	const {json} = await runCli([
		'check',
		'--db-url',
		url,
		'--api-url',
		item.api.url,
		'--schemas',
		'public,extra',
		'--json',
		'--fix',
		'reload',
		'--yes',
		'--timeout',
		'1',
	]);
	const [applied] = json.fixesApplied;
	assert.equal(applied.ok, false);
	assert.doesNotMatch(applied.message, /survived a proven reload/);
	assert.match(applied.message, /SIGUSR1/, 'the escalation ran to its last step');
	assert.ok(reloads(item.api.logs()) - loadedBefore >= 2, 'more than one reload was asked for');
});

// Found by a tester: a TRUNCATE (a new file, a new pg_class row version) right after the NOTIFY moved the catalogs'
// fingerprint, and a real survivor was no longer called one: the doctor waited out --timeout, then sent SIGUSR1.
test('PostgREST 12.0.2: a TRUNCATE while PostgREST reloads is not a migration: the survivor is still one, no SIGUSR1', async () => {
	const item = await stack.setUp(unexposed);
	const loadedBefore = reloads(item.api.logs());
	const proxy = await atFirstRequestAfterReload(item, async () => {
		await item.query('truncate public.organizations cascade');
		return false;
	});
	try {
		const started = Date.now();
		const {json} = await runCli([
			'check',
			'--db-url',
			item.dbUrl,
			'--api-url',
			proxy.url,
			'--schemas',
			'public,extra',
			'--json',
			'--fix',
			'reload',
			'--yes',
			'--timeout',
			'5',
		]);
		const elapsed = Date.now() - started;
		assert.ok(proxy.acted());
		const [applied] = json.fixesApplied;
		assert.match(applied.message, survivor);
		assert.doesNotMatch(applied.message, /SIGUSR1|asked again/);
		assert.ok(elapsed < 10_000, `ended after ${elapsed} ms, well before 3 × --timeout (15 s)`);
		assert.equal(reloads(item.api.logs()) - loadedBefore, 1, 'exactly one reload');
	} finally {
		await proxy.close();
	}
});
