// The library (issue 15, point 1) on the real PostgreSQL 18 and PostgREST 12.0.2, imported as applications import it
// (`from 'pgrst-doctor'`, through package.json's exports, with the declarations tsc emitted): diagnose returns what
// check --json prints, from a URL or an existing pg Pool (which it never borrows a connection from); explainError
// offline and connected; reloadSchemaCache and waitForSchemaCache prove what they did.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import pg from 'pg';
import {
	diagnose,
	exitCodes,
	explainError,
	findingCodes,
	reloadSchemaCache,
	type Report,
	UsageError,
	waitForSchemaCache,
} from 'pgrst-doctor';
import {checkJson, useStack} from './support/e2e.js';

const stack = useStack();

/** What a run found, without what differs between two runs (timings, request counts, discovery's provenance). */
const verdictOf = (report: Report) => ({
	exitCode: report.exitCode,
	schemas: report.schemas,
	checks: report.checks.map(check => [check.id, check.status]),
	findings: report.findings.map(found => [found.code, found.message]),
	fixes: report.fixes.map(fix => fix.id),
});

test('diagnose returns the report check --json prints, from a URL or from an existing pg Pool it leaves alone', async () => {
	const item = await stack.setUp();
	await item.query('alter table public.members add column nickname text');
	const cli = await checkJson(item);
	const fromUrl = await diagnose({database: item.dbUrl, api: item.api.url});
	assert.equal(fromUrl.exitCode, exitCodes.problems);
	assert.ok(fromUrl.findings.some(found => found.code === 'cache.column_missing' && found.column === 'nickname'));
	assert.deepEqual(verdictOf(fromUrl), verdictOf(cli.json as Report));

	const pool = new pg.Pool({connectionString: item.dbUrl, max: 1});
	try {
		const fromPool = await diagnose({database: pool, api: item.api.url});
		assert.deepEqual(verdictOf(fromPool), verdictOf(fromUrl));
		assert.equal(pool.totalCount, 0, "the doctor opened its own sessions: the app's pool lent it none");
		assert.equal(fromPool.target.db, fromUrl.target.db);
	} finally {
		await pool.end();
	}
	// A pool whose TLS options (a CA to check) sit beside its URL is refused, not connected without them.
	const verifying = new pg.Pool({
		connectionString: item.dbUrl,
		ssl: {ca: 'a CA the doctor cannot reuse', rejectUnauthorized: true},
		max: 1,
	});
	try {
		await assert.rejects(
			diagnose({database: verifying, api: item.api.url}),
			(error: unknown) =>
				error instanceof UsageError &&
				/^The pg pool or client has TLS options \(a CA, certificates\) the doctor cannot reuse/.test(
					error.message
				)
		);
		assert.equal(verifying.totalCount, 0);
	} finally {
		await verifying.end();
	}
});

test('explainError: offline it explains, connected it decides; a supabase-js error object reads as its body', async () => {
	const item = await stack.setUp();
	await item.query('alter table public.members add column nickname text');
	const error = {
		code: 'PGRST204',
		details: null,
		hint: null,
		message: "Column 'nickname' of relation 'members' does not exist",
	};
	const offline = await explainError(error);
	assert.equal(offline.error?.kind, 'column_not_found');
	assert.equal(offline.verdict, undefined);
	assert.ok(offline.advice?.causes.length);
	const connected = await explainError(error, {database: item.dbUrl, api: item.api.url});
	assert.equal(connected.verdict?.code, 'cache.column_missing');
	assert.deepEqual(connected.verdict?.fixes, ['reload']);
	const typo = await explainError(
		{...error, message: "Column 'emial' of relation 'members' does not exist"},
		{database: item.dbUrl, api: item.api.url}
	);
	assert.equal(typo.verdict?.code, 'client.unknown_column');
	// PostgREST 12's 404 {} names nothing: the request line does.
	await item.query('create table public.invoices (id int primary key)');
	const empty = await explainError('{}', {
		database: item.dbUrl,
		api: item.api.url,
		request: {method: 'POST', url: `${item.api.url}/invoices`, status: 404},
	});
	assert.equal(empty.verdict?.code, 'cache.table_missing');
});

test('reloadSchemaCache and waitForSchemaCache prove their result by diagnosing again; without what they need, a UsageError', async () => {
	const item = await stack.setUp();
	await item.query('alter table public.members add column nickname text');
	const reloaded = await reloadSchemaCache({database: item.dbUrl, api: item.api.url});
	assert.equal(reloaded.reloaded, true, reloaded.fix?.message);
	assert.equal(reloaded.fix?.verified, true);
	assert.equal(reloaded.report.exitCode, exitCodes.healthy);
	assert.ok(reloaded.report.before?.findings.some(found => found.code === 'cache.column_missing'));

	await item.query('alter table public.members add column title text');
	const waited = await waitForSchemaCache({database: item.dbUrl, api: item.api.url, waitMs: 20_000});
	assert.equal(waited.waited.healed, true);
	assert.equal(waited.exitCode, exitCodes.healthy);

	await assert.rejects(
		reloadSchemaCache({database: item.dbUrl}),
		(error: unknown) =>
			error instanceof UsageError &&
			/needs database \(to send the reload\) and api \(to prove it\)/.test(error.message)
	);
	await assert.rejects(diagnose({database: 'http://not-a-database'}), UsageError);
});

test('the package ships its types: exports point at declarations that name the API, and the codes are the public vocabulary', () => {
	const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
		exports: Record<string, {types: string; import: string}>;
		types: string;
		bin: Record<string, string>;
	};
	assert.equal(manifest.exports['.']!.types, './dist/index.d.ts');
	assert.equal(manifest.bin['pgrst-doctor'], './dist/cli.js');
	const declarations = readFileSync(new URL('../dist/index.d.ts', import.meta.url), 'utf8');
	for (const name of ['diagnose', 'explainError', 'reloadSchemaCache', 'waitForSchemaCache'])
		assert.match(declarations, new RegExp(`export declare function ${name}\\(`));
	assert.match(declarations, /createRecoveringFetch/);
	assert.ok('cache.column_missing' in findingCodes);
});
