// Supabase's URL and key shapes, read without a network: refs, connection kinds, local defaults, key kinds and the
// claims of legacy JWTs (also broken ones), the project check over facts, and how refusals are worded.
import assert from 'node:assert/strict';
import {createHmac} from 'node:crypto';
import {test} from 'node:test';
import type {Facts} from '../source/checks/check.js';
import {projectMatch} from '../source/checks/projectMatch.js';
import {blocksDiagnosis} from '../source/findings.js';
import {databaseFailure, gatewayRefusal} from '../source/probes/connectionFailure.js';
import {
	apiProjectRef,
	connectionShape,
	databaseShape,
	keyClaim,
	keyExpired,
	keyReach,
	keyShape,
	listensHere,
	localProject,
	namesOtherProjects,
	projectRefs,
	sessionModeAddress,
	supabaseApiUrl,
	supabaseProjectRef,
	transactionPoolerHint,
} from '../source/settings/supabaseShape.js';
import {parseChannel} from '../source/sql/channel.js';

const ref = 'abcdefghijklmnopqrst';
const other = 'zyxwvutsrqponmlkjihg';
const part = (value: unknown) =>
	Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const jwt = (claims: unknown) => {
	const unsigned = `${part({alg: 'HS256', typ: 'JWT'})}.${part(claims)}`;
	return `${unsigned}.${createHmac('sha256', 'a-test-secret-of-at-least-32-characters').update(unsigned).digest('base64url')}`;
};

test('the API URL names its project; a custom domain, a local URL or another host names none', () => {
	assert.equal(apiProjectRef(`https://${ref}.supabase.co`), ref);
	assert.equal(apiProjectRef(`https://${ref}.supabase.co/rest/v1/`), ref);
	assert.equal(
		apiProjectRef(`https://${ref.toUpperCase()}.SUPABASE.CO/rest/v1`),
		ref,
		'host names are case-insensitive'
	);
	assert.equal(apiProjectRef('https://api.example.com/rest/v1'), undefined);
	assert.equal(apiProjectRef('http://127.0.0.1:54321/rest/v1'), undefined);
	assert.equal(apiProjectRef(`https://short.supabase.co`), undefined, 'a ref is 20 letters');
	assert.equal(apiProjectRef(`https://${ref}.supabase.co.evil.example`), undefined);
	assert.equal(apiProjectRef('not a url'), undefined);
});

test('direct host, shared pooler in session and transaction mode, dedicated pooler', () => {
	assert.deepEqual(databaseShape(`postgresql://postgres:pw@db.${ref}.supabase.co:5432/postgres`), {
		kind: 'direct',
		host: `db.${ref}.supabase.co`,
		port: 5432,
		user: 'postgres',
		ref,
	});
	assert.equal(
		databaseShape(`postgresql://postgres:pw@db.${ref}.supabase.co/postgres`)?.kind,
		'direct',
		'no port is 5432'
	);
	assert.deepEqual(databaseShape(`postgresql://postgres:pw@db.${ref}.supabase.co:6543/postgres`), {
		kind: 'dedicated',
		host: `db.${ref}.supabase.co`,
		port: 6543,
		user: 'postgres',
		ref,
	});
	const pooler = 'aws-0-eu-central-1.pooler.supabase.com';
	assert.deepEqual(databaseShape(`postgresql://postgres.${ref}:pw@${pooler}:5432/postgres`), {
		kind: 'session',
		host: pooler,
		port: 5432,
		user: `postgres.${ref}`,
		ref,
	});
	assert.deepEqual(
		databaseShape(`postgresql://postgres.${ref}:pw@aws-1-us-east-2.pooler.supabase.com:6543/postgres`)?.kind,
		'transaction'
	);
	assert.equal(
		databaseShape(`postgresql://postgres:pw@${pooler}:6543/postgres`)?.ref,
		undefined,
		'a pooler user without .<ref> names no project'
	);
	assert.equal(
		databaseShape(`postgresql://${encodeURIComponent(`postgres.${ref}`)}:pw@${pooler}:5432/postgres`)?.ref,
		ref,
		'a percent-encoded user'
	);
	assert.equal(
		databaseShape(`postgresql://readonly.${ref}:pw@${pooler}:5432/postgres`)?.ref,
		ref,
		'any role with .<ref> on the pooler'
	);
	assert.deepEqual(
		databaseShape(`postgresql://postgres.${ref}:pw@pooler.internal:6543/postgres`)?.kind,
		'transaction',
		'postgres.<ref> names Supabase behind any host'
	);
	assert.equal(databaseShape('postgresql://app:pw@db.example.com:5432/app'), undefined);
	assert.equal(
		databaseShape('postgresql://app:pw@localhost:5432/app'),
		undefined,
		'a local 5432 is not supabase start'
	);
});

test('supabase start: the database on 54322 and the pooler on 54329, on 127.0.0.1, localhost or ::1', () => {
	assert.equal(databaseShape('postgresql://postgres:postgres@127.0.0.1:54322/postgres')?.kind, 'local');
	assert.equal(databaseShape('postgresql://postgres:postgres@localhost:54322/postgres')?.kind, 'local');
	assert.equal(databaseShape('postgresql://postgres:postgres@[::1]:54322/postgres')?.kind, 'local');
	assert.equal(databaseShape('postgresql://postgres:postgres@127.0.0.1:54329/postgres')?.kind, 'local-pooler');
	assert.equal(
		connectionShape({host: '127.0.0.1', port: 54322})?.ref,
		undefined,
		'a local database names no project'
	);
});

test('a LISTEN hears only outside transaction mode; the session-mode address keeps the user and never a password', () => {
	assert.deepEqual(
		(['direct', 'session', 'transaction', 'dedicated', 'local', 'local-pooler'] as const).map(listensHere),
		[true, true, false, false, true, true]
	);
	const pooled = databaseShape(
		`postgresql://postgres.${ref}:s3cret-pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres`
	)!;
	assert.equal(
		sessionModeAddress(pooled),
		`postgresql://postgres.${ref}@aws-0-eu-central-1.pooler.supabase.com:5432/postgres`
	);
	assert.equal(
		sessionModeAddress(databaseShape(`postgresql://postgres:s3cret-pw@db.${ref}.supabase.co:6543/postgres`)!),
		`postgresql://postgres@db.${ref}.supabase.co:5432/postgres`,
		"the dedicated pooler's host in session mode is the direct database"
	);
	assert.equal(
		sessionModeAddress(databaseShape(`postgresql://postgres:pw@db.${ref}.supabase.co:5432/postgres`)!),
		undefined
	);
	const hint = transactionPoolerHint(
		`postgresql://postgres.${ref}:s3cret-pw@aws-0-eu-central-1.pooler.supabase.com:6543/app`
	)!;
	assert.match(hint, /a LISTEN never hears a notification/);
	assert.match(
		hint,
		new RegExp(`postgresql://postgres\\.${ref}@aws-0-eu-central-1\\.pooler\\.supabase\\.com:5432/app$`)
	);
	assert.ok(!hint.includes('s3cret-pw'));
	assert.equal(
		transactionPoolerHint('postgresql://app:pw@pgbouncer.local:6543/app'),
		undefined,
		'not Supabase-shaped: the generic hint stays'
	);
});

test('key kinds: publishable, secret, legacy JWTs with their claims, and anything else', () => {
	assert.deepEqual(keyShape('sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH'), {kind: 'publishable'});
	assert.deepEqual(keyShape('sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz'), {kind: 'secret'});
	assert.deepEqual(keyShape(jwt({role: 'anon', ref, iss: 'supabase', exp: 1983812996, iat: 1})), {
		kind: 'jwt',
		role: 'anon',
		ref,
		iss: 'supabase',
		exp: 1983812996,
	});
	assert.deepEqual(keyShape(jwt({role: 'service_role', iss: 'supabase-demo'})), {
		kind: 'jwt',
		role: 'service_role',
		ref: undefined,
		iss: 'supabase-demo',
		exp: undefined,
	});
	assert.deepEqual(
		keyShape(jwt({role: 7, ref: ['x'], exp: 'soon'})),
		{kind: 'jwt', role: undefined, ref: undefined, iss: undefined, exp: undefined},
		'claims of the wrong type are not read'
	);
	assert.deepEqual(
		keyShape(` ${jwt({role: 'anon'})}\n`),
		{kind: 'jwt', role: 'anon', ref: undefined, iss: undefined, exp: undefined},
		'a pasted key with blanks around it'
	);
});

test('broken JWTs are unknown keys, never an exception: bad base64, not JSON, not an object, wrong number of parts', () => {
	for (const key of [
		`${part({alg: 'HS256'})}.@@@not-base64@@@.sig`,
		`${part({alg: 'HS256'})}.${part('not json {')}.sig`,
		`${part({alg: 'HS256'})}.${part('[1,2]')}.sig`,
		`${part({alg: 'HS256'})}.${part('null')}.sig`,
		`${part({alg: 'HS256'})}.${part({role: 'anon'})}`,
		'eyJhbGciOiJIUzI1NiJ9..sig',
		'an-api-key-of-some-gateway',
		'',
	]) {
		assert.deepEqual(keyShape(key), {kind: 'unknown'}, key);
		assert.equal(keyClaim(key, 'role'), undefined);
	}
});

test('which key reaches what: anon and publishable may not read the OpenAPI root, secret and service_role may', () => {
	assert.deepEqual(keyReach(keyShape('sb_publishable_x')), {
		role: 'anon',
		readsOpenApi: false,
		name: 'a publishable key (sb_publishable_…)',
	});
	assert.deepEqual(keyReach(keyShape('sb_secret_x')), {
		role: 'service_role',
		readsOpenApi: true,
		name: 'a secret key (sb_secret_…)',
	});
	assert.equal(keyReach(keyShape(jwt({role: 'anon'}))).readsOpenApi, false);
	assert.equal(keyReach(keyShape(jwt({role: 'service_role'}))).readsOpenApi, true);
	assert.deepEqual(
		keyReach(keyShape(jwt({role: 'authenticated'}))),
		{role: 'authenticated', name: 'a JWT with role authenticated'},
		"a user token: the gateway's answer is not predicted"
	);
	assert.equal(keyReach(keyShape('whatever')).role, undefined);
	assert.equal(keyExpired(keyShape(jwt({role: 'anon', exp: 1_000})), 2_000_000), true);
	assert.equal(keyExpired(keyShape(jwt({role: 'anon', exp: 1983812996})), Date.UTC(2026, 10, 29)), false);
	assert.equal(keyExpired(keyShape('sb_secret_x')), false);
});

test('project refs from URL, key and database; a source naming none never makes a mismatch', () => {
	const apiUrl = `https://${ref}.supabase.co/rest/v1`;
	const databaseUrl = `postgresql://postgres.${other}:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres`;
	assert.deepEqual(projectRefs(apiUrl, jwt({role: 'anon', ref}), databaseUrl), {api: ref, key: ref, database: other});
	assert.equal(namesOtherProjects(projectRefs(apiUrl, jwt({role: 'anon', ref}), databaseUrl)), true);
	assert.equal(
		namesOtherProjects(
			projectRefs(apiUrl, 'sb_secret_x', `postgresql://postgres:pw@db.${ref}.supabase.co:5432/postgres`)
		),
		false
	);
	assert.equal(
		namesOtherProjects(
			projectRefs(
				'https://api.example.com',
				jwt({ref: other}),
				`postgresql://postgres:pw@db.${ref}.supabase.co:5432/postgres`
			)
		),
		true,
		'the key and the database still disagree'
	);
	assert.equal(
		namesOtherProjects(
			projectRefs(
				'https://api.example.com',
				'sb_secret_x',
				`postgresql://postgres:pw@db.${ref}.supabase.co:5432/postgres`
			)
		),
		false,
		'a custom domain is not a mismatch'
	);
	assert.equal(supabaseProjectRef(undefined, `postgresql://postgres:pw@db.${ref}.supabase.co:5432/postgres`), ref);
});

test('supabase start is a project of its own: a cloud API beside the local database is a mismatch, local beside local is not', () => {
	const local = 'postgresql://postgres:pw@127.0.0.1:54322/postgres';
	assert.deepEqual(projectRefs(`https://${ref}.supabase.co/rest/v1`, undefined, local), {
		api: ref,
		key: undefined,
		database: localProject,
	});
	assert.equal(namesOtherProjects(projectRefs(`https://${ref}.supabase.co/rest/v1`, undefined, local)), true);
	assert.equal(
		namesOtherProjects(
			projectRefs('http://127.0.0.1:54321/rest/v1', jwt({role: 'service_role', iss: 'supabase-demo'}), local)
		),
		false
	);
	assert.equal(
		namesOtherProjects(
			projectRefs(
				'http://localhost:54321/rest/v1',
				undefined,
				`postgresql://postgres:pw@db.${ref}.supabase.co:5432/postgres`
			)
		),
		true
	);
	assert.deepEqual(projectRefs('http://127.0.0.1:3000', undefined, 'postgresql://app:pw@127.0.0.1:5432/app'), {
		api: undefined,
		key: undefined,
		database: undefined,
	});
	const found = projectMatch.run(facts({api: ref, database: localProject})).findings![0]!;
	assert.match(
		found.message,
		new RegExp(`the API URL names ${ref}, the database URL names local \\(supabase start\\)`)
	);
	assert.match(found.suggestion!, /supabase status -o env/);
	assert.doesNotMatch(found.suggestion!, /project\/local/, 'no dashboard page for the local project');
});

test('a host written with its final dot (the fully qualified form) names the same project', () => {
	assert.equal(apiProjectRef(`https://${ref}.supabase.co./rest/v1`), ref);
	assert.equal(databaseShape(`postgresql://postgres@db.${ref}.supabase.co.:5432/postgres`)?.ref, ref);
	assert.equal(
		databaseShape(`postgresql://postgres.${ref}@aws-0-eu-central-1.pooler.supabase.com.:6543/postgres`)?.kind,
		'transaction'
	);
});

test("supabaseApiUrl: a project URL and supabase start's API URL get /rest/v1, anything else stays", () => {
	assert.deepEqual(supabaseApiUrl(`https://${ref}.supabase.co`).url, `https://${ref}.supabase.co/rest/v1`);
	assert.match(supabaseApiUrl(`https://${ref}.supabase.co/`).note!, /Supabase project URL/);
	assert.equal(supabaseApiUrl('http://127.0.0.1:54321').url, 'http://127.0.0.1:54321/rest/v1');
	assert.equal(supabaseApiUrl('http://localhost:54321/').url, 'http://localhost:54321/rest/v1');
	for (const url of [
		`https://${ref}.supabase.co/rest/v1`,
		`https://${ref}.supabase.co/functions/v1`,
		'http://localhost:3000',
		'https://api.example.com',
		`https://db.${ref}.supabase.co`,
		`https://${ref}.supabase.co/?x=1`,
	]) {
		assert.deepEqual(supabaseApiUrl(url), {url}, url);
	}
});

const facts = (projectRefs: Facts['projectRefs']): Facts => ({
	channel: parseChannel('pgrst'),
	schemas: [],
	schemasSource: '',
	poolerHints: [],
	timings: {},
	projectRefs,
});

test('config.project: different projects block a verdict and say which source names which', () => {
	const outcome = projectMatch.run(facts({api: ref, key: other, database: ref}));
	assert.equal(outcome.status, 'fail');
	const [found] = outcome.findings!;
	assert.equal(found!.code, 'config.project_mismatch');
	assert.ok(blocksDiagnosis(found!.code), "exit 2: one project's cache against another's database proves nothing");
	assert.match(
		found!.message,
		new RegExp(
			`the API URL names ${ref}, the API key \\(its ref claim\\) names ${other}, the database URL names ${ref}`
		)
	);
	assert.match(
		found!.suggestion!,
		new RegExp(
			`https://supabase\\.com/dashboard/project/${ref}/settings/api-keys or https://supabase\\.com/dashboard/project/${other}/settings/api-keys`
		)
	);
	assert.equal(projectMatch.run(facts({api: ref, database: ref})).status, 'pass');
	assert.equal(projectMatch.run(facts({database: ref})).status, 'pass');
	assert.equal(projectMatch.appliesTo!(facts({})), false, 'a self-hosted PostgREST gets no config.project row');
	assert.equal(projectMatch.appliesTo!(facts(undefined)), false, 'facts from before the refs were read');
	assert.match(
		projectMatch.run(facts({api: ref, key: ref, database: ref})).summary,
		new RegExp(`^The API URL, the API key \\(its ref claim\\) and the database URL name project ${ref}$`)
	);
});

test("the gateway's refusals say the key's kind and where the right key is, never the key", () => {
	const base = `https://${ref}.supabase.co/rest/v1`;
	const anon = jwt({role: 'anon', ref});
	const forbidden = gatewayRefusal({status: 403, gatewayMessage: 'Access to schema is forbidden'}, base, anon)!;
	assert.equal(forbidden.code, 'api.unauthorized');
	assert.match(forbidden.message, /the legacy anon key \(a JWT with role anon\)/);
	assert.match(
		forbidden.suggestion!,
		new RegExp(
			`secret key \\(sb_secret_…\\) or its legacy service_role key \\(https://supabase\\.com/dashboard/project/${ref}/settings/api-keys\\)`
		)
	);
	assert.match(
		gatewayRefusal(
			{status: 403, gatewayMessage: 'Access to schema is forbidden'},
			'https://api.example.com/rest/v1',
			'sb_publishable_x'
		)!.message,
		/a publishable key/
	);
	assert.match(
		gatewayRefusal({status: 401, gatewayMessage: 'No API key found in request'}, base, undefined)!.suggestion!,
		/Pass --api-key/
	);
	const expired = gatewayRefusal(
		{status: 401, gatewayMessage: 'Invalid API key'},
		base,
		jwt({role: 'service_role', exp: 1000})
	)!;
	assert.match(expired.message, /does not accept the legacy service_role key \(its exp claim has passed\)/);
	for (const found of [forbidden, expired]) assert.ok(!JSON.stringify(found).includes(anon.split('.')[1]!));
	assert.match(
		gatewayRefusal({status: 403, gatewayMessage: 'Access to schema is forbidden'}, base, 'sb_secret_x')!
			.suggestion!,
		/should be let through/,
		'a secret key refused is not told to use a secret key'
	);
	assert.equal(
		gatewayRefusal({status: 403}, base, anon),
		undefined,
		'a 403 of another kind is left to the other readings'
	);
	assert.equal(gatewayRefusal({status: 401, gatewayMessage: 'JWT expired'}, base, anon), undefined);
});

const failure = (message: string, code?: string) => Object.assign(new Error(message), code ? {code} : {});

test('the pooler\'s "Tenant or user not found", SSL enforcement and the IPv6-only direct host', () => {
	const tenant = databaseFailure(
		failure('Tenant or user not found', 'XX000'),
		'postgres@aws-0-eu-central-1.pooler.supabase.com:6543/postgres'
	);
	assert.equal(tenant.code, 'db.auth_failed');
	assert.match(tenant.suggestion!, /On Supabase's pooler the user is postgres\.<project-ref> \(it was postgres\)/);
	const ssl = databaseFailure(
		failure('SSL connection is required', '28000'),
		`postgres@db.${ref}.supabase.co:5432/postgres`
	);
	assert.equal(ssl.code, 'db.unreachable', 'not a wrong password');
	assert.match(ssl.message, /accepts only TLS connections/);
	assert.match(ssl.suggestion!, /sslmode=require/);
	for (const code of ['ENOTFOUND', 'ENETUNREACH']) {
		const ipv6 = databaseFailure(failure(`connect ${code}`, code), `postgres@db.${ref}.supabase.co:5432/postgres`);
		assert.equal(ipv6.code, 'db.unreachable');
		assert.match(ipv6.message, /only an IPv6 address/);
		assert.match(
			ipv6.suggestion!,
			new RegExp(
				`postgresql://postgres\\.${ref}:<password>@aws-<n>-<region>\\.pooler\\.supabase\\.com:5432/postgres.*showConnect=true&method=session`
			)
		);
	}
	assert.match(
		databaseFailure(failure('connect ENETUNREACH', 'ENETUNREACH'), `postgres@db.${ref}.supabase.co:6543/postgres`)
			.suggestion!,
		/session pooler/,
		'the dedicated pooler shares the direct host'
	);
	assert.doesNotMatch(
		databaseFailure(failure('getaddrinfo ENOTFOUND db.example.com', 'ENOTFOUND'), 'app@db.example.com:5432/app')
			.message,
		/IPv6/,
		'other hosts keep the plain reason'
	);
});
