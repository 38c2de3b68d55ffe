// pgrst-doctor as a library: the same diagnosis, explanation, reload and wait the CLI runs (one code path), taking
// URLs or an existing pg Pool or Client, and a fetch that recovers supabase-js and postgrest-js from a stale cache.
// What this module exports is the public API, versioned by semver (the readme says what counts as breaking).
import type {FixResult} from './fixes/applyFixes.js';
import {type Connection, diagnosisOptions} from './library/connection.js';
import {libraryIgnoreKeys} from './ignoreKeys.js';
import {diagnose as diagnoseWith, fixAndProve} from './library/diagnosis.js';
import {explainReport} from './library/explainError.js';
import {waitForCache, type WaitedReport} from './library/waitForCache.js';
import type {Report} from './report/buildReport.js';
import {UsageError} from './usageError.js';

export type {Connection} from './library/connection.js';
export {
	createRecoveringFetch,
	type RecoveryEvent,
	type RecoveryOptions,
	type RecoveryOutcome,
	type RecoveryVerdict,
} from './library/recoveringFetch.js';
export {reloadOnlyCodes, type SchemaCacheCode, unexecutedCodes} from './library/schemaCacheError.js';
export {type Finding, type FindingCode, findingCodes, findingKey, type Severity} from './findings.js';
export {exitCodes, type Report} from './report/buildReport.js';
export type {FixId} from './fixes/fixCatalog.js';
export type {FixResult} from './fixes/applyFixes.js';
export type {WaitedReport} from './library/waitForCache.js';
export {type ErrorKind, type ParsedError, parseError} from './explain/parseError.js';
export {UsageError} from './usageError.js';

/**
 * The report `pgrst-doctor check --json` prints, for the same database and PostgREST. ignore: finding keys accepted on
 * purpose, as `--ignore` (they move to report.ignoredFindings; one that blocks the diagnosis cannot be ignored).
 */
export async function diagnose(
	connection: Connection & {probe?: boolean; ignore?: readonly string[]}
): Promise<Report> {
	// Checked as the CLI checks --ignore: an array of strings, each a finding key; a UsageError otherwise.
	const ignore = libraryIgnoreKeys(connection.ignore);
	return diagnoseWith({
		...diagnosisOptions(connection),
		probe: connection.probe,
		...(ignore.length > 0 ? {ignore} : {}),
	});
}

/**
 * What `pgrst-doctor explain --json` says about an error: its parsed form (report.error) and, with a database, one
 * verdict (report.verdict); without one, what it means and how to tell its causes apart (report.advice).
 * error: the text, PostgREST's JSON body, or a supabase-js / postgrest-js error object. request: the request line, for
 * PostgREST 11 and 12's 404 {} (which names nothing itself). roles: the roles requests run as, when known.
 */
export async function explainError(
	error: unknown,
	options: Connection & {request?: {method: string; url: string; status?: number}; roles?: string[]} = {}
): Promise<Report> {
	const line = options.request
		? `${options.request.method.toUpperCase()} ${options.request.url}${options.request.status ? ` ${options.request.status}` : ''}\n`
		: '';
	return explainReport(`${line}${errorText(error)}`, {
		...diagnosisOptions(options),
		json: true,
		roles: options.roles ?? [],
	});
}

/** reloaded: PostgREST reloaded and its cache now matches the database, proved by diagnosing again. */
export type ReloadResult = {reloaded: boolean; fix: FixResult | undefined; report: Report};

/** `pgrst-doctor check --fix reload --yes`: NOTIFY (then escalate), and the diagnosis after it as the proof. */
export async function reloadSchemaCache(connection: Connection): Promise<ReloadResult> {
	const options = diagnosisOptions(connection);
	if (!options.database || !options.api)
		throw new UsageError('reloadSchemaCache needs database (to send the reload) and api (to prove it).');
	const report = await fixAndProve(await diagnoseWith(options), options, 'reload', true);
	const fix = report.fixesApplied?.find(applied => applied.id === 'reload');
	return {reloaded: fix?.ok === true && fix.verified === true, fix, report};
}

/** `pgrst-doctor wait --json`: reload, then wait until the cache matches the database, within waitMs (default 60 000). */
export async function waitForSchemaCache(connection: Connection & {waitMs?: number}): Promise<WaitedReport> {
	const options = diagnosisOptions(connection);
	if (!options.database || !options.api) throw new UsageError('waitForSchemaCache needs both database and api.');
	const waitMs = connection.waitMs ?? 60_000;
	return waitForCache({...options, timeoutMs: Math.min(options.timeoutMs, waitMs), waitMs});
}

/** An error as explain reads it: text as it is; an error object as the JSON of PostgREST's fields it carries. */
function errorText(error: unknown): string {
	if (typeof error === 'string') return error;
	if (error && typeof error === 'object') {
		const {code, message, details, hint} = error as Record<string, unknown>;
		if ([code, message, details, hint].some(value => typeof value === 'string'))
			return JSON.stringify({code, message, details, hint});
		try {
			return JSON.stringify(error);
		} catch {
			// eslint-disable-next-line @typescript-eslint/no-base-to-string -- what JSON cannot write (a cycle): its own toString
			return String(error);
		}
	}
	return String(error);
}
