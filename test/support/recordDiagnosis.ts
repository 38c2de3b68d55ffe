// Records what the unit layer needs from the real servers, on PostgreSQL 18 and each PostgREST binary installed
// (12.0.2 and 11.2.2; <version> below):
// `npm run build && npx tsx test/support/recordDiagnosis.ts`.
// diagnosis-<version>.json: for three states of the tests' app schema (test/support/scenario.ts) plus a few objects
// made for explain — stale (a column and a function added after PostgREST started, no reload trigger), reloaded
// (after check --fix reload --yes) and database unreachable (a port nothing listens on) — the Facts collectFacts
// gathered, the report the built CLI printed with `check --json`, and the text it printed with `check` (piped, no
// colour), each made against that state.
// printed-<version>.json: in the stale state, `check --fix all` (planned, nothing written) and `check --fix reload
// --yes` (applied and proved), each printed with --json and as text from the same state.
// evidence-<version>.json: errors PostgREST answered live in the stale state, each with the Evidence explain collects
// before diagnoseError (the same look-ups as library/explainError.ts, for errors with one candidate object and no
// --role), and the verdict the built CLI's `explain --json` gave for the same error in the same state.
import {writeFileSync} from 'node:fs';
import {postgrestSessions} from '../../source/checks/postgrestSessions.js';
import type {Facts} from '../../source/checks/check.js';
import {collectFacts, exposedSchemas, readApi} from '../../source/collectFacts.js';
import {type Evidence, resolveObject} from '../../source/explain/diagnoseError.js';
import {narrowByOpenApi, type RequestRoles} from '../../source/explain/grants.js';
import {parseError} from '../../source/explain/parseError.js';
import {Prober} from '../../source/probes/cacheSnapshot.js';
import {openDatabase} from '../../source/probes/database.js';
import {closeHttp} from '../../source/probes/http.js';
import {liveRead} from '../../source/probes/liveRead.js';
import {readProbeHazards} from '../../source/probes/mediaHandlers.js';
import {
	definerViews,
	lookupObjects,
	type PrivilegeTarget,
	privilegesOn,
	usableRelations,
} from '../../source/probes/objectLookup.js';
import type {Finding} from '../../source/findings.js';
import {parseChannel} from '../../source/sql/channel.js';
import {databaseTarget, httpTarget} from '../../source/target.js';
import {runCli} from './cli.js';
import {appSchema, type Scenario, scenario} from './scenario.js';
import {freePort, type PostgrestVersion, postgrestVersions, startPostgres} from './stack.js';

const channel = parseChannel('pgrst');
const timeoutMs = 5000;

// Beside the app schema, before PostgREST starts: a camel-case column, a table in a schema PostgREST does not
// expose, and a table anon has no GRANT on.
const explainObjects = `
	alter table public.members add column "displayName" text;
	create schema private;
	create table private.ledger (id int);
	create table public.secrets (id int);
`;
// After PostgREST started, with no trigger to tell it.
const migration = `
	alter table public.organizations add column updated_by text;
	create function public.fresh(a int) returns int language sql as 'select a';
`;
const undoMigration = 'alter table public.organizations drop column updated_by; drop function public.fresh(int);';

const json = {'content-type': 'application/json'};
/** Requests that fail in the stale state, each with the verdict the state implies (asserted by the unit test). */
const failing: Array<[string, string, RequestInit]> = [
	[
		'PGRST204 stale column',
		'/organizations',
		{method: 'POST', headers: json, body: JSON.stringify({id: 1, updated_by: 'x'})},
	],
	['PGRST202 new function', '/rpc/fresh', {method: 'POST', headers: json, body: JSON.stringify({a: 1})}],
	[
		'PGRST202 wrong argument names',
		'/rpc/member_count',
		{method: 'POST', headers: json, body: JSON.stringify({org: 1})},
	],
	['42703 camel-case column asked in lower case', '/members?select=displayname', {}],
	['42703 misspelt column', '/organizations?select=nmae', {}],
	['42P01 table in an unexposed schema', '/ledger', {}],
	['42P01 misspelt table', '/organisations', {}],
	['42501 no GRANT', '/secrets', {}],
	['PGRST200 no foreign key', '/organizations?select=*,secrets(*)', {}],
];

for (const version of postgrestVersions) await record(version);

async function record(version: PostgrestVersion) {
	const pg = await startPostgres();
	try {
		const app = await scenario(pg, `${appSchema}${explainObjects}`, {version});
		try {
			await app.query(migration);
			const flags = ['--db-url', app.dbUrl, '--api-url', app.api.url];
			const stale = await state(app.dbUrl, app.api.url, flags);
			const evidence = [];
			for (const [label, path, init] of failing) {
				const response = await fetch(`${app.api.url}${path}`, init);
				const body = await response.text();
				const explained = await runCli(['explain', body, ...flags, '--json']);
				const verdict = explained.json.verdict as Finding;
				const sent = typeof init.body === 'string' ? ` body ${init.body}` : '';
				const request = `${init.method ?? 'GET'} ${path}${sent}`;
				evidence.push({
					label,
					request,
					status: response.status,
					body,
					evidence: await explainEvidence(body, app.dbUrl, app.api.url),
					explainVerdict: verdict,
				});
			}
			const planned = await printed([...flags, '--fix', 'all']);
			const fixed = await printed([...flags, '--fix', 'reload', '--yes'], async () => restale(app, flags));
			const reloaded = await state(app.dbUrl, app.api.url, flags);
			const nowhere = pg.url(app.name).replace(/:\d+\//, `:${await freePort()}/`);
			const unreachable = await state(nowhere, app.api.url, ['--db-url', nowhere, '--api-url', app.api.url]);
			write('diagnosis', version, {stale, reloaded, unreachable});
			write('printed', version, {planned, fixed});
			write('evidence', version, evidence);
		} finally {
			await app.stop();
		}
	} finally {
		await pg.stop();
	}
}

function write(name: string, version: PostgrestVersion, value: unknown) {
	writeFileSync(
		new URL(`../fixtures/${name}-${version}.json`, import.meta.url),
		JSON.stringify(
			{recordedBy: 'test/support/recordDiagnosis.ts', postgrest: version, postgres: 18, value},
			null,
			1
		) + '\n'
	);
}

/** One state: Facts in process, then `check --json` and `check` through the built CLI. */
async function state(dbUrl: string, apiUrl: string, flags: string[]) {
	const facts = await collectFacts({
		database: databaseTarget(dbUrl),
		api: httpTarget(apiUrl, '--api-url'),
		channel,
		timeoutMs,
	});
	await closeHttp();
	const report = (await runCli(['check', ...flags, '--json'])).json as unknown;
	const plain = await runCli(['check', ...flags], {NO_COLOR: '1'});
	return {facts, report, text: plain.stdout, exitCode: plain.code};
}

/** The stale state again after a fix healed it: the migration undone, reloaded and proved, then made again unseen. */
async function restale(app: Scenario, flags: string[]) {
	await app.query(undoMigration);
	const healed = await runCli(['check', ...flags, '--fix', 'reload', '--yes', '--json']);
	if (healed.json.fixesApplied?.[0]?.verified !== true)
		throw new Error('the reload after undoing the migration was not proved');
	await app.query(migration);
}

/**
 * `check <args>` printed twice, with --json and as text; `between` restores the state the first run changed (a fix
 * that healed it) before the second.
 */
async function printed(args: string[], between?: () => Promise<unknown>) {
	const report = (await runCli(['check', ...args, '--json'])).json as unknown;
	await between?.();
	const plain = await runCli(['check', ...args], {NO_COLOR: '1'});
	return {args: args.slice(4), report, text: plain.stdout, exitCode: plain.code};
}

/** What explain looks up for one error (library/explainError.ts explainOnline, one candidate object, no --role). */
async function explainEvidence(text: string, dbUrl: string, apiUrl: string): Promise<Evidence> {
	const parsed = parseError(text);
	const session = await openDatabase(dbUrl, timeoutMs);
	try {
		const facts: Facts = {channel, schemas: [], schemasSource: '', poolerHints: [], timings: {}};
		facts.database = {...(await session.facts()), sessions: await session.sessions()};
		const http = {baseUrl: apiUrl, timeoutMs};
		await readApi(http, undefined, facts, undefined);
		[facts.schemas] = exposedSchemas(undefined, facts.api, facts.database);
		const loginRoles = [
			...new Set(
				postgrestSessions(facts.database.sessions)
					.map(item => item.user)
					.filter((user): user is string => Boolean(user))
			),
		];
		const names = [parsed.table, parsed.parent, parsed.child, parsed.function, parsed.sequence]
			.filter((name): name is string => Boolean(name))
			.map(name => name.split('.').at(-1)!.replace(/!.*$/, ''));
		const found = await lookupObjects(session, {names, loginRoles, extraRoles: [], exposed: facts.schemas});
		const hazards = await readProbeHazards(session, facts.schemas);
		const resolved = resolveObject(parsed, found, facts.schemas);
		if (resolved.namesakes?.length)
			throw new Error(`${text}: several candidates, which this recorder does not settle`);
		// As explain does: several roles are narrowed by what PostgREST's OpenAPI output lists of the default schema.
		const schema = facts.api?.exposedSchemas?.[0] ?? facts.schemas[0]!;
		const relations = found.everything.tables.filter(table => table.schema === schema).map(table => table.name);
		const listedNames = (facts.api?.root.openApi?.tables ?? []).map(table => table.name);
		const candidates: RequestRoles = {names: found.apiRoles, pinnedBy: null};
		const roles =
			facts.api?.root.openApi && candidates.names.length > 1
				? narrowByOpenApi(
						candidates,
						listedNames,
						relations,
						await usableRelations(session, candidates.names, schema)
					)
				: candidates;
		const object: PrivilegeTarget | undefined = resolved.table
			? {
					schema: resolved.table.schema,
					table: resolved.table.name,
					column:
						parsed.column !== undefined && resolved.table.columns.includes(parsed.column)
							? parsed.column
							: undefined,
				}
			: resolved.overloads?.[0]
				? {schema: resolved.overloads[0].schema, signature: resolved.overloads[0].signature}
				: undefined;
		const evidence: Evidence = {
			parsed,
			exposed: facts.schemas,
			resolved,
			channel,
			projectRefs: {},
			roles,
			lookup: {...found, privileges: object ? await privilegesOn(session, roles.names, object) : []},
		};
		if (parsed.kind === 'permission_denied' && resolved.table) {
			evidence.lookup.definerViews = await definerViews(session, resolved.table);
			evidence.live = await liveRead(http, resolved.table);
		}
		const listed = (facts.api?.root.openApi?.tables ?? []).map(table => ({
			...table,
			schema: facts.schemas[0]!,
			allColumnsKnown: true,
		}));
		const prober = new Prober(
			http,
			hazards,
			{tables: resolved.table ? [resolved.table] : [], functions: resolved.overloads ?? []},
			{version: facts.api?.version, listed}
		);
		if (resolved.table)
			evidence.cachedTable =
				(await prober.table(resolved.table)) ?? (prober.unknown.length > 0 ? undefined : null);
		else if (resolved.overloads?.length)
			evidence.cachedFunction =
				(await prober.functionOverloads(resolved.overloads)) ?? (prober.unknown.length > 0 ? undefined : null);
		return evidence;
	} finally {
		await session.close();
		await closeHttp();
	}
}
