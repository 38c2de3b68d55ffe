// One document for every renderer: --json prints it as is, plain text and the Ink app read from it.
import type {CheckStatus, Facts} from '../checks/check.js';
import type {CheckResult} from '../engine.js';
import {type Finding, type FindingCode, blocksDiagnosis, ignoreKeysFor} from '../findings.js';
import type {FixResult} from '../fixes/applyFixes.js';
import {type Fix, fixCatalog, fixesFor, fixIdsFor} from '../fixes/fixCatalog.js';
import type {Advice} from '../explain/offlineAdvice.js';
import type {ParsedError} from '../explain/parseError.js';
import type {ProbeMethods} from '../probes/cacheSnapshot.js';
import {type Channel, parseChannel} from '../sql/channel.js';
import type {ShownSetting} from '../settings/settings.js';
import {shownSettings} from '../settings/shownSettings.js';
import {toolVersion} from '../toolVersion.js';
import type {SeenInstance} from '../checks/postgrestInstances.js';
import type {InstanceResult} from './instanceReport.js';

export type Report = {
	schemaVersion: 1;
	tool: {name: 'pgrst-doctor'; version: string};
	target: {db: string | null; api: string | null};
	/**
	 * notes: sources that could not be used (a malformed or oversized document) and what was compared instead.
	 * probeMethods: which probe method decided relations, columns and functions on this server, with its controls.
	 */
	/** requests, bytesRead: everything this run asked of PostgREST and its admin server (the load it put on them). */
	postgrest: {
		version: string | null;
		cacheSource: string | null;
		probeRequests: number | null;
		requests?: number;
		bytesRead?: number;
		notes?: string[];
		probeMethods?: ProbeMethods;
	};
	/** Milliseconds per phase: reading the database, PostgREST's root, the cache (probes), and judging (checks). */
	timings?: {database?: number; api?: number; cache?: number; checks?: number};
	schemas: {names: string[]; source: string};
	/**
	 * What the doctor used and where each value came from (a flag, the environment, a file), shown without secrets:
	 * the database as user@host:port/db, the API key as its kind. Absent only in reports made before discovery.
	 */
	settings?: ShownSetting[];
	/** Files and values discovery left out, and sources that disagreed: never a secret. */
	settingsNotes?: string[];
	/** `ignored`: every finding this check reported was accepted on purpose (--ignore). */
	checks: Array<Omit<CheckResult, 'findings'> & {ignored?: true}>;
	findings: Finding[];
	/**
	 * --ignore: findings accepted on purpose by their key, kept out of `findings` and the exit code but listed here;
	 * unmatchedIgnores: keys that named no finding; unignorable: keys of findings that kept the diagnosis from being
	 * made, which stay in `findings` (exit 2) because ignoring them would call an undiagnosed run healthy.
	 */
	ignoredFindings?: Finding[];
	unmatchedIgnores?: string[];
	unignorable?: string[];
	/** The fixes the findings point at. */
	fixes: Fix[];
	/** check --fix without --yes: what would run, and whether a dry run (rolled back) succeeded. */
	fixesPlanned?: Array<{id: string; title: string; preview: string; writes: boolean; dryRun?: string}>;
	/** check --fix --yes: what ran, whether re-diagnosing proved it, and how long it took. */
	fixesApplied?: FixResult[];
	/** The diagnosis before the fixes ran. */
	before?: {exitCode: number; findings: Finding[]; ignoredFindings?: Finding[]};
	/**
	 * Several --api-url: each instance's own results, labelled #1, #2, … in the order given (findings about one of them
	 * carry its address in `instance`).
	 */
	instances?: InstanceResult[];
	/** The PostgREST instances the database shows (see checks/postgrestInstances.ts), when more than one or several were asked. */
	instancesSeen?: Array<Omit<SeenInstance, 'reachedBy'> & {reachedBy: string[]}>;
	/** explain: the error as parsed, and the one root cause. */
	error?: ParsedError;
	verdict?: Finding;
	/** explain without a connection: what the error means and how to tell the causes apart. */
	advice?: Advice;
	/** explain --fix when the verdict is not a stale cache: why nothing was applied. */
	fixNotApplied?: string;
	exitCode: number;
};

export const exitCodes = {healthy: 0, problems: 1, undiagnosed: 2, cancelled: 130} as const;

export function buildReport(
	facts: Facts,
	results: CheckResult[],
	target: {db?: string; api?: string; connectionString?: string}
): Report {
	const findings = distinct(results.flatMap(result => result.findings));
	const catalog = fixCatalog(facts.channel, target.api, target.connectionString);
	return {
		schemaVersion: 1,
		tool: {name: 'pgrst-doctor', version: toolVersion},
		target: {db: target.db ?? null, api: target.api ?? null},
		postgrest: {
			version: facts.api?.version ?? null,
			cacheSource: facts.cache?.source ?? null,
			probeRequests: facts.cache?.requests ?? null,
			...(facts.http && facts.apiUrl ? {requests: facts.http.requests, bytesRead: facts.http.bytesRead} : {}),
			notes: [...(facts.api?.notes ?? []), ...(facts.cache?.notes ?? [])],
			...(facts.cache?.probeMethods ? {probeMethods: facts.cache.probeMethods} : {}),
		},
		timings: {
			database: facts.timings.database,
			api: facts.timings.api,
			cache: facts.timings.cache,
			checks: facts.timings.checks,
		},
		schemas: {names: facts.schemas, source: facts.schemasSource},
		settings: settingRows(facts),
		...(facts.settings?.notes.length ? {settingsNotes: facts.settings.notes} : {}),
		...(facts.instancesSeen
			? {
					instancesSeen: facts.instancesSeen.map(group => ({
						...group,
						reachedBy: group.reachedBy.map(index => facts.instancesAsked?.[index] ?? String(index)),
					})),
				}
			: {}),
		checks: results.map(({findings: _findings, ...check}) => check),
		findings,
		fixes: fixesFor(findings, catalog),
		exitCode: exitCodeFor(findings, results),
	};
}

/** The settings as found; the channel as used, when the run followed PostgREST's listener instead of its config. */
function settingRows(facts: Facts): ShownSetting[] {
	const rows = facts.settings ? shownSettings(facts.settings) : [];
	const followed = facts.channelFollowed;
	if (!followed) return rows;
	const channel = {
		name: 'channel',
		value: facts.channel,
		from: `PostgREST's listener in pg_stat_activity (${followed.from} says "${followed.value}")`,
	};
	return rows.map(row => (row.name === 'channel' ? channel : row));
}

/** The channel the diagnosis used, for the fixes that follow it: PostgREST's listener's when the run followed it. */
export function followedChannel(report: Report): Channel | undefined {
	const row = report.settings?.find(
		setting => setting.name === 'channel' && setting.from.startsWith("PostgREST's listener")
	);
	return row ? parseChannel(row.value) : undefined;
}

/** One finding per key (its code and object): two checks may name the same cause. */
function distinct(findings: Finding[]): Finding[] {
	const seen = new Set<string>();
	return findings.filter(found => (seen.has(found.key) ? false : (seen.add(found.key), true)));
}

/**
 * --ignore: the findings whose key was given leave `findings` (and so the exit code, the fixes and the next steps)
 * for `ignoredFindings`, and the check that reported only ignored findings says so (`ignored`). Some findings stay
 * whatever the allow-list says, their keys listed in `unignorable`: one that blocks the diagnosis (the run was not
 * made), one whose check kept other checks from running (what they would have compared was not compared), and
 * cache.inconsistent (the answers of one address disagree, so no comparison through it can be trusted).
 */
export function withIgnores(report: Report, ignore: readonly string[] | undefined): Report {
	if (!ignore || ignore.length === 0) return report;
	const keys = new Set(ignore);
	// A key without @<instance> names the finding on every instance (see keyMatches).
	const asked = (found: Finding) => ignoreKeysFor(found.key).some(key => keys.has(key));
	const blocking = new Set(report.checks.map(check => check.blockedBy).filter(id => id !== undefined));
	const ignorable = (found: Finding) =>
		!blocksDiagnosis(found.code) &&
		!untrustedComparison.has(found.code) &&
		!(found.check && blocking.has(found.check));
	const ignoredFindings: Finding[] = [];
	const findings: Finding[] = [];
	const unignorable = new Set<string>();
	for (const found of report.findings) {
		if (asked(found) && ignorable(found)) ignoredFindings.push(found);
		else findings.push(found);
		if (asked(found) && !ignorable(found)) unignorable.add(found.key);
	}
	const matched = new Set(report.findings.flatMap(found => ignoreKeysFor(found.key)).filter(key => keys.has(key)));
	const kept = fixIdsFor(findings);
	const allIgnored = (id: string) =>
		ignoredFindings.some(found => found.check === id) && !findings.some(found => found.check === id);
	return {
		...report,
		checks: report.checks.map(check =>
			check.status !== 'pass' && allIgnored(check.id) ? {...check, ignored: true} : check
		),
		findings,
		fixes: report.fixes.filter(fix => kept.has(fix.id)),
		ignoredFindings,
		unmatchedIgnores: [...keys].filter(key => !matched.has(key)),
		unignorable: [...unignorable],
		...(report.instances && ignoredFindings.length > 0
			? {
					instances: report.instances.map(instance => {
						const its = findings.filter(
							found => found.instance === undefined || found.instance === instance.api
						);
						return {...instance, exitCode: exitCodeFor(its, instance.checks)};
					}),
				}
			: {}),
		exitCode: ignoredFindings.length > 0 ? exitCodeFor(findings, report.checks) : report.exitCode,
	};
}

/** Why --ignore left the finding with this key in place, as the plain report says it. */
export function unignorableReason(report: Report, key: string): string {
	const found = report.findings.find(candidate => candidate.key === key);
	if (!found || blocksDiagnosis(found.code)) return 'it kept the diagnosis from being made';
	if (untrustedComparison.has(found.code))
		return 'the answers through one address disagree, so no comparison through it is trusted';
	const kept = report.checks
		.filter(check => check.blockedBy !== undefined && check.blockedBy === found.check)
		.map(check => check.id);
	return `it kept ${kept.join(', ')} from running`;
}

/** Findings that say no comparison made through this address can be trusted: never ignored. */
const untrustedComparison = new Set<FindingCode>(['cache.inconsistent']);

/**
 * 2 when the diagnosis was not made: a finding that blocks it, or a check that itself failed (its comparison was not
 * made, whatever the other checks found); 1 for any error; else 0.
 */
export function exitCodeFor(findings: readonly Finding[], checks: ReadonlyArray<{status: CheckStatus}> = []): number {
	if (findings.some(found => blocksDiagnosis(found.code))) return exitCodes.undiagnosed;
	if (checks.some(check => check.status === 'error')) return exitCodes.undiagnosed;
	return findings.some(found => found.severity === 'error') ? exitCodes.problems : exitCodes.healthy;
}
