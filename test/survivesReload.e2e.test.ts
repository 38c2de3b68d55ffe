// A difference that survives a proven reload is not a stale cache (issue 10, point 6), on real PostgreSQL 18 and
// PostgREST 12.0.2 and 11.2.2: --fix reload and wait stop once the reload is proven, without SIGUSR1 or waiting out
// the timeout; when the reload cannot be seen they escalate and wait as before.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {runCli} from './support/cli.js';
import {useStack} from './support/e2e.js';
import {appSchema} from './support/scenario.js';
import {postgrestVersions} from './support/stack.js';

const stack = useStack();

// Schema extra exists and has a table, but PostgREST serves only public (db-schemas): no reload ever puts it in the
// cache, so a doctor told to compare extra can never see it cached.
const unexposed = `${appSchema}
	create schema extra;
	create table extra.invoices (id int primary key);
	grant usage on schema extra to anon;
	grant select on extra.invoices to anon;`;

const reloads = (logs: string) => logs.split('\n').filter(line => line.includes('Schema cache loaded')).length;
const survivor = /still could not be compared with the database \(cache\.unverified\): that survived a proven reload, so it is not a stale cache/;

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: --fix reload stops at the first proven reload when the difference survives it: no SIGUSR1, no timeout waited out`, async () => {
		const item = await stack.setUp(unexposed, {version});
		const loadedBefore = reloads(item.api.logs());
		const started = Date.now();
		const {code, json} = await runCli(['check', '--db-url', item.dbUrl, '--api-url', item.api.url, '--schemas', 'public,extra', '--json', '--fix', 'reload', '--yes', '--timeout', '5']);
		const elapsed = Date.now() - started;
		const [applied] = json.fixesApplied;
		assert.equal(applied.ok, false);
		assert.equal(applied.verified, true);
		assert.match(applied.message, /^PostgREST reloaded \(seen as .+, \d+ ms after NOTIFY pgrst, 'reload schema';\)/);
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
		const plain = await runCli(['wait', '--db-url', item.dbUrl, '--api-url', item.api.url, '--schemas', 'public,extra', '--timeout', '20']);
		const elapsed = Date.now() - started;
		assert.ok(elapsed < 10_000, `ended after ${elapsed} ms, not at --timeout 20`);
		assert.match(plain.stdout, /^PostgREST reloaded \(seen as .+\), but parts of its schema cache/);
		assert.match(plain.stdout, survivor);
		assert.equal(plain.code, 2, 'extra still cannot be compared: not healthy, and not a difference either');
		const json = await runCli(['wait', '--db-url', item.dbUrl, '--api-url', item.api.url, '--schemas', 'public,extra', '--timeout', '20', '--json']);
		assert.equal(json.json.waited.healed, false);
		assert.ok(json.json.waited.survivedReload.latencyMs >= 0);
		assert.ok(json.json.waited.durationMs < 10_000);
	});
}

test('a role that cannot see PostgREST\'s sessions cannot prove the reload, so --fix reload escalates as before', async () => {
	const item = await stack.setUp(unexposed);
	await stack.pg.query(`do $$ begin if not exists (select from pg_roles where rolname = 'doctor_reader') then create role doctor_reader login password 'reader-pw'; end if; end $$`);
	const url = item.dbUrl.replace(/postgres:[^@]+@/, 'doctor_reader:reader-pw@');
	const loadedBefore = reloads(item.api.logs());
	const {json} = await runCli(['check', '--db-url', url, '--api-url', item.api.url, '--schemas', 'public,extra', '--json', '--fix', 'reload', '--yes', '--timeout', '1']);
	const [applied] = json.fixesApplied;
	assert.equal(applied.ok, false);
	assert.doesNotMatch(applied.message, /survived a proven reload/);
	assert.match(applied.message, /SIGUSR1/, 'the escalation ran to its last step');
	assert.ok(reloads(item.api.logs()) - loadedBefore >= 2, 'more than one reload was asked for');
});
