// --ignore never buys a false "healthy": against the real servers, a finding whose check kept other checks from
// running, or one that says the comparison itself cannot be trusted, stays whatever the allow-list says; a check
// that could not run is exit 2; and --fix with ignored findings says what happened, not less.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {apiProxy} from './support/apiProxy.js';
import {runCli} from './support/cli.js';
import {checkJson, useStack} from './support/e2e.js';
import {appSchema} from './support/scenario.js';

const {setUp} = useStack();
const columnKey = 'cache.column_missing:public.organizations.created_by';
const keysOf = (findings: Array<{key: string}> | undefined) => (findings ?? []).map(found => found.key).sort();

test('PostgREST serving another database: ignoring api.other_database cannot pass a run whose caches were never compared', async () => {
	const served = await setUp();
	const checked = await setUp(`${appSchema}alter table public.organizations add column created_by text;`, {
		apiDatabase: served.name,
	});
	const plain = await checkJson(checked);
	assert.equal(plain.code, 1);
	const skipped = plain.json.checks.filter((check: {blockedBy?: string}) => check.blockedBy === 'api.database');
	assert.ok(
		skipped.some((check: {id: string}) => check.id === 'cache.columns'),
		JSON.stringify(plain.json.checks)
	);

	const ignored = await checkJson(checked, '--ignore', 'api.other_database,trigger.missing');
	assert.equal(ignored.code, 1, 'the cache checks did not run: not healthy');
	assert.deepEqual(ignored.json.unignorable, ['api.other_database']);
	assert.deepEqual(keysOf(ignored.json.ignoredFindings), ['trigger.missing']);
	const text = await runCli([
		'check',
		'--db-url',
		checked.dbUrl,
		'--api-url',
		checked.api.url,
		'--ignore',
		'api.other_database',
	]);
	assert.equal(text.code, 1);
	assert.match(
		text.stdout,
		/cannot be ignored, it kept [a-z.,\s]*cache\.columns[a-z.,\s]* from running: api\.other_database$/m
	);
});

test('PostgREST still loading (PGRST002 on every answer): ignoring cache.unloaded cannot pass a run that never read the cache', async () => {
	const item = await setUp();
	const proxy = await apiProxy(item.api.url, (_request, response) => {
		response.writeHead(503, {server: 'postgrest/12.0.2', 'content-type': 'application/json; charset=utf-8'});
		response.end(
			JSON.stringify({
				code: 'PGRST002',
				details: null,
				hint: null,
				message: 'Could not query the database for the schema cache. Retrying.',
			})
		);
		return true;
	});
	try {
		const args = ['check', '--db-url', item.dbUrl, '--api-url', proxy.url, '--json'];
		const plain = await runCli(args);
		assert.equal(plain.code, 1);
		const ignored = await runCli([...args, '--ignore', 'cache.unloaded']);
		assert.equal(ignored.code, 1);
		assert.deepEqual(ignored.json.unignorable, ['cache.unloaded']);
		assert.deepEqual(
			keysOf(ignored.json.findings).filter(key => key.startsWith('cache.')),
			['cache.unloaded']
		);
	} finally {
		await proxy.close();
	}
});

test('--fix with ignored findings: nothing left to apply is said, the before count includes the ignored, a healed key has not rotted', async () => {
	const item = await setUp();
	await item.query('alter table public.organizations add column created_by text;');
	const base = ['check', '--db-url', item.dbUrl, '--api-url', item.api.url];

	const dry = await runCli([...base, '--fix', 'all', '--ignore', `${columnKey},trigger.missing`]);
	assert.equal(dry.code, 0, dry.stdout);
	assert.match(dry.stdout, /^Nothing to apply: no finding left points at a fix\.$/m);
	assert.doesNotMatch(dry.stdout, /Would apply/);

	const healed = await runCli([...base, '--fix', 'reload', '--yes', '--ignore', columnKey, '--json']);
	assert.equal(healed.code, 0, healed.stdout);
	assert.deepEqual(keysOf(healed.json.before.ignoredFindings), [columnKey]);
	assert.deepEqual(healed.json.unmatchedIgnores, [], 'the key matched before the reload healed it');
	assert.deepEqual(keysOf(healed.json.ignoredFindings), []);

	await item.query('alter table public.organizations add column created_by_2 text;');
	const text = await runCli([
		...base,
		'--fix',
		'reload',
		'--yes',
		'--ignore',
		columnKey.replace('created_by', 'created_by_2'),
	]);
	assert.match(text.stdout, /^ {2}Before: 2 findings \(0 errors, 1 ignored\)\. After: 1 finding \(0 errors\)\.$/m);
	assert.doesNotMatch(text.stdout, /--ignore matched no finding/);
});

test('the check whose every finding was ignored says so on its row and in the JSON', async () => {
	const item = await setUp();
	await item.query('alter table public.organizations add column created_by text;');
	const ignored = await checkJson(item, '--ignore', columnKey);
	const columns = ignored.json.checks.find((check: {id: string}) => check.id === 'cache.columns');
	assert.equal(columns.status, 'fail');
	assert.equal(columns.ignored, true);
	assert.equal(
		ignored.json.findings.find((found: {check?: string}) => found.check === 'cache.columns'),
		undefined
	);
	assert.equal(ignored.json.ignoredFindings[0].check, 'cache.columns');
	const text = await runCli(['check', '--db-url', item.dbUrl, '--api-url', item.api.url, '--ignore', columnKey]);
	assert.match(text.stdout, /cache\.columns .* \(ignored on purpose\)$/m);
});
