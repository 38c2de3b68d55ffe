// From an error text to its true root cause, for explain and the library. Offline it explains and shows how to tell
// the causes apart; with connections it looks the object up and ends with one verdict and its fix.
import {apiDatabase} from '../checks/apiDatabase.js';
import type {Facts} from '../checks/check.js';
import {postgrestSessions} from '../checks/postgrestSessions.js';
import {configuredRoles, configuredSchemas, exposedSchemas, type DiagnosisOptions, identify, readApi} from '../collectFacts.js';
import type {CheckResult} from '../engine.js';
import {diagnoseError, resolveObject, type Evidence, type Resolved} from '../explain/diagnoseError.js';
import {type LiveRead, narrowByOpenApi, type RequestRoles} from '../explain/grants.js';
import {offlineAdvice} from '../explain/offlineAdvice.js';
import {parseError, recognised, type ParsedError} from '../explain/parseError.js';
import {type Finding, finding} from '../findings.js';
import {type ProbeMethods, Prober} from '../probes/cacheSnapshot.js';
import {databaseFailure} from '../probes/connectionFailure.js';
import {type CatalogTable, type DatabaseSession, openDatabase} from '../probes/database.js';
import {closeHttp, type HttpTarget} from '../probes/http.js';
import {liveRead} from '../probes/liveRead.js';
import {isUnsafe, readProbeHazards, unsafeObjects} from '../probes/mediaHandlers.js';
import {definerViews, lookupObjects, type ObjectLookup, type Policy, privilegesOn, type PrivilegeTarget, usableRelations, writePolicies} from '../probes/objectLookup.js';
import type {ApiFacts} from '../probes/postgrest.js';
import {buildReport, exitCodes, type Report} from '../report/buildReport.js';
import {keyClaim, projectRefs} from '../settings/supabaseShape.js';
import {diagnose, fixAndProve, type FixRequest} from './diagnosis.js';

export type ExplainOptions = DiagnosisOptions & {json: boolean; roles: string[]; fix?: FixRequest; yes?: boolean};

/**
 * explain --fix: exactly check --fix, but only when the verdict is a stale cache (a reload heals it); otherwise
 * nothing runs and the report says why. With --yes the error is explained again after the fix, as the proof.
 */
/** The whole explanation of one error text: offline without a database, connected with one; then --fix when asked. */
export async function explainReport(text: string, options: ExplainOptions): Promise<Report> {
	const parsed = parseError(text);
	const report = options.database ? await explainOnline(parsed, options) : explainOffline(parsed, options);
	if (options.fix && !options.signal?.aborted) return explainFix(parsed, options, options.fix, report);
	return report;
}

async function explainFix(parsed: ParsedError, options: ExplainOptions, request: FixRequest, first: Report): Promise<Report> {
	const {verdict} = first;
	if (!options.database || !verdict?.fixes?.includes('reload')) {
		const why = !options.database ? 'fixes need the database: pass --db-url' : `the verdict is ${verdict?.code ?? 'unknown'}, which ${verdict?.code === 'grant.missing' ? 'the GRANT above heals' : 'no reload or trigger can heal'}`;
		return {...first, fixNotApplied: `Nothing was applied for --fix ${request}: ${why}.`};
	}
	const fixed = await fixAndProve(await diagnose(options), options, request, options.yes ?? false);
	if (!options.yes) return {...first, fixesPlanned: fixed.fixesPlanned, exitCode: Math.max(first.exitCode, exitCodes.problems)};
	const after = await explainOnline(parsed, options);
	const failed = (fixed.fixesApplied ?? []).some(applied => !applied.ok);
	return {...after, fixesApplied: fixed.fixesApplied, before: {exitCode: first.exitCode, findings: first.findings}, exitCode: failed ? Math.max(after.exitCode, exitCodes.problems) : after.exitCode};
}

function baseFacts(options: DiagnosisOptions): Facts {
	return {channel: options.channel, schemas: options.schemas ?? [], schemasSource: options.schemas ? '--schemas' : '', poolerHints: [], timings: {}, settings: options.settings};
}

function verdictCheck(verdict: ReturnType<typeof finding>, findings: ReturnType<typeof finding>[]): CheckResult {
	const status = verdict.severity === 'error' ? 'fail' : verdict.code === 'explain.unrecognised' ? 'skip' : 'pass';
	return {id: 'explain.verdict', title: 'Root cause', status, summary: verdict.message, durationMs: 0, findings};
}

function explainOffline(parsed: ParsedError, options: DiagnosisOptions): Report {
	const facts = baseFacts(options);
	if (parsed.kind === 'unknown') {
		const verdict = finding('explain.unrecognised', {recognised}, {suggestion: parsed.needs ?? 'Paste the JSON body or the message PostgREST answered with.'});
		return {...buildReport(facts, [verdictCheck(verdict, [verdict])], {}), error: parsed, verdict, exitCode: exitCodes.undiagnosed};
	}
	const report = buildReport(facts, [], {});
	return {...report, error: parsed, advice: offlineAdvice(parsed), exitCode: exitCodes.healthy};
}

async function explainOnline(parsed: ParsedError, options: DiagnosisOptions & {roles: string[]}): Promise<Report> {
	const facts = baseFacts(options);
	const target = {db: options.database?.display, api: options.api?.display, connectionString: options.database?.connectionString};
	if (parsed.kind === 'unknown') return explainOffline(parsed, options);
	let session: DatabaseSession | undefined;
	try {
		try {
			session = await openDatabase(options.database!.connectionString, options.timeoutMs, options.signal);
			facts.database = {...(await session.facts()), sessions: await session.sessions()};
		} catch (error) {
			const failure = databaseFailure(error, options.database!.display);
			return {...buildReport(facts, [verdictCheck(failure, [failure])], target), error: parsed, verdict: failure};
		}
		const http = options.api && {baseUrl: options.api.url, apiKey: options.apiKey, timeoutMs: options.timeoutMs, signal: options.signal};
		if (http) await readApi(http, undefined, facts, options.schemas);
		[facts.schemas, facts.schemasSource] = exposedSchemas(options.schemas, facts.api, facts.database, configuredSchemas(options.settings));
		// A key PostgREST rejects fails every request before any privilege or cache lookup, and its role claim proves
		// nothing; a PostgREST serving another database makes every answer about this one beside the point.
		// A key refused only at the OpenAPI root (Supabase's gateway, anon and publishable keys) still reaches PostgREST.
		const decided = facts.apiFailure?.code === 'api.unauthorized' && !facts.api ? facts.apiFailure : await otherDatabase(session, http, facts);
		if (decided) return {...buildReport(facts, [verdictCheck(decided, [decided])], target), error: parsed, verdict: decided};
		const loginRoles = [...new Set(postgrestSessions(facts.database.sessions).map(item => item.user).filter((user): user is string => Boolean(user)))];
		const names = [parsed.table, parsed.parent, parsed.child, parsed.function, parsed.sequence].filter((name): name is string => Boolean(name)).map(name => name.split('.').at(-1)!.replace(/!.*$/, ''));
		const found = await lookupObjects(session, {names, loginRoles, extraRoles: [...options.roles, ...configuredRoles(options.settings)], exposed: facts.schemas});
		const hazards = http && facts.api ? await readProbeHazards(session, facts.schemas) : undefined;
		// A read of no rows as the API's role, where one may be made: never of an object a media type handler answers.
		const tryRead = http && hazards && parsed.kind === 'permission_denied'
			? async (relation: CatalogTable) => isUnsafe(unsafeObjects(hazards, 'application/json', {tables: [relation], functions: []}).tables, relation) ? undefined : liveRead(http, relation, parsed.privilegeOn === 'column' ? parsed.column : undefined)
			: undefined;
		const settled = await settleNamesakes(parsed, resolveObject(parsed, found, facts.schemas), session, tryRead);
		const {resolved} = settled;
		const roles = await openApiRoles(session, requestRoles(options, found.apiRoles), facts.api, facts.schemas, found.everything.tables);
		const object = privilegeTarget(parsed, resolved);
		const lookup: ObjectLookup = {...found, privileges: object ? await privilegesOn(session, roles.names, object) : []};
		if (parsed.kind === 'permission_denied' && resolved.table) lookup.definerViews = await definerViews(session, resolved.table);
		if (object && roles.pinnedBy === '--role') roles.missing = roles.names.filter(name => !lookup.privileges.some(row => row.role === name));
		if (parsed.kind === 'row_security' && resolved.table) lookup.policies = settled.policies ?? await writePolicies(session, resolved.table);
		const evidence: Evidence = {parsed, exposed: facts.schemas, lookup, resolved, channel: options.channel, projectRefs: evidenceRefs(options), roles};
		let probeMethods: ProbeMethods | undefined;
		if (http && facts.api && hazards) {
			// The default schema's OpenAPI relations are the positive controls that prove the probe method on this server.
			const listed = (facts.api.root.openApi?.tables ?? []).map(table => ({...table, schema: facts.api!.exposedSchemas?.[0] ?? facts.schemas[0]!, allColumnsKnown: true}));
			const prober = new Prober(http, hazards, {tables: resolved.table ? [resolved.table] : [], functions: resolved.overloads ?? []}, {version: facts.api.version, listed});
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
			probeMethods = prober.methods;
		}
		const {findings, verdict} = diagnoseError(evidence);
		const extra = facts.apiFailure && !facts.api ? [facts.apiFailure] : [];
		const report = buildReport(facts, [verdictCheck(verdict, [...findings, ...extra])], target);
		if (probeMethods) report.postgrest.probeMethods = probeMethods;
		return {...report, error: parsed, verdict, exitCode: verdict.severity === 'error' ? exitCodes.problems : report.exitCode};
	} finally {
		await session?.close();
		await closeHttp();
	}
}

/** api.other_database when the request the doctor sends through PostgREST runs in another database than --db-url's. */
async function otherDatabase(session: DatabaseSession, http: HttpTarget | undefined, facts: Facts): Promise<Finding | undefined> {
	if (!http || !facts.api) return undefined;
	facts.postgrest = await identify(session, http, facts).catch(() => undefined);
	return apiDatabase.run(facts).findings?.find(found => found.code === 'api.other_database');
}

/** Supabase project refs named by the API URL, the API key's JWT and the database URL. */
function evidenceRefs(options: DiagnosisOptions): Evidence['projectRefs'] {
	return projectRefs(options.api?.url, options.apiKey, options.database?.connectionString);
}

/**
 * The roles requests run as: --role when given; else the API key's role claim (PostgREST switches to it for every
 * request with that key); else every role they may be (lookupObjects' apiRoles).
 */
function requestRoles(options: {roles: string[]; apiKey?: string}, candidates: string[]): RequestRoles {
	if (options.roles.length > 0) return {names: options.roles, pinnedBy: '--role'};
	const claimed = keyClaim(options.apiKey, 'role');
	return claimed ? {names: [claimed], pinnedBy: 'the API key\'s role claim'} : {names: candidates, pinnedBy: null};
}

/**
 * Relations of the same name in several exposed schemas (a 42501 never names the schema): the one whose read of no
 * rows is refused now, or for a row refused by row-level security the one with write policies, is the one the error
 * is about when exactly one is. Otherwise the namesakes stay, and the verdict says it is ambiguous.
 */
async function settleNamesakes(parsed: ParsedError, resolved: Resolved, session: DatabaseSession, tryRead?: (relation: CatalogTable) => Promise<LiveRead | undefined>): Promise<{resolved: Resolved; live?: LiveRead; policies?: Policy[]}> {
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
async function openApiRoles(session: DatabaseSession, roles: RequestRoles, api: ApiFacts | undefined, exposed: string[], tables: CatalogTable[]): Promise<RequestRoles> {
	const listed = api?.root.openApi?.tables;
	const schema = api?.exposedSchemas?.[0] ?? exposed[0];
	if (!listed || schema === undefined || roles.pinnedBy || roles.names.length < 2) return roles;
	const relations = tables.filter(table => table.schema === schema).map(table => table.name);
	return narrowByOpenApi(roles, listed.map(table => table.name), relations, await usableRelations(session, roles.names, schema));
}

/** Whose privileges a verdict needs: the sequence, the relation (and the column, when it has it), the function or the schema. */
function privilegeTarget(parsed: ParsedError, resolved: Resolved): PrivilegeTarget | undefined {
	if (resolved.sequence) return {schema: resolved.sequence.schema, sequence: resolved.sequence};
	if (resolved.table) return {schema: resolved.table.schema, table: resolved.table.name, column: parsed.column !== undefined && resolved.table.columns.includes(parsed.column) ? parsed.column : undefined};
	if (resolved.overloads?.[0]) return {schema: resolved.overloads[0].schema, signature: resolved.overloads[0].signature};
	return resolved.schema ? {schema: resolved.schema} : undefined;
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
