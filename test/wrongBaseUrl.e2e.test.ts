// A --api-url that answers as PostgREST but is not its API root: `/rest/v1` appended to a self-hosted PostgREST, a
// path prefix, the admin server's port. Real PostgREST 12.0.2 and 11.2.2: the doctor names the address to use and
// compares nothing (exit 2), and --fix does not run a reload it could not prove. The root with the OpenAPI output
// disabled is still a root.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import pg from 'pg';
import {findingRows, runCli, type JsonDocument} from './support/cli.js';
import {checkJson, useStack} from './support/e2e.js';
import {appSchema, type Scenario} from './support/scenario.js';

const stack = useStack();

const wrongBase = (json: JsonDocument) =>
	json.findings.find((found: {code: string}) => found.code === 'api.wrong_base_url');
/** The findings besides trigger.missing, which the database alone shows (the scenarios install no trigger). */
const rows = (json: JsonDocument) => findingRows(json).filter(row => row !== 'trigger.missing');
const check = async (item: Scenario, apiUrl: string, ...extra: string[]) =>
	runCli(['check', '--db-url', item.dbUrl, '--api-url', apiUrl, '--json', ...extra]);
const staleColumn = 'alter table public.organizations add column created_by text';

async function postCreatedBy(apiUrl: string): Promise<number> {
	const response = await fetch(`${apiUrl}/organizations`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({id: 1, name: 'a', created_by: 'b'}),
	});
	await response.arrayBuffer();
	return response.status;
}

test('/rest/v1 appended to a self-hosted PostgREST 12.0.2: api.wrong_base_url naming the root, nothing diffed, exit 2', async () => {
	const item = await stack.setUp();
	await item.query(staleColumn);
	const {code, json, stdout} = await check(item, `${item.api.url}/rest/v1`);
	assert.equal(code, 2);
	assert.deepEqual(rows(json), ['api.wrong_base_url']);
	const found = wrongBase(json);
	assert.equal(found.severity, 'error');
	assert.match(found.message, /answers as PostgREST 12\.0\.2 but is not its API root/);
	assert.match(
		found.message,
		/a relation that cannot exist answered HTTP 404 without the "does not exist" error PostgREST's root gives, so every table would read as missing/
	);
	assert.equal(
		found.suggestion,
		`Use --api-url ${item.api.url} (/rest/v1 is the path of Supabase's gateway; a self-hosted PostgREST serves its API at the root).`
	);
	for (const id of ['cache.tables', 'cache.columns'])
		assert.equal(json.checks.find((one: {id: string}) => one.id === id).status, 'skip', id);
	assert.equal(
		json.checks.find((one: {id: string}) => one.id === 'api.database').summary,
		'Skipped: PostgREST could not be asked (api.wrong_base_url)',
		'the skip names the real cause, not "did not answer"'
	);
	const plain = await runCli(['check', '--db-url', item.dbUrl, '--api-url', `${item.api.url}/rest/v1`]);
	assert.equal(plain.code, 2);
	assert.match(plain.stdout, /api\.wrong_base_url/);
	assert.ok(stdout.length > 0);
	// The address it names is the right one: there the stale column is found.
	const right = await checkJson(item);
	assert.ok(
		findingRows(right.json).includes('cache.column_missing public organizations created_by'),
		findingRows(right.json).join(', ')
	);
});

test('a path prefix that is off, and a slash at the end, name the root too', async () => {
	const item = await stack.setUp();
	for (const apiUrl of [`${item.api.url}/api`, `${item.api.url}/rest/v1/`]) {
		const {code, json} = await check(item, apiUrl);
		assert.equal(code, 2, apiUrl);
		assert.deepEqual(rows(json), ['api.wrong_base_url'], apiUrl);
		assert.match(wrongBase(json).suggestion, new RegExp(`^Use --api-url ${item.api.url}[ .]`), apiUrl);
	}
});

test("the admin server's port as --api-url: api.wrong_base_url says it is the admin server, exit 2", async () => {
	const item = await stack.setUp();
	await item.query(staleColumn);
	const {code, json} = await check(item, item.api.adminUrl!);
	assert.equal(code, 2);
	assert.deepEqual(rows(json), ['api.wrong_base_url']);
	assert.match(
		wrongBase(json).message,
		/is PostgREST 12\.0\.2's admin server, not the API: it answers \/live and \/ready/
	);
	assert.match(wrongBase(json).suggestion, /API address .* as --api-url, and this one as --admin-url/);
});

test("PostgREST's root with the OpenAPI output disabled is not a wrong base URL: the stale column is found", async () => {
	const item = await stack.setUp(undefined, {openApiMode: 'disabled'});
	await item.query(staleColumn);
	const {code, json} = await checkJson(item);
	assert.ok(!findingRows(json).includes('api.wrong_base_url'));
	assert.ok(
		findingRows(json).includes('cache.column_missing public organizations created_by'),
		findingRows(json).join(', ')
	);
	assert.equal(code, 1);
});

test('--fix reload --yes on a wrong base URL: not attempted and says why; no NOTIFY, no SIGUSR1, exit 2', async () => {
	const item = await stack.setUp();
	await item.query(staleColumn);
	const listener = new pg.Client({connectionString: item.dbUrl});
	await listener.connect();
	const heard: string[] = [];
	listener.on('notification', message => heard.push(`${message.channel} ${message.payload}`));
	await listener.query('listen pgrst');
	const loadsBefore = item.api.logs().split('Schema cache loaded').length;
	try {
		const {code, json} = await check(item, `${item.api.url}/rest/v1`, '--fix', 'reload', '--yes', '--timeout', '1');
		assert.equal(code, 2);
		assert.equal(json.fixesApplied.length, 1);
		assert.equal(json.fixesApplied[0].ok, false);
		assert.match(
			json.fixesApplied[0].message,
			/^Not attempted: api\.wrong_base_url kept the diagnosis from being made \(see the finding\), so the fix could be neither aimed nor proved/
		);
		assert.doesNotMatch(json.fixesApplied[0].message, /reload failed|did not reload/);
		assert.deepEqual(rows(json), ['api.wrong_base_url']);
		await new Promise(resolve => setTimeout(resolve, 300));
		assert.deepEqual(heard, [], 'no NOTIFY was sent');
		assert.equal(
			item.api.logs().split('Schema cache loaded').length,
			loadsBefore,
			'PostgREST did not reload (no NOTIFY, no SIGUSR1)'
		);
		assert.equal(await postCreatedBy(item.api.url), 400, 'the cache is still stale');
	} finally {
		await listener.end();
	}
});

test('PostgREST 11.2.2: /rest/v1 appended and the admin port are api.wrong_base_url too', async () => {
	const item = await stack.setUp(appSchema, {version: '11.2.2'});
	const {api} = item;
	{
		const appended = await check(item, `${api.url}/rest/v1`);
		assert.equal(appended.code, 2);
		assert.deepEqual(rows(appended.json), ['api.wrong_base_url']);
		assert.match(wrongBase(appended.json).message, /answers as PostgREST 11\.2\.2 but is not its API root/);
		assert.match(wrongBase(appended.json).suggestion, new RegExp(`^Use --api-url ${api.url} `));
		const admin = await check(item, api.adminUrl!);
		assert.equal(admin.code, 2);
		assert.match(wrongBase(admin.json).message, /PostgREST 11\.2\.2's admin server, not the API/);
	}
});
