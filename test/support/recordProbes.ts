// Records the Prober (source/probes/cacheSnapshot.ts) at work on the real PostgreSQL 18 and each PostgREST binary
// installed (12.0.2 and 11.2.2): `npx tsx test/support/recordProbes.ts` writes test/fixtures/probes-<version>.json.
// The state: the tests' app schema (test/support/scenario.ts) and a table public.projects, then, after PostgREST
// started and with nothing to tell it, a column organizations.updated_by, a table public.invoices, a function
// public.fresh(a int) and a foreign key from projects to organizations. The Prober asks
// through a small proxy that records every request and answer (test/support/probeExchanges.ts); the file holds the
// catalog and OpenAPI listing it was given, each call with what it returned, the methods chosen with their controls,
// the whole cacheSnapshot of the same state with the ApiFacts and foreign keys it was given, and the exchanges.
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {writeFileSync} from 'node:fs';
import type {Facts} from '../../source/checks/check.js';
import {readApi} from '../../source/collectFacts.js';
import {cacheSnapshot, Prober} from '../../source/probes/cacheSnapshot.js';
import {readForeignKeys} from '../../source/probes/foreignKeys.js';
import {openDatabase} from '../../source/probes/database.js';
import {closeHttp} from '../../source/probes/http.js';
import {readProbeHazards} from '../../source/probes/mediaHandlers.js';
import {openApiTables} from '../../source/probes/openApiTables.js';
import {parseChannel} from '../../source/sql/channel.js';
import {type Exchange, readBody, requestKey, withPlaceholders} from './probeExchanges.js';
import {appSchema, scenario} from './scenario.js';
import {postgrestVersions, startPostgres} from './stack.js';

// Beside the app schema before PostgREST starts: a table whose foreign key comes later.
const projects = 'create table public.projects (id int primary key, organization_id int);';
const migration = `
	alter table public.projects add constraint projects_organization_id_fkey
		foreign key (organization_id) references public.organizations (id);
	alter table public.organizations add column updated_by text;
	create table public.invoices (id int primary key, total numeric);
	create function public.fresh(a int) returns int language sql as 'select a';
`;

for (const version of postgrestVersions) await record(version);

async function record(version: (typeof postgrestVersions)[number]) {
	const pg = await startPostgres();
	try {
		const app = await scenario(pg, `${appSchema}${projects}`, {version});
		try {
			await app.query(migration);
			const exchanges = new Map<string, Exchange>();
			const proxy = createServer((request, response) => {
				void (async () => {
					const body = await readBody(request);
					const key = withPlaceholders(
						requestKey(request.method ?? 'GET', request.url ?? '/', request.headers, body)
					);
					const headers = Object.fromEntries(
						Object.entries(request.headers).filter(
							([name]) => !['host', 'content-length', 'connection'].includes(name)
						)
					) as Record<string, string>;
					const answer = await fetch(`${app.api.url}${request.url ?? '/'}`, {
						method: request.method,
						headers,
						...(body ? {body} : {}),
					});
					const text = await answer.text();
					const exchange: Exchange = {
						request: key,
						status: answer.status,
						contentType: answer.headers.get('content-type'),
						body: withPlaceholders(text),
					};
					const earlier = exchanges.get(key);
					if (earlier && JSON.stringify(earlier) !== JSON.stringify(exchange))
						throw new Error(`two answers to ${key}`);
					exchanges.set(key, exchange);
					response.writeHead(
						exchange.status,
						exchange.contentType ? {'content-type': exchange.contentType} : {}
					);
					response.end(text);
				})();
			});
			await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve));
			const target = {baseUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, timeoutMs: 5000};
			const session = await openDatabase(app.dbUrl, 5000);
			const catalog = await session.catalog(['public']);
			const hazards = await readProbeHazards(session, ['public']);
			const foreignKeys = await readForeignKeys(session, ['public']);
			await session.close();
			const openApi = openApiTables(Buffer.from(await (await fetch(`${app.api.url}/`)).arrayBuffer()));
			const listed = (openApi?.tables ?? []).map(table => ({...table, schema: 'public', allColumnsKnown: true}));
			const prober = new Prober(target, hazards, catalog, {version, listed});
			const table = (name: string) => catalog.tables.find(item => item.name === name)!;
			const overloads = (name: string) => catalog.functions.filter(item => item.name === name);
			const calls = [];
			for (const name of ['organizations', 'invoices', 'members'])
				calls.push({call: `table ${name}`, result: (await prober.table(table(name))) ?? null});
			for (const name of ['fresh', 'member_count'])
				calls.push({
					call: `functionOverloads ${name}`,
					result: (await prober.functionOverloads(overloads(name))) ?? null,
				});
			// The whole snapshot, as collectFacts takes it: GET / read directly, the probes through the proxy.
			const facts: Facts = {
				channel: parseChannel('pgrst'),
				schemas: ['public'],
				schemasSource: '',
				poolerHints: [],
				timings: {},
			};
			await readApi({baseUrl: app.api.url, timeoutMs: 5000}, undefined, facts, undefined);
			const api = facts.api!;
			const snapshot = await cacheSnapshot(target, api, {...catalog, foreignKeys}, hazards);
			await closeHttp();
			await new Promise<void>(resolve => {
				proxy.close(() => resolve());
				proxy.closeAllConnections();
			});
			const recorded = {
				recordedBy: 'test/support/recordProbes.ts',
				postgrest: version,
				postgres: 18,
				catalog: {schemas: catalog.schemas, tables: catalog.tables, functions: catalog.functions},
				hazards,
				listed,
				calls,
				api,
				foreignKeys,
				snapshot,
				methods: prober.methods,
				unknown: prober.unknown,
				requests: prober.requests,
				exchanges: [...exchanges.values()],
			};
			writeFileSync(
				new URL(`../fixtures/probes-${version}.json`, import.meta.url),
				JSON.stringify(recorded, null, 1) + '\n'
			);
		} finally {
			await app.stop();
		}
	} finally {
		await pg.stop();
	}
}
