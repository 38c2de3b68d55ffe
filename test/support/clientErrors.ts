// Errors as developers see them: the real supabase-js 2, postgrest-js 2 and postgrest-js 1 clients make requests
// against a running scenario (real PostgreSQL, real PostgREST), and each error they give back is turned into the
// three texts people paste — what console.log(error) prints, JSON.stringify(error), and error.message.
import {createHmac} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {format} from 'node:util';
import {createClient} from '@supabase/supabase-js';
import {PostgrestClient} from '@supabase/postgrest-js';
import {PostgrestClient as PostgrestClientV1} from 'postgrest-js-1';
import {apiProxy} from './apiProxy.js';
import type {Scenario} from './scenario.js';

/**
 * The app every error is produced against. PostgREST must expose `public,api` (api is exposed but anon has no USAGE
 * on it). Each object lacks exactly one privilege of anon's.
 */
export const pastedSchema = `
	create table public.organizations (id int primary key, name text);
	create table public.people (id int primary key, name text, salary int);
	create table public.secrets (id int primary key, value text);
	create view public.secret_names as select id from public.secrets;
	create materialized view public.secret_totals as select count(*) as total from public.secrets;
	create table public.notes (id serial primary key, body text);
	create schema api; create table api.things (id int);
	create function public.payout_total(organization int) returns bigint language sql as 'select 1::bigint';
	create function public.member_count(organization int) returns bigint language sql as 'select 0::bigint';
	revoke execute on function public.payout_total(int) from public;
	grant select, insert on public.organizations to anon;
	grant select (id, name) on public.people to anon;
	grant insert on public.notes to anon;
	grant select on api.things to anon;
	grant execute on function public.member_count(int) to anon;
`;

/** Run after PostgREST loaded its cache and not reloaded: a column and a table it does not know. */
export const afterStart = `
	alter table public.organizations add column created_by text;
	create table public.invoices (id int primary key, total int);
	grant select, insert on public.invoices to anon;
`;

/** The secret PostgREST is started with in test/support/stack.ts. */
const jwtSecret = 'a-jwt-secret-that-is-at-least-32-characters-long';

/** An anon key like Supabase's, signed with the stack's secret so PostgREST accepts it. */
export const anonKey = (() => {
	const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
	const unsigned = `${part({alg: 'HS256', typ: 'JWT'})}.${part({role: 'anon', iss: 'pgrst-doctor-tests'})}`;
	return `${unsigned}.${createHmac('sha256', jwtSecret).update(unsigned).digest('base64url')}`;
})();

export type ClientName = 'supabase-js' | 'postgrest-js' | 'postgrest-js-1';
const installed = (directory: string) =>
	(
		JSON.parse(readFileSync(new URL(`../../node_modules/${directory}/package.json`, import.meta.url), 'utf8')) as {
			version: string;
		}
	).version;
/** The installed versions (postgrest-js 1's package exports hide its package.json, so it is read from disk). */
export const clientVersions: Record<ClientName, string> = {
	'supabase-js': installed('@supabase/supabase-js'),
	'postgrest-js': installed('@supabase/postgrest-js'),
	'postgrest-js-1': installed('postgrest-js-1'),
};

/** The query builders the three clients share (from, rpc, schema): enough to build every request below. */
type Builder = {
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- three clients' builder types, none a subtype of another
	from(relation: string): any;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same, for rpc
	rpc(name: string, args?: object): any;
	schema(name: string): Builder;
};

export type ErrorCase = {
	label: string;
	/** The request as a network tab or a log shows it: method and path, no query string. */
	request: {method: string; path: string};
	send(client: Builder): PromiseLike<{error: unknown}> & {throwOnError(): PromiseLike<unknown>};
};

export const errorCases: ErrorCase[] = [
	{
		label: '42501 table',
		request: {method: 'GET', path: '/secrets'},
		send: client => client.from('secrets').select('*'),
	},
	{
		label: '42501 view',
		request: {method: 'GET', path: '/secret_names'},
		send: client => client.from('secret_names').select('*'),
	},
	{
		label: '42501 materialized view',
		request: {method: 'GET', path: '/secret_totals'},
		send: client => client.from('secret_totals').select('*'),
	},
	{
		label: '42501 sequence',
		request: {method: 'POST', path: '/notes'},
		send: client => client.from('notes').insert({body: 'hello'}),
	},
	{
		label: '42501 schema',
		request: {method: 'GET', path: '/things'},
		send: client => client.schema('api').from('things').select('*'),
	},
	{
		label: '42501 function',
		request: {method: 'POST', path: '/rpc/payout_total'},
		send: client => client.rpc('payout_total', {organization: 1}),
	},
	{
		label: '42501 column',
		request: {method: 'GET', path: '/people'},
		send: client => client.from('people').select('id,salary'),
	},
	{
		label: 'PGRST204 typo column',
		request: {method: 'POST', path: '/organizations'},
		send: client => client.from('organizations').insert({id: 1, nmae: 'x'}),
	},
	{
		label: 'PGRST204 stale column',
		request: {method: 'POST', path: '/organizations'},
		send: client => client.from('organizations').insert({id: 2, name: 'x', created_by: 'ada'}),
	},
	{
		label: 'PGRST202 wrong arguments',
		request: {method: 'POST', path: '/rpc/member_count'},
		send: client => client.rpc('member_count', {org: 1}),
	},
	{
		label: 'PGRST200 no relationship',
		request: {method: 'GET', path: '/organizations'},
		send: client => client.from('organizations').select('*,people(*)'),
	},
	{
		label: 'unknown table',
		request: {method: 'GET', path: '/nothing_here'},
		send: client => client.from('nothing_here').select('*'),
	},
	{
		label: 'insert into an uncached table',
		request: {method: 'POST', path: '/invoices'},
		send: client => client.from('invoices').insert({id: 1, total: 5}),
	},
];

/** How the app got the error: `const {error} = await …` (the default), or thrown by `.throwOnError()`. */
export type Style = 'returned' | 'thrown';

export type PastedForms = {consoleLog: string; json: string; message: string};

export type ClientError = {
	label: string;
	client: ClientName;
	clientVersion: string;
	style: Style;
	request: string;
	forms: PastedForms;
};

/** What a developer copies: console.log's exact text (util.format is what console.log writes), the JSON, the message. */
export function pastedForms(error: unknown): PastedForms {
	return {
		consoleLog: format(error),
		json: String(JSON.stringify(error)),
		message: String((error as {message?: unknown}).message),
	};
}

class NoWebSocket {
	constructor() {
		throw new Error('realtime is not used by these tests');
	}
}

/** The three clients pointed at a scenario. supabase-js asks for <url>/rest/v1, so it talks through a proxy that strips that prefix. */
export async function clients(item: Scenario): Promise<{clients: Record<ClientName, Builder>; close(): Promise<void>}> {
	const proxy = await apiProxy(item.api.url, incoming => {
		incoming.url = (incoming.url ?? '/').replace(/^\/rest\/v1(?=\/|$)/, '') || '/';
		return false;
	});
	const supabase = createClient(proxy.url, anonKey, {
		auth: {persistSession: false, autoRefreshToken: false, detectSessionInUrl: false},
		// Node 20 has no WebSocket and supabase-js insists on one at creation; realtime is never used here.
		realtime: {transport: NoWebSocket as never},
	});
	return {
		clients: {
			'supabase-js': supabase,
			'postgrest-js': new PostgrestClient(item.api.url),
			'postgrest-js-1': new PostgrestClientV1(item.api.url),
		},
		close: async () => proxy.close(),
	};
}

/** One error, live: the case's request by one client, returned or thrown. Fails loudly when the request succeeds. */
export async function produceError(client: Builder, errorCase: ErrorCase, style: Style): Promise<unknown> {
	if (style === 'returned') {
		const {error} = await errorCase.send(client);
		if (!error) throw new Error(`${errorCase.label}: the request succeeded`);
		return error;
	}
	try {
		await errorCase.send(client).throwOnError();
	} catch (error) {
		return error;
	}
	throw new Error(`${errorCase.label}: the request succeeded`);
}

/** Every case by every client in both styles, in the order of errorCases. `afterStart` must have run. */
export async function clientErrors(item: Scenario): Promise<ClientError[]> {
	const {clients: byName, close} = await clients(item);
	try {
		const produced: ClientError[] = [];
		for (const errorCase of errorCases) {
			for (const [client, builder] of Object.entries(byName) as Array<[ClientName, Builder]>) {
				for (const style of ['returned', 'thrown'] as const) {
					const error = await produceError(builder, errorCase, style);
					const request = `${errorCase.request.method} ${errorCase.request.path}`;
					produced.push({
						label: errorCase.label,
						client,
						clientVersion: clientVersions[client],
						style,
						request,
						forms: pastedForms(error),
					});
				}
			}
		}
		return produced;
	} finally {
		await close();
	}
}
