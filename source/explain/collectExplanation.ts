// explain's looking, the way collectFacts looks for check: open the database, read PostgREST's root, look the named
// object up, try the denied read, probe PostgREST's cache for the object, read the API key's role claim. Returns
// ExplainFacts (plain data) for judgeExplanation; it decides only what to look at next, never the verdict.
import type {Facts} from '../checks/check.js';
import {postgrestSessions} from '../checks/postgrestSessions.js';
import {
	configuredRoles,
	configuredSchemas,
	type DiagnosisOptions,
	exposedSchemas,
	identify,
	readApi,
} from '../collectFacts.js';
import {type ProbeMethods, Prober} from '../probes/cacheSnapshot.js';
import {databaseFailure} from '../probes/connectionFailure.js';
import {type CatalogTable, type DatabaseSession, openDatabase} from '../probes/database.js';
import {apiRequests, closeHttp, type HttpTarget} from '../probes/http.js';
import {liveRead} from '../probes/liveRead.js';
import {isUnsafe, readProbeHazards, unsafeObjects} from '../probes/mediaHandlers.js';
import {
	definerViews,
	lookupObjects,
	type ObjectLookup,
	type Policy,
	privilegesOn,
	usableRelations,
	writePolicies,
} from '../probes/objectLookup.js';
import type {ApiFacts} from '../probes/postgrest.js';
import {keyClaim, projectRefs} from '../settings/supabaseShape.js';
import {type Evidence, type Resolved, resolveObject} from './diagnoseError.js';
import {type LiveRead, narrowByOpenApi, type RequestRoles} from './grants.js';
import {type ExplainFacts, explainStop, privilegeTarget} from './judgeExplanation.js';
import type {ParsedError} from './parseError.js';

export type CollectOptions = DiagnosisOptions & {roles: string[]};

/** What explain needs to judge one parsed error: nothing but the options offline, the database and PostgREST online. */
export async function collectExplanation(parsed: ParsedError, options: CollectOptions): Promise<ExplainFacts> {
	const facts = baseFacts(options);
	if (!options.database || parsed.kind === 'unknown') return {looked: 'offline', parsed, facts};
	const {display, connectionString} = options.database;
	const target = {db: display, api: options.api?.display, connectionString};
	let session: DatabaseSession | undefined;
	try {
		try {
			session = await openDatabase(connectionString, options.timeoutMs, options.signal);
			facts.database = {...(await session.facts()), sessions: await session.sessions()};
		} catch (error) {
			facts.databaseFailure = databaseFailure(error, display);
			return {looked: 'stopped', parsed, facts, target};
		}
		const http = options.api && apiRequests(options.api.url, options);
		if (http) await readApi(http, undefined, facts, options.schemas);
		const configured = configuredSchemas(options.settings);
		[facts.schemas, facts.schemasSource] = exposedSchemas(options.schemas, facts.api, facts.database, configured);
		if (http && facts.api) facts.postgrest = await identify(session, http, facts).catch(() => undefined);
		if (explainStop(facts)) return {looked: 'stopped', parsed, facts, target};
		const users = postgrestSessions(facts.database.sessions).map(item => item.user);
		const loginRoles = [...new Set(users.filter((user): user is string => Boolean(user)))];
		const {evidence, probeMethods} = await lookAtObject(parsed, options, facts, {session, http, loginRoles});
		return {looked: 'object', parsed, facts, target, evidence, ...(probeMethods ? {probeMethods} : {})};
	} finally {
		await session?.close();
		await closeHttp();
	}
}

function baseFacts(options: DiagnosisOptions): Facts {
	const schemasSource = options.schemas ? '--schemas' : '';
	const {channel, settings} = options;
	return {channel, schemas: options.schemas ?? [], schemasSource, poolerHints: [], timings: {}, settings};
}

type Looked = {evidence: Evidence; probeMethods?: ProbeMethods};

/** The open session, PostgREST when it was given, and the login roles of PostgREST's sessions in the database. */
type Reach = {session: DatabaseSession; http: HttpTarget | undefined; loginRoles: string[]};

/** The object the error names: in the database (privileges, policies, views over it), then in PostgREST's cache. */
async function lookAtObject(parsed: ParsedError, options: CollectOptions, facts: Facts, reach: Reach): Promise<Looked> {
	const {session, http, loginRoles} = reach;
	const names = [parsed.table, parsed.parent, parsed.child, parsed.function, parsed.sequence]
		.filter((name): name is string => Boolean(name))
		.map(name => name.split('.').at(-1)!.replace(/!.*$/, ''));
	const extraRoles = [...options.roles, ...configuredRoles(options.settings)];
	const found = await lookupObjects(session, {names, loginRoles, extraRoles, exposed: facts.schemas});
	const hazards = http && facts.api ? await readProbeHazards(session, facts.schemas) : undefined;
	// A read of no rows as the API's role, where one may be made: never of an object a media type handler answers.
	const column = parsed.privilegeOn === 'column' ? parsed.column : undefined;
	const tryRead =
		http && hazards && parsed.kind === 'permission_denied'
			? async (relation: CatalogTable) => {
					const unsafe = unsafeObjects(hazards, 'application/json', {
						tables: [relation],
						functions: [],
					}).tables;
					return isUnsafe(unsafe, relation) ? undefined : liveRead(http, relation, column);
				}
			: undefined;
	const settled = await settleNamesakes(parsed, resolveObject(parsed, found, facts.schemas), session, tryRead);
	const {resolved} = settled;
	const candidates = requestRoles(options, found.apiRoles);
	const roles = await openApiRoles(session, candidates, facts.api, facts.schemas, found.everything.tables);
	const object = privilegeTarget(parsed, resolved);
	const lookup: ObjectLookup = {...found, privileges: object ? await privilegesOn(session, roles.names, object) : []};
	if (parsed.kind === 'permission_denied' && resolved.table) {
		lookup.definerViews = await definerViews(session, resolved.table);
	}
	if (parsed.kind === 'row_security' && resolved.table) {
		lookup.policies = settled.policies ?? (await writePolicies(session, resolved.table));
	}
	const evidence: Evidence = {
		parsed,
		exposed: facts.schemas,
		lookup,
		resolved,
		channel: options.channel,
		projectRefs: projectRefs(options.api?.url, options.apiKey, options.database?.connectionString),
		roles,
	};
	if (!http || !facts.api || !hazards) return {evidence};
	// The default schema's OpenAPI relations are the positive controls that prove the probe method on this server.
	const schema = facts.api.exposedSchemas?.[0] ?? facts.schemas[0]!;
	const listed = (facts.api.root.openApi?.tables ?? []).map(table => ({...table, schema, allColumnsKnown: true}));
	const objects = {tables: resolved.table ? [resolved.table] : [], functions: resolved.overloads ?? []};
	const prober = new Prober(http, hazards, objects, {version: facts.api.version, listed});
	if (tryRead) {
		const relation = deniedRelation(parsed, resolved, found.everything.tables);
		evidence.live = settled.live ?? (relation ? await tryRead(relation) : undefined);
	}
	if (resolved.table) {
		const cached = await prober.table(resolved.table);
		evidence.cachedTable = cached ?? (prober.unknown.length > 0 ? undefined : null);
	} else if (resolved.overloads?.length) {
		const cached = await prober.functionOverloads(resolved.overloads);
		evidence.cachedFunction = cached ?? (prober.unknown.length > 0 ? undefined : null);
	}
	return {evidence, probeMethods: prober.methods};
}

/**
 * The roles requests run as: --role when given; else the API key's role claim (PostgREST switches to it for every
 * request with that key); else every role they may be (lookupObjects' apiRoles).
 */
function requestRoles(options: {roles: string[]; apiKey?: string}, candidates: string[]): RequestRoles {
	if (options.roles.length > 0) return {names: options.roles, pinnedBy: '--role'};
	const claimed = keyClaim(options.apiKey, 'role');
	return claimed ? {names: [claimed], pinnedBy: "the API key's role claim"} : {names: candidates, pinnedBy: null};
}

/**
 * Relations of the same name in several exposed schemas (a 42501 never names the schema): the one whose read of no
 * rows is refused now, or for a row refused by row-level security the one with write policies, is the one the error
 * is about when exactly one is. Otherwise the namesakes stay, and the verdict says it is ambiguous.
 */
async function settleNamesakes(
	parsed: ParsedError,
	resolved: Resolved,
	session: DatabaseSession,
	tryRead?: (relation: CatalogTable) => Promise<LiveRead | undefined>
): Promise<{resolved: Resolved; live?: LiveRead; policies?: Policy[]}> {
	if (!resolved.table || !resolved.namesakes?.length) return {resolved};
	const candidates = [resolved.table, ...resolved.namesakes];
	if (parsed.kind === 'permission_denied' && tryRead) {
		const reads = await Promise.all(candidates.map(async table => ({table, live: await tryRead(table)})));
		const refused = reads.filter(read => read.live?.code === '42501');
		if (refused.length === 1) return {resolved: {table: refused[0]!.table}, live: refused[0]!.live};
		return {resolved, live: reads[0]!.live};
	}
	if (parsed.kind === 'row_security') {
		const guarded = [];
		for (const table of candidates) {
			const policies = await writePolicies(session, table);
			if (policies.length > 0) guarded.push({table, policies});
		}
		if (guarded.length === 1) return {resolved: {table: guarded[0]!.table}, policies: guarded[0]!.policies};
	}
	return {resolved};
}

/** The candidates narrowed by what the root OpenAPI (read with the app's key) lists of the default schema. */
async function openApiRoles(
	session: DatabaseSession,
	roles: RequestRoles,
	api: ApiFacts | undefined,
	exposed: string[],
	tables: CatalogTable[]
): Promise<RequestRoles> {
	const listed = api?.root.openApi?.tables;
	const schema = api?.exposedSchemas?.[0] ?? exposed[0];
	if (!listed || schema === undefined || roles.pinnedBy || roles.names.length < 2) return roles;
	const relations = tables.filter(table => table.schema === schema).map(table => table.name);
	const usable = await usableRelations(session, roles.names, schema);
	return narrowByOpenApi(
		roles,
		listed.map(table => table.name),
		relations,
		usable
	);
}

/**
 * The relation a denied read can be tried on: the one the error names, or for a schema the one the pasted request
 * names, else the first relation in it. Sequences and functions are never tried: that would mean an insert or a call.
 */
function deniedRelation(parsed: ParsedError, resolved: Resolved, tables: CatalogTable[]): CatalogTable | undefined {
	if (resolved.table) return resolved.table;
	if (!resolved.schema) return undefined;
	const inSchema = tables.filter(table => table.schema === resolved.schema);
	const requested = parsed.request?.path.split('/').filter(Boolean)[0];
	return inSchema.find(table => table.name === requested) ?? inSchema[0];
}
