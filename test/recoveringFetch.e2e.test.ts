// The recovering fetch (issue 15, points 2, 4 and 5) with the real @supabase/supabase-js and @supabase/postgrest-js
// against the real PostgreSQL 18 and PostgREST 12.0.2 and 11.2.2. First the claim retrying rests on, per code: the
// requests PostgREST answers with PGRST204, PGRST202, PGRST200 and 404 {} never ran (a side-effect counter stays 0;
// the same requests after a reload move it, the control). Then the app: a migration behind PostgREST's back, and the
// insert recovers by itself; a typo is not retried and comes back with its verdict; an anonymous key cannot make
// PostgREST reload; 100 failing requests at once cause one reload.
import assert from 'node:assert/strict';
import {createServer as createHttpServer} from 'node:http';
import {createServer} from 'node:net';
import {after, describe, test} from 'node:test';
import {PostgrestClient} from '@supabase/postgrest-js';
import {createClient} from '@supabase/supabase-js';
import {createRecoveringFetch, type RecoveryEvent, unexecutedCodes, UsageError, waitForSchemaCache} from 'pgrst-doctor';
import {runCli} from './support/cli.js';
import {useStack} from './support/e2e.js';
import {appSchema, type Scenario, sideEffectCounter} from './support/scenario.js';
import {listenForReloads} from './support/reloadListener.js';
import {postgrestVersions} from './support/stack.js';
import {signJwt} from './support/supabaseStack.js';
import {type Gateway, startGateway} from './support/supabaseGateway.js';

const stack = useStack();
const stackJwtSecret = 'a-jwt-secret-that-is-at-least-32-characters-long';
const anonKey = signJwt({role: 'anon'}, stackJwtSecret);
const serviceKey = signJwt({role: 'service_role'}, stackJwtSecret);

const setup = `${appSchema}
	${sideEffectCounter()}
	do $$ begin
	  if not exists (select from pg_roles where rolname = 'service_role') then create role service_role nologin; end if;
	end $$;
	grant service_role to authenticator;
	grant usage on schema public to service_role;
	grant all on all tables in schema public to service_role;
	alter default privileges in schema public grant all on tables to anon, service_role;
	create schema pgrst_doctor_reload;`;

/** What a migration adds while PostgREST keeps its old cache: one object per code, each write counted. */
const migration = `
	alter table public.members add column nickname text;
	create trigger members_count after insert on public.members for each statement execute function public.count_statement();
	create table public.invoices (id int primary key, total int);
	create trigger invoices_count after insert on public.invoices for each statement execute function public.count_statement();
	create function public.record_visit(who text) returns void language sql as $$ select public.count_effect('rpc ' || who) $$;
	create table public.projects (id int primary key, organization_id int references public.organizations (id));
	create trigger organizations_count after insert on public.organizations for each statement execute function public.count_statement();`;

const effects = async (item: Scenario) =>
	(await item.query('select what from public.side_effects order by what')).map(row => row.what as string);

async function port(): Promise<number> {
	return new Promise(resolve => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as {port: number};
			server.close(() => resolve(port));
		});
	});
}

const gateways: Gateway[] = [];
after(async () => Promise.all(gateways.map(async gateway => gateway.stop())));

/** Supabase's shape: PostgREST behind a gateway at /rest/v1 that maps the project's keys to their JWTs. */
async function gatewayFor(item: Scenario): Promise<Gateway> {
	const keys = new Map([
		[anonKey, {role: 'anon' as const, jwt: anonKey}],
		[serviceKey, {role: 'service_role' as const, jwt: serviceKey}],
	]);
	const gateway = await startGateway(() => item.api.url, keys, await port());
	gateways.push(gateway);
	return gateway;
}

class NoWebSocket {
	constructor() {
		throw new Error('realtime is not used by these tests');
	}
}

/** The app's client: supabase-js with the recovering fetch, through the gateway, as the anonymous key. */
function supabaseClient(gateway: Gateway, recovering: typeof fetch) {
	return createClient(gateway.restUrl.replace(/\/rest\/v1$/, ''), anonKey, {
		global: {fetch: recovering},
		auth: {persistSession: false, autoRefreshToken: false, detectSessionInUrl: false},
		// Node 20 has no WebSocket and supabase-js insists on one at creation; realtime is never used here.
		realtime: {transport: NoWebSocket as never},
	});
}

const settle = async (ms = 300) => new Promise(resolve => setTimeout(resolve, ms));

/** The reload function installed by the fix, and in PostgREST's cache before the test starts. */
async function withReloadFunction(item: Scenario): Promise<void> {
	const installed = await runCli([
		'check',
		'--db-url',
		item.dbUrl,
		'--api-url',
		item.api.url,
		'--json',
		'--fix',
		'reload-function',
		'--yes',
	]);
	assert.equal(installed.json.fixesApplied[0].ok, true, installed.json.fixesApplied[0].message);
	// OpenAPI lists functions from the database, not the cache: the lookup is asked for, with a read that cannot be
	// planned (PGRST200), which stops the call before it runs.
	for (let tries = 0; ; tries++) {
		const lookup = await fetch(`${item.api.url}/rpc/reload_schema_cache?select=*,no_such_embed(*)`, {
			method: 'POST',
			headers: {
				authorization: `Bearer ${serviceKey}`,
				'content-profile': 'pgrst_doctor_reload',
				'content-type': 'application/json',
			},
			body: '{}',
		});
		if (((await lookup.json()) as {code: string}).code === 'PGRST200') break;
		assert.ok(tries < 50, 'PostgREST cached the reload function');
		await settle(100);
	}
	assert.deepEqual(
		await item.query('select sent_at from pgrst_doctor_reload.reload_schema_cache_state'),
		[{sent_at: null}],
		'the lookups never ran it'
	);
}

const kinds = (events: RecoveryEvent[]) => events.map(event => event.type);

for (const version of postgrestVersions) {
	describe(`PostgREST ${version}`, () => {
		const scenario = async () => stack.setUp(setup, {version, schemas: 'public,pgrst_doctor_reload'});

		test(`the codes retried (${unexecutedCodes.join(', ')}) are answered before the request reaches the database`, async () => {
			const item = await scenario();
			await item.query(migration);
			const send = async (path: string, body: unknown, prefer?: string) =>
				fetch(`${item.api.url}${path}`, {
					method: 'POST',
					headers: {
						authorization: `Bearer ${anonKey}`,
						'content-type': 'application/json',
						...(prefer ? {prefer} : {}),
					},
					body: JSON.stringify(body),
				});
			const requests = {
				PGRST204: async () => send('/members', {id: 900, email: 'a@example.com', nickname: 'a'}),
				'404 {}': async () => send('/invoices', {id: 1, total: 5}),
				PGRST202: async () => send('/rpc/record_visit', {who: 'a'}),
				PGRST200: async () =>
					send('/organizations?select=*,projects(*)', {id: 900, name: 'new'}, 'return=representation'),
			};
			assert.deepEqual(
				Object.keys(requests).sort(),
				[...unexecutedCodes].sort(),
				'every code the fetch retries is proved here'
			);
			const stale = await Promise.all(Object.values(requests).map(async request => request()));
			const answers = await Promise.all(
				stale.map(async response => [response.status, await response.text()] as const)
			);
			assert.deepEqual(
				answers.map(([status, body]) => [
					status,
					body === '{}' ? '404 {}' : (JSON.parse(body) as {code: string}).code,
				]),
				[
					[400, 'PGRST204'],
					[404, '404 {}'],
					[404, 'PGRST202'],
					[400, 'PGRST200'],
				]
			);
			await settle();
			assert.deepEqual(
				await effects(item),
				[],
				'none of the rejected requests ran: no trigger fired, the function was not called'
			);

			// The control: once the cache is fresh, the same requests run, and each moves the counter once.
			const waited = await waitForSchemaCache({database: item.dbUrl, api: item.api.url, waitMs: 20_000});
			assert.equal(waited.waited.healed, true);
			const fresh = await Promise.all(Object.values(requests).map(async request => request()));
			assert.deepEqual(
				fresh.map(response => response.ok),
				[true, true, true, true]
			);
			assert.deepEqual(await effects(item), [
				'rpc a',
				'trigger on invoices',
				'trigger on members',
				'trigger on organizations',
			]);
		});

		test("a migration behind PostgREST's back: the supabase-js insert recovers by itself, runs once, and says what it did", async () => {
			const item = await scenario();
			const gateway = await gatewayFor(item);
			await item.query(migration);
			const events: RecoveryEvent[] = [];
			const recovering = createRecoveringFetch({database: item.dbUrl, onEvent: event => events.push(event)});
			const supabase = supabaseClient(gateway, recovering);
			const inserted = await supabase
				.from('members')
				.insert({id: 901, email: 'b@example.com', nickname: 'b'})
				.select('id, nickname');
			assert.equal(inserted.error, null, JSON.stringify(inserted.error));
			assert.deepEqual(inserted.data, [{id: 901, nickname: 'b'}]);
			assert.deepEqual(kinds(events), ['error_seen', 'verdict', 'reload_sent', 'waited', 'retried', 'outcome']);
			const verdict = events.find(event => event.type === 'verdict');
			assert.equal(verdict?.type === 'verdict' && verdict.verdict.code, 'cache.column_missing');
			assert.deepEqual(
				events.find(event => event.type === 'outcome'),
				{
					type: 'outcome',
					request: 1,
					outcome: 'recovered',
					reason: 'The request succeeded once the cache was fresh',
				}
			);
			assert.deepEqual(await item.query('select id from public.members where id = 901'), [{id: 901}]);
			assert.deepEqual(await effects(item), ['trigger on members'], 'the insert ran exactly once');
			const logged = JSON.stringify(events);
			assert.ok(
				!logged.includes(anonKey) && !logged.includes('b@example.com'),
				'no key and no request body in the events'
			);
		});

		test("a typo is not reloaded for nor retried: the app gets PostgREST's error, the events the verdict", async () => {
			const item = await scenario();
			const gateway = await gatewayFor(item);
			const listener = await listenForReloads(item);
			try {
				const events: RecoveryEvent[] = [];
				const recovering = createRecoveringFetch({database: item.dbUrl, onEvent: event => events.push(event)});
				const supabase = supabaseClient(gateway, recovering);
				const typo = await supabase.from('members').insert({id: 902, emial: 'c@example.com'});
				assert.equal(typo.error?.code, 'PGRST204');
				assert.deepEqual(kinds(events), ['error_seen', 'verdict', 'outcome']);
				const verdict = events[1]!;
				assert.ok(verdict.type === 'verdict');
				assert.equal(verdict.verdict.code, 'client.unknown_column');
				assert.equal(verdict.verdict.stale, false);
				assert.match(verdict.verdict.message, /did you mean email\?/);
				assert.equal(events[2]!.type === 'outcome' && events[2]!.outcome, 'not_stale');
				await settle();
				assert.equal(listener.count(), 0, 'no reload was sent');
			} finally {
				await listener.stop();
			}
		});

		test('a database that cannot be reached decides nothing: no reload, no retry, outcome unverified', async () => {
			const item = await scenario();
			await item.query(migration);
			const events: RecoveryEvent[] = [];
			const recovering = createRecoveringFetch({
				database: 'postgresql://nobody:pw@127.0.0.1:1/none',
				timeoutMs: 2000,
				onEvent: event => events.push(event),
			});
			const client = new PostgrestClient(item.api.url, {
				headers: {authorization: `Bearer ${anonKey}`},
				fetch: recovering,
			});
			const failed = await client.from('members').insert({id: 906, email: 'g@example.com', nickname: 'g'});
			assert.equal(failed.error?.code, 'PGRST204');
			assert.deepEqual(kinds(events), ['error_seen', 'verdict', 'outcome']);
			assert.equal(events[1]!.type === 'verdict' && events[1]!.verdict.code, 'db.unreachable');
			assert.equal(events[1]!.type === 'verdict' && events[1]!.verdict.stale, null);
			assert.equal(events[2]!.type === 'outcome' && events[2]!.outcome, 'unverified');
			assert.ok(!JSON.stringify(events).includes(':pw@'), "the database URL's password is in no event");
			assert.deepEqual(await effects(item), []);
		});

		test('the anonymous key cannot make PostgREST reload through the reload function', async () => {
			const item = await scenario();
			await withReloadFunction(item);
			await item.query(migration);
			const listener = await listenForReloads(item);
			try {
				const events: RecoveryEvent[] = [];
				const recovering = createRecoveringFetch({
					api: item.api.url,
					reloadFunction: {apiKey: anonKey},
					waitMs: 1500,
					onEvent: event => events.push(event),
				});
				const client = new PostgrestClient(item.api.url, {
					headers: {authorization: `Bearer ${anonKey}`},
					fetch: recovering,
				});
				const failed = await client.from('members').insert({id: 903, email: 'd@example.com', nickname: 'd'});
				assert.equal(failed.error?.code, 'PGRST204');
				const refused = events.find(event => event.type === 'reload_failed');
				assert.deepEqual(refused, {
					type: 'reload_failed',
					request: 1,
					via: 'function',
					reason: 'the reload function answered HTTP 401 42501',
				});
				assert.ok(!kinds(events).includes('retried'));
				assert.deepEqual(events.at(-1), {
					type: 'outcome',
					request: 1,
					outcome: 'unverified',
					reason: 'No reload could be asked for (see reload_failed), so whether the cache was stale is not known.',
				});
				await settle();
				assert.equal(listener.count(), 0, 'PostgREST was not asked to reload');
				assert.deepEqual(await effects(item), []);
			} finally {
				await listener.stop();
			}
		});

		test('through the fetch, every retried code recovers and runs once, with one reload; a stream body is not sent again', async () => {
			const item = await scenario();
			await item.query(migration);
			const listener = await listenForReloads(item);
			try {
				const events: RecoveryEvent[] = [];
				const recovering = createRecoveringFetch({
					database: item.dbUrl,
					api: item.api.url,
					apiKey: anonKey,
					onEvent: event => events.push(event),
				});
				const client = new PostgrestClient(item.api.url, {
					headers: {authorization: `Bearer ${anonKey}`},
					fetch: recovering,
				});
				const results = await Promise.all([
					client.from('members').insert({id: 904, email: 'e@example.com', nickname: 'e'}),
					client.from('invoices').insert({id: 1, total: 5}),
					client.rpc('record_visit', {who: 'e'}),
					client.from('organizations').insert({id: 904, name: 'new'}).select('*, projects(*)'),
				]);
				assert.deepEqual(
					results.map(result => result.error),
					[null, null, null, null],
					JSON.stringify(events)
				);
				assert.deepEqual(results[3].data, [{id: 904, name: 'new', projects: []}]);
				assert.deepEqual(
					events
						.filter(event => event.type === 'error_seen')
						.map(event => event.type === 'error_seen' && event.code)
						.sort(),
					['404 {}', 'PGRST200', 'PGRST202', 'PGRST204']
				);
				assert.equal(
					events.filter(event => event.type === 'outcome' && event.outcome === 'recovered').length,
					4
				);
				assert.deepEqual(
					await effects(item),
					['rpc e', 'trigger on invoices', 'trigger on members', 'trigger on organizations'],
					'each request ran once'
				);
				await settle();
				assert.equal(listener.count(), 1, 'four stale objects, one reload');
			} finally {
				await listener.stop();
			}

			const streamed = await scenario();
			await streamed.query(migration);
			const events: RecoveryEvent[] = [];
			const recovering = createRecoveringFetch({
				database: streamed.dbUrl,
				api: streamed.api.url,
				apiKey: anonKey,
				onEvent: event => events.push(event),
			});
			const body = new Blob([JSON.stringify({id: 905, email: 'f@example.com', nickname: 'f'})]).stream();
			const response = await recovering(`${streamed.api.url}/members`, {
				method: 'POST',
				headers: {authorization: `Bearer ${anonKey}`, 'content-type': 'application/json'},
				body,
				duplex: 'half',
			} as RequestInit);
			assert.equal(response.status, 400, 'the original answer comes back');
			assert.deepEqual(events.at(-1), {
				type: 'outcome',
				request: 1,
				outcome: 'not_retried',
				reason: 'The request body is a stream, which cannot be sent again; the cache is fresh now',
			});
			assert.ok(!kinds(events).includes('retried'));
			assert.deepEqual(await effects(streamed), []);
		});

		test('without a database URL, every retried code recovers and runs once, after one call of the reload function', async () => {
			const item = await scenario();
			await withReloadFunction(item);
			await item.query(migration);
			const listener = await listenForReloads(item);
			try {
				const events: RecoveryEvent[] = [];
				const recovering = createRecoveringFetch({
					api: item.api.url,
					reloadFunction: {apiKey: serviceKey},
					onEvent: event => events.push(event),
				});
				const client = new PostgrestClient(item.api.url, {
					headers: {authorization: `Bearer ${anonKey}`},
					fetch: recovering,
				});
				const results = await Promise.all([
					client.from('members').insert({id: 907, email: 'h@example.com', nickname: 'h'}),
					client.from('invoices').insert({id: 2, total: 7}),
					client.rpc('record_visit', {who: 'h'}),
					client.from('organizations').insert({id: 907, name: 'newer'}).select('*, projects(*)'),
				]);
				assert.deepEqual(
					results.map(result => result.error),
					[null, null, null, null],
					JSON.stringify(events)
				);
				assert.equal(events.filter(event => event.type === 'reload_sent').length, 1);
				assert.deepEqual(
					events
						.filter(event => event.type === 'verdict')
						.map(event => event.type === 'verdict' && event.verdict.code),
					Array(4).fill('recovery.stale_cache')
				);
				assert.deepEqual(
					await effects(item),
					['rpc h', 'trigger on invoices', 'trigger on members', 'trigger on organizations'],
					"each request ran once; the function's lookups never ran it"
				);
				await settle();
				assert.equal(listener.count(), 1);
			} finally {
				await listener.stop();
			}
		});

		/** 100 inserts at once while the cache lacks nickname: each succeeds and runs once, after one reload. */
		async function burst(
			item: Scenario,
			insert: (id: number) => PromiseLike<{error: unknown}>,
			events: RecoveryEvent[]
		): Promise<void> {
			const listener = await listenForReloads(item);
			try {
				const ids = Array.from({length: 100}, (_, index) => 1000 + index);
				const results = await Promise.all(ids.map(async id => insert(id)));
				assert.deepEqual(
					results.map(result => result.error),
					ids.map(() => null)
				);
				await settle();
				assert.equal(listener.count(), 1, "one NOTIFY reached PostgREST's channel");
				assert.equal(events.filter(event => event.type === 'reload_sent').length, 1);
				assert.equal(events.filter(event => event.type === 'verdict').length, 1, 'one verdict for the burst');
				assert.equal(
					events.filter(event => event.type === 'outcome' && event.outcome === 'recovered').length,
					100
				);
				assert.deepEqual(await item.query('select count(*)::int as n from public.members where id >= 1000'), [
					{n: 100},
				]);
				assert.equal((await effects(item)).length, 100, 'each statement ran once');
			} finally {
				await listener.stop();
			}
		}

		test('100 failing requests at once, with the database URL (postgrest-js): one verdict, one NOTIFY, each insert runs once', async () => {
			const item = await scenario();
			await item.query(migration);
			const events: RecoveryEvent[] = [];
			const recovering = createRecoveringFetch({database: item.dbUrl, onEvent: event => events.push(event)});
			const client = new PostgrestClient(item.api.url, {
				headers: {authorization: `Bearer ${anonKey}`},
				fetch: recovering,
			});
			await burst(
				item,
				id => client.from('members').insert({id, email: `m${id}@example.com`, nickname: `n${id}`}),
				events
			);
		});

		test('100 failing requests at once, without a database URL (supabase-js through the gateway): one call of the reload function', async () => {
			const item = await scenario();
			await withReloadFunction(item);
			await item.query(migration);
			const gateway = await gatewayFor(item);
			const events: RecoveryEvent[] = [];
			const recovering = createRecoveringFetch({
				api: gateway.restUrl,
				reloadFunction: {apiKey: serviceKey},
				onEvent: event => events.push(event),
			});
			const supabase = supabaseClient(gateway, recovering);
			await burst(
				item,
				id => supabase.from('members').insert({id, email: `m${id}@example.com`, nickname: `n${id}`}),
				events
			);
			assert.deepEqual(
				events.find(event => event.type === 'reload_sent'),
				{type: 'reload_sent', request: 1, via: 'function', sent: true}
			);
			assert.ok(
				gateway.requests.some(
					request =>
						request.method === 'POST' &&
						request.path === '/rest/v1/rpc/reload_schema_cache' &&
						request.status === 200
				)
			);
		});
	});
}

const usage = (message: RegExp) => (error: unknown) => error instanceof UsageError && message.test(error.message);

describe('what the recovering fetch sends, and where', () => {
	test("keys go only to the configured api: an answer from another origin that looks like PostgREST's is passed through untouched", async () => {
		const item = await stack.setUp(setup, {schemas: 'public,pgrst_doctor_reload'});
		await withReloadFunction(item);
		// Another origin the app also talks to, answering with a PostgREST-shaped schema-cache error.
		const seen: Array<Record<string, string | string[] | undefined>> = [];
		const other = createHttpServer((incoming, answer) => {
			seen.push(incoming.headers);
			answer
				.writeHead(400, {'content-type': 'application/json'})
				.end(
					'{"code":"PGRST204","details":null,"hint":null,"message":"Could not find the \'x\' column of ' +
						"'t' in the schema cache\"}"
				);
		});
		await new Promise<void>(resolve => other.listen(0, '127.0.0.1', resolve));
		const listener = await listenForReloads(item);
		try {
			const events: RecoveryEvent[] = [];
			const recovering = createRecoveringFetch({
				api: item.api.url,
				reloadFunction: {apiKey: serviceKey},
				apiKey: serviceKey,
				onEvent: event => events.push(event),
			});
			const response = await recovering(`http://127.0.0.1:${(other.address() as {port: number}).port}/t`, {
				method: 'POST',
				body: '{}',
			});
			assert.equal(response.status, 400);
			assert.deepEqual(events, [], 'no recovery for another origin');
			assert.equal(seen.length, 1, "only the app's own request reached it");
			assert.ok(!JSON.stringify(seen).includes(serviceKey), 'the key was never sent there');
			await settle();
			assert.equal(listener.count(), 0);
		} finally {
			await listener.stop();
			other.close();
		}
		// A key without api would have to be sent wherever an error came from: refused at creation.
		assert.throws(
			() => createRecoveringFetch({reloadFunction: {apiKey: serviceKey}}),
			usage(/needs api \(PostgREST's base URL\) with apiKey or reloadFunction/)
		);
		assert.throws(() => createRecoveringFetch({database: item.dbUrl, apiKey: serviceKey}), usage(/needs api/));
	});

	test('a function that ran and raised a schema-cache-shaped error is not sent again, with or without the database', async () => {
		const item = await stack.setUp(
			`${setup}
			create sequence public.charges;
			grant usage on sequence public.charges to anon;
			create function public.charge(amount int) returns int language plpgsql as $$
			begin
			  -- A sequence is not rolled back with the error: it counts the runs.
			  perform pg_catalog.nextval('public.charges');
			  raise sqlstate 'PGRST' using
			    message = '{"code":"PGRST202","message":"Could not find the function public.charge(amount) '
			      'in the schema cache","details":null,"hint":null}',
			    detail = '{"status":404,"headers":{}}';
			end $$;
			grant execute on function public.charge(int) to anon;`,
			{schemas: 'public,pgrst_doctor_reload'}
		);
		await withReloadFunction(item);
		const listener = await listenForReloads(item);
		try {
			for (const [amount, options] of [
				[1, {database: item.dbUrl}],
				[2, {api: item.api.url, reloadFunction: {apiKey: serviceKey}}],
			] as const) {
				const events: RecoveryEvent[] = [];
				const recovering = createRecoveringFetch({...options, onEvent: event => events.push(event)});
				const response = await recovering(`${item.api.url}/rpc/charge`, {
					method: 'POST',
					headers: {authorization: `Bearer ${anonKey}`, 'content-type': 'application/json'},
					body: JSON.stringify({amount}),
				});
				assert.equal(response.status, 404);
				assert.deepEqual(kinds(events), ['error_seen', 'verdict', 'outcome'], JSON.stringify(events));
				assert.equal(events[2]!.type === 'outcome' && events[2]!.outcome, 'not_stale');
			}
			assert.deepEqual(
				await item.query('select last_value::int as runs from public.charges'),
				[{runs: 2}],
				'each call ran once'
			);
			await settle();
			assert.equal(listener.count(), 0, 'nothing was reloaded for');
		} finally {
			await listener.stop();
		}
	});

	test('an error body that never ends, or is larger than 64 KiB, is passed through as it came, within timeoutMs', async () => {
		const item = await stack.setUp(setup);
		const big = JSON.stringify({
			code: 'PGRST204',
			details: null,
			hint: null,
			message: `Could not find the 'x' column of 'members' in the schema cache${' '.repeat(70 * 1024)}`,
		});
		const api = createHttpServer((incoming, answer) => {
			if (incoming.url === '/members') answer.writeHead(400, {'content-type': 'application/json'}).end(big);
			else answer.writeHead(404, {'content-type': 'application/json'}).write('{"code":"PGRST202",');
		});
		await new Promise<void>(resolve => api.listen(0, '127.0.0.1', resolve));
		try {
			const url = `http://127.0.0.1:${(api.address() as {port: number}).port}`;
			const events: RecoveryEvent[] = [];
			const recovering = createRecoveringFetch({
				database: item.dbUrl,
				api: url,
				timeoutMs: 1000,
				onEvent: event => events.push(event),
			});
			const started = performance.now();
			const hanging = await recovering(`${url}/rpc/charge`, {method: 'POST', body: '{}'});
			assert.equal(hanging.status, 404);
			assert.ok(
				performance.now() - started < 3000,
				`returned after ${Math.round(performance.now() - started)} ms`
			);
			const large = await recovering(`${url}/members`, {method: 'POST', body: '{}'});
			assert.equal(large.status, 400);
			assert.equal((await large.text()).length, big.length, "the body is the app's, whole");
			assert.deepEqual(events, []);
		} finally {
			api.closeAllConnections();
			api.close();
		}
	});

	test('options are checked when the fetch is created, with one sentence that holds no password', () => {
		for (const database of ['postgresql://u:SECRETPW@[bad/db', 'mysql://u:SECRETPW@h/db']) {
			assert.throws(
				() => createRecoveringFetch({database}),
				(error: unknown) => error instanceof UsageError && !error.message.includes('SECRETPW')
			);
		}
		assert.throws(
			() => createRecoveringFetch({database: 'postgresql://localhost/db', api: 'ftp://x'}),
			usage(/api URL must start with http:\/\/ or https:\/\//)
		);
		assert.throws(
			() => createRecoveringFetch({database: 'postgresql://localhost/db', timeoutMs: 5}),
			usage(/timeoutMs must be from 100/)
		);
		assert.throws(
			() => createRecoveringFetch({database: 'postgresql://localhost/db', waitMs: -1}),
			usage(/waitMs must be from 0/)
		);
	});
});
