// `pgrst-doctor explain "<error>"`: from an error text to its true root cause. Offline it explains and shows how to
// tell the causes apart; with connections it looks the object up and ends with one verdict and its fix.
import type {Facts} from '../checks/check.js';
import {postgrestSessions} from '../checks/postgrestSessions.js';
import {exposedSchemas, type DiagnosisOptions} from '../collectFacts.js';
import type {CheckResult} from '../engine.js';
import {diagnoseError, resolveObject, type Evidence} from '../explain/diagnoseError.js';
import {offlineAdvice} from '../explain/offlineAdvice.js';
import {parseError, recognised, type ParsedError} from '../explain/parseError.js';
import {finding} from '../findings.js';
import {supabaseProjectRef} from '../fixes/manualReload.js';
import {type ProbeMethods, Prober} from '../probes/cacheSnapshot.js';
import {apiFailure, databaseFailure} from '../probes/connectionFailure.js';
import {openDatabase, type DatabaseSession} from '../probes/database.js';
import {closeHttp} from '../probes/http.js';
import {readProbeHazards} from '../probes/mediaHandlers.js';
import {lookupObjects, type ObjectLookup, privilegesOn} from '../probes/objectLookup.js';
import {apiFacts, type ApiFacts} from '../probes/postgrest.js';
import {buildReport, exitCodes, type Report} from '../report/buildReport.js';
import {painter, plainReport} from '../report/plainReport.js';
import {terminalValues} from '../terminalText.js';
import type {Output} from './check.js';

export async function explainCommand(text: string, options: DiagnosisOptions & {json: boolean; roles: string[]}, output: Output): Promise<number> {
	const parsed = parseError(text);
	const report = options.database ? await explainOnline(parsed, options) : explainOffline(parsed, options);
	if (options.signal?.aborted) return exitCodes.cancelled;
	output.write(options.json ? JSON.stringify(report, null, 2) + '\n' : explainText(report, output.color));
	return report.exitCode;
}

function baseFacts(options: DiagnosisOptions): Facts {
	return {channel: options.channel, schemas: options.schemas ?? [], schemasSource: options.schemas ? '--schemas' : '', poolerHints: [], timings: {}};
}

function verdictCheck(verdict: ReturnType<typeof finding>, findings: ReturnType<typeof finding>[]): CheckResult {
	const status = verdict.severity === 'error' ? 'fail' : verdict.code === 'explain.unrecognised' ? 'skip' : 'pass';
	return {id: 'explain.verdict', title: 'Root cause', status, summary: verdict.message, durationMs: 0, findings};
}

function explainOffline(parsed: ParsedError, options: DiagnosisOptions): Report {
	const facts = baseFacts(options);
	if (parsed.kind === 'unknown') {
		const verdict = finding('explain.unrecognised', `Not an error pgrst-doctor recognises. It understands: ${recognised.join('; ')}`, {suggestion: 'Paste the JSON body or the message PostgREST answered with.'});
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
		let api: ApiFacts | undefined;
		if (http) api = await apiFacts(http).catch(error => {
			facts.apiFailure = apiFailure(error, http.baseUrl);
			return undefined;
		});
		facts.api = api?.isPostgrest ? api : undefined;
		[facts.schemas, facts.schemasSource] = exposedSchemas(options.schemas, facts.api, facts.database);
		const loginRoles = [...new Set(postgrestSessions(facts.database.sessions).map(item => item.user).filter((user): user is string => Boolean(user)))];
		const names = [parsed.table, parsed.parent, parsed.child, parsed.function].filter((name): name is string => Boolean(name)).map(name => name.split('.').at(-1)!.replace(/!.*$/, ''));
		const found = await lookupObjects(session, {names, loginRoles, extraRoles: options.roles});
		const resolved = resolveObject(parsed, found, facts.schemas);
		const object = resolved.table ? {schema: resolved.table.schema, table: resolved.table.name} : resolved.overloads?.[0] ? {schema: resolved.overloads[0].schema, signature: resolved.overloads[0].signature} : undefined;
		const lookup: ObjectLookup = {...found, privileges: object ? await privilegesOn(session, found.apiRoles, object) : []};
		const evidence: Evidence = {parsed, exposed: facts.schemas, lookup, resolved, channel: options.channel, projectRefs: projectRefs(options)};
		let probeMethods: ProbeMethods | undefined;
		if (http && facts.api) {
			// The default schema's OpenAPI relations are the positive controls that prove the probe method on this server.
			const listed = (facts.api.root.openApi?.tables ?? []).map(table => ({...table, schema: facts.api!.exposedSchemas?.[0] ?? facts.schemas[0]!, allColumnsKnown: true}));
			const prober = new Prober(http, await readProbeHazards(session, facts.schemas), {tables: resolved.table ? [resolved.table] : [], functions: resolved.overloads ?? []}, {version: facts.api.version, listed});
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
		const extra = facts.apiFailure ? [facts.apiFailure] : [];
		const report = buildReport(facts, [verdictCheck(verdict, [...findings, ...extra])], target);
		if (probeMethods) report.postgrest.probeMethods = probeMethods;
		return {...report, error: parsed, verdict, exitCode: verdict.severity === 'error' ? exitCodes.problems : report.exitCode};
	} finally {
		await session?.close();
		await closeHttp();
	}
}

/** Supabase project refs named by the API URL, the API key's JWT (decoded, not verified) and the database URL. */
function projectRefs(options: DiagnosisOptions): Evidence['projectRefs'] {
	let key: string | undefined;
	const payload = options.apiKey?.split('.')[1];
	if (payload) {
		try {
			const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {ref?: unknown};
			if (typeof claims.ref === 'string') key = claims.ref;
		} catch {}
	}
	return {api: supabaseProjectRef(options.api?.url), key, database: supabaseProjectRef(undefined, options.database?.connectionString)};
}

/** The explanation as text; the pasted error and everything read from it are made safe to print first. */
export function explainText(report: Report, color: boolean): string {
	const paint = painter(color);
	const {error, advice} = terminalValues({error: report.error, advice: report.advice});
	const named = error ? [['schema', error.schema], ['table', error.table], ['column', error.column], ['function', error.function], ['arguments', error.args?.join(', ')], ['between', error.parent && `${error.parent} and ${error.child}`]].filter(([, value]) => value).map(([key, value]) => `${key} ${value}`).join(', ') : '';
	const head = `${paint('bold', 'Error')}: ${error?.code ?? 'no code'} ${error?.kind ?? ''}${named ? ` — ${named}` : ''}\n`;
	if (advice) {
		const causes = advice.causes.map((cause, index) => `  ${index + 1}. ${cause.cause}${cause.check ? `\n     ${cause.check}` : ''}`).join('\n');
		return `${head}\n${advice.meaning}\n\n${paint('bold', 'Possible causes, most common first')}\n${causes}\n\nConnect it (--db-url and --api-url) and pgrst-doctor finds out which one it is.\n`;
	}
	return `${head}\n${plainReport(report, paint)}`;
}
