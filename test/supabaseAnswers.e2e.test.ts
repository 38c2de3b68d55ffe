// Issue 13 point 3 against the real PostgreSQL 18 and PostgREST 12.0.2, behind a small gateway that answers the
// way Supabase's does (its Kong in front of /rest/v1): keys checked by the gateway, sb_ keys swapped for JWTs,
// 401 for a missing or unknown key, and since 2026-03-11 403 on GET /rest/v1/ for anon and publishable keys.
// The doctor must name the key's kind and the key it needs, block a verdict, and never print a key.
import assert from 'node:assert/strict';
import {createHmac} from 'node:crypto';
import {after, test} from 'node:test';
import {type ApiProxy, apiProxy} from './support/apiProxy.js';
import {checkStatus, findingRows, runCli, type JsonDocument} from './support/cli.js';
import {useStack} from './support/e2e.js';
import {appSchema, type Scenario} from './support/scenario.js';

const stack = useStack();
/** The secret PostgREST is started with in test/support/stack.ts: the keys below are signed with it, as Supabase's are. */
const jwtSecret = 'a-jwt-secret-that-is-at-least-32-characters-long';
const project = 'abcdefghijklmnopqrst';
const otherProject = 'zyxwvutsrqponmlkjihg';
const databasePassword = 'pooler-user-s3cret';

function sign(claims: Record<string, unknown>, secret = jwtSecret): string {
	const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
	const unsigned = `${part({alg: 'HS256', typ: 'JWT'})}.${part(claims)}`;
	return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

const exp = Math.floor(Date.now() / 1000) + 3600;
const keys = {
	anon: sign({role: 'anon', ref: project, iss: 'supabase', exp}),
	serviceRole: sign({role: 'service_role', ref: project, iss: 'supabase', exp}),
	publishable: 'sb_publishable_TestOnlyPublishableKey_0001',
	secret: 'sb_secret_TestOnlySecretKey_0001',
	/** A service_role key of another project: signed with that project's secret, unknown to this gateway. */
	foreign: sign(
		{role: 'service_role', ref: otherProject, iss: 'supabase', exp},
		'another-projects-secret-of-32-characters'
	),
};
/** What the gateway sends PostgREST for each key it knows: sb_ keys become the JWT of their role, as Supabase's does. */
const forwarded = new Map<string, {jwt: string; readsSchema: boolean}>([
	[keys.anon, {jwt: keys.anon, readsSchema: false}],
	[keys.publishable, {jwt: keys.anon, readsSchema: false}],
	[keys.serviceRole, {jwt: keys.serviceRole, readsSchema: true}],
	[keys.secret, {jwt: keys.serviceRole, readsSchema: true}],
]);

/** A gateway like Supabase's in front of PostgREST at /rest/v1. */
async function supabaseGateway(upstream: string): Promise<ApiProxy> {
	return apiProxy(upstream, (request, response) => {
		const answer = (status: number, body: object) => {
			response.writeHead(status, {'content-type': 'application/json'});
			response.end(JSON.stringify(body));
			return true;
		};
		const url = new URL(request.url ?? '/', 'http://gateway');
		if (!url.pathname.startsWith('/rest/v1')) return answer(404, {message: 'no Route matched with those values'});
		const key = request.headers.apikey;
		if (typeof key !== 'string')
			return answer(401, {
				message: 'No API key found in request',
				hint: 'No `apikey` request header or url param was found.',
			});
		const known = forwarded.get(key);
		if (!known)
			return answer(401, {
				message: 'Invalid API key',
				hint: 'Double check your Supabase `anon` or `service_role` API key.',
			});
		if (request.method === 'GET' && /^\/rest\/v1\/?$/.test(url.pathname) && !known.readsSchema) {
			return answer(403, {
				message: 'Access to schema is forbidden',
				hint: 'Accessing the schema via the Data API is only allowed using a secret API key.',
			});
		}
		request.url = `${url.pathname.slice('/rest/v1'.length) || '/'}${url.search}`;
		request.headers.authorization = `Bearer ${known.jwt}`;
		return false;
	});
}

let item: Scenario;
let gateway: ApiProxy;
let restUrl: string;

after(async () => gateway?.close());

function assertNoSecrets(run: {stdout: string; stderr: string}): void {
	for (const secret of [
		...Object.values(keys),
		...Object.values(keys).map(key => key.split('.')[1] ?? key),
		databasePassword,
	]) {
		assert.ok(
			!run.stdout.includes(secret) && !run.stderr.includes(secret),
			'a key or password leaked into the output'
		);
	}
}

async function check(apiKey: string | undefined, ...extra: string[]) {
	const run = await runCli([
		'check',
		'--db-url',
		item.dbUrl,
		'--api-url',
		restUrl,
		'--json',
		'--timeout',
		'5',
		...(apiKey ? ['--api-key', apiKey] : []),
		...extra,
	]);
	assertNoSecrets(run);
	return run;
}

const finding = (json: JsonDocument, code: string) =>
	(json.findings as Array<{code: string; message: string; suggestion?: string}>).find(found => found.code === code)!;

test('a Supabase-shaped API: service_role behind a gateway at /rest/v1, PostgREST with the JWT secret', async () => {
	item = await stack.setUp(`${appSchema}
		do $$ begin
			if not exists (select from pg_roles where rolname = 'service_role') then create role service_role nologin bypassrls; end if;
		end $$;
		grant service_role to authenticator;
		grant usage on schema public to service_role;
		grant all on all tables in schema public to service_role;
		grant execute on all functions in schema public to service_role;`);
	gateway = await supabaseGateway(item.api.url);
	restUrl = `${gateway.url}/rest/v1`;
});

test('the secret key (and the legacy service_role key) reads the cache through the gateway: a stale column is found', async () => {
	await item.query(
		'alter table public.organizations add column created_by text; grant all on public.organizations to service_role;'
	);
	for (const key of [keys.secret, keys.serviceRole]) {
		const {code, json} = await check(key);
		assert.ok(
			findingRows(json).includes('cache.column_missing public organizations created_by'),
			JSON.stringify(findingRows(json))
		);
		assert.equal(code, 1);
		assert.equal(checkStatus(json, 'api.reachable'), 'pass');
	}
	await item.query(`notify pgrst, 'reload schema'`);
});

for (const [kind, key, words] of [
	['publishable', keys.publishable, /a publishable key \(sb_publishable_…\)/],
	['legacy anon', keys.anon, /the legacy anon key \(a JWT with role anon\)/],
] as const) {
	test(`the ${kind} key: the gateway's 403 on GET /rest/v1/ is api.unauthorized naming the key and the secret key, exit 2`, async () => {
		const {code, json, stdout} = await check(key);
		assert.equal(code, 2, 'the cache could not be compared: no verdict');
		const refused = finding(json, 'api.unauthorized');
		assert.ok(refused, JSON.stringify(findingRows(json)));
		assert.match(refused.message, /Access to schema is forbidden/);
		assert.match(refused.message, words);
		assert.match(refused.suggestion!, /secret key \(sb_secret_…\) or its legacy service_role key/);
		const plain = await runCli([
			'check',
			'--db-url',
			item.dbUrl,
			'--api-url',
			restUrl,
			'--api-key',
			key,
			'--timeout',
			'5',
		]);
		assertNoSecrets(plain);
		assert.equal(plain.code, 2);
		assert.match(plain.stdout, /only a secret key may read the OpenAPI description/);
		assert.ok(stdout.length > 0);
	});
}

test('the legacy anon key names its project: the dashboard page with the keys is given', async () => {
	const {json} = await check(keys.anon);
	assert.match(
		finding(json, 'api.unauthorized').suggestion!,
		new RegExp(`https://supabase\\.com/dashboard/project/${project}/settings/api-keys`)
	);
});

test('no key: the gateway\'s 401 "No API key found in request" asks for --api-key', async () => {
	const {code, json} = await check(undefined);
	assert.equal(code, 2);
	const refused = finding(json, 'api.unauthorized');
	assert.match(refused.message, /No API key found in request/);
	assert.match(refused.suggestion!, /Pass --api-key/);
});

test("a key of another project: the gateway's 401 \"Invalid API key\", and the key's ref and the database's disagree", async () => {
	const {code, json} = await check(keys.foreign);
	assert.equal(code, 2);
	assert.match(
		finding(json, 'api.unauthorized').message,
		/does not accept the legacy service_role key: 401 "Invalid API key"/
	);
});

test("config.project_mismatch: the database URL's pooler user names another project than the key, with everything else working", async () => {
	// The pooler's user shape postgres.<ref> names the project whatever the host; a role of that name is real here.
	const user = `postgres.${otherProject}`;
	await stack.pg.query(`create role "${user}" login superuser password '${databasePassword}'`);
	const dbUrl = `postgresql://${encodeURIComponent(user)}:${databasePassword}@127.0.0.1:${stack.pg.port}/${item.name}`;
	const mismatched = await runCli([
		'check',
		'--db-url',
		dbUrl,
		'--api-url',
		restUrl,
		'--api-key',
		keys.serviceRole,
		'--json',
		'--timeout',
		'5',
	]);
	assertNoSecrets(mismatched);
	assert.equal(mismatched.code, 2, "one project's cache against another's database: no verdict");
	const found = finding(mismatched.json, 'config.project_mismatch');
	assert.match(
		found.message,
		new RegExp(`the API key \\(its ref claim\\) names ${project}, the database URL names ${otherProject}`)
	);
	assert.equal(checkStatus(mismatched.json, 'config.project'), 'fail');
	assert.equal(checkStatus(mismatched.json, 'api.reachable'), 'pass', 'the rest of the run still happened');
	const plain = await runCli([
		'check',
		'--db-url',
		dbUrl,
		'--api-url',
		restUrl,
		'--api-key',
		keys.serviceRole,
		'--timeout',
		'5',
	]);
	assertNoSecrets(plain);
	assert.match(plain.stdout, /config\.project_mismatch/);

	// The same run with the sb_ secret key (no ref in it) names one project only: nothing to disagree with.
	const agreed = await runCli([
		'check',
		'--db-url',
		dbUrl,
		'--api-url',
		restUrl,
		'--api-key',
		keys.secret,
		'--json',
		'--timeout',
		'5',
	]);
	assertNoSecrets(agreed);
	assert.equal(checkStatus(agreed.json, 'config.project'), 'pass');
	assert.ok(!findingRows(agreed.json).includes('config.project_mismatch'));
	assert.notEqual(agreed.code, 2, JSON.stringify(findingRows(agreed.json)));
});

test("supabase start's API URL without /rest/v1 is read as its PostgREST address", async () => {
	// Whether or not something answers on 54321 here, the address asked is the one under /rest/v1.
	const {json} = await runCli([
		'check',
		'--db-url',
		item.dbUrl,
		'--api-url',
		'http://127.0.0.1:54321',
		'--json',
		'--timeout',
		'2',
	]);
	assert.equal(json.target.api, 'http://127.0.0.1:54321/rest/v1');
	const given = await runCli([
		'check',
		'--db-url',
		item.dbUrl,
		'--api-url',
		restUrl,
		'--api-key',
		keys.secret,
		'--json',
		'--timeout',
		'5',
	]);
	assert.equal(given.json.target.api, restUrl, 'any other address is used as given');
});
