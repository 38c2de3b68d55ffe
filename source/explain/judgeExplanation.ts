// explain's judge: from what was looked at (ExplainFacts, plain data) to the report, with no I/O, the way runChecks
// judges check's Facts. Offline: the advice for the error. Connected: the failure that stopped the looking, or
// diagnoseError's verdict on the object the error names.
import {apiDatabase} from '../checks/apiDatabase.js';
import type {Facts} from '../checks/check.js';
import type {CheckResult} from '../engine.js';
import {type Finding, finding} from '../findings.js';
import type {ProbeMethods} from '../probes/cacheSnapshot.js';
import type {PrivilegeTarget} from '../probes/objectLookup.js';
import {buildReport, exitCodes, type Report} from '../report/buildReport.js';
import {diagnoseError, type Evidence, type Resolved} from './diagnoseError.js';
import {offlineAdvice} from './offlineAdvice.js';
import {type ParsedError, recognised} from './parseError.js';

/** The database and PostgREST as the report names them (connectionString only aims the fixes; never shown). */
export type ExplainTarget = {db?: string; api?: string; connectionString?: string};

/**
 * Everything explain looked at, as plain data (no session, no socket): the judge's whole input.
 * - offline: no database was given, or the error is not one explain recognises; facts hold only the options.
 * - stopped: looking ended at a failure explainStop names (the database, a refused key, another database).
 * - object: the object the error names was looked up in the database and, when it answered, probed in PostgREST.
 */
export type ExplainFacts = LookedOffline | LookingStopped | LookedAtObject;

type LookedOffline = {looked: 'offline'; parsed: ParsedError; facts: Facts};
type LookingStopped = {looked: 'stopped'; parsed: ParsedError; facts: Facts; target: ExplainTarget};
type LookedAtObject = {
	looked: 'object';
	parsed: ParsedError;
	facts: Facts;
	target: ExplainTarget;
	evidence: Evidence;
	probeMethods?: ProbeMethods;
};

export function judgeExplanation(looked: ExplainFacts): Report {
	switch (looked.looked) {
		case 'offline': {
			return offline(looked.parsed, looked.facts);
		}
		case 'stopped': {
			const {parsed, facts, target} = looked;
			const failure = explainStop(facts);
			if (!failure) throw new Error('explain stopped looking without a failure that decides the verdict');
			return {...buildReport(facts, [verdictCheck(failure, [failure])], target), error: parsed, verdict: failure};
		}
		case 'object': {
			return onObject(looked);
		}
		default: {
			const unexpected: never = looked;
			throw new Error(`Unknown explain facts: ${JSON.stringify(unexpected)}`);
		}
	}
}

/**
 * What ends a connected explanation before the object is looked up: the database could not be read; a key PostgREST
 * rejects fails every request before any privilege or cache lookup, and its role claim proves nothing; a PostgREST
 * serving another database makes every answer about this one beside the point. A key refused only at the OpenAPI
 * root (Supabase's gateway, anon and publishable keys) still reaches PostgREST, so it does not stop.
 */
export function explainStop(facts: Facts): Finding | undefined {
	if (facts.databaseFailure) return facts.databaseFailure;
	if (facts.apiFailure?.code === 'api.unauthorized' && !facts.api) return facts.apiFailure;
	if (!facts.api || !facts.database) return undefined;
	return apiDatabase.run(facts).findings?.find(found => found.code === 'api.other_database');
}

/**
 * Whose privileges a verdict needs: the sequence, the relation (and the column, when it has it), the function or the
 * schema.
 */
export function privilegeTarget(parsed: ParsedError, resolved: Resolved): PrivilegeTarget | undefined {
	if (resolved.sequence) return {schema: resolved.sequence.schema, sequence: resolved.sequence};
	if (resolved.table) {
		const {schema, name, columns} = resolved.table;
		const column = parsed.column !== undefined && columns.includes(parsed.column) ? parsed.column : undefined;
		return {schema, table: name, column};
	}
	const [overload] = resolved.overloads ?? [];
	if (overload) return {schema: overload.schema, signature: overload.signature};
	return resolved.schema ? {schema: resolved.schema} : undefined;
}

function offline(parsed: ParsedError, facts: Facts): Report {
	if (parsed.kind === 'unknown') {
		const suggestion = parsed.needs ?? 'Paste the JSON body or the message PostgREST answered with.';
		const verdict = finding('explain.unrecognised', {recognised}, {suggestion});
		const report = buildReport(facts, [verdictCheck(verdict, [verdict])], {});
		return {...report, error: parsed, verdict, exitCode: exitCodes.undiagnosed};
	}
	const report = buildReport(facts, [], {});
	return {...report, error: parsed, advice: offlineAdvice(parsed), exitCode: exitCodes.healthy};
}

function onObject({parsed, facts, target, evidence, probeMethods}: LookedAtObject): Report {
	const {findings, verdict} = diagnoseError(withMissingRoles(evidence));
	const extra = facts.apiFailure && !facts.api ? [facts.apiFailure] : [];
	const report = buildReport(facts, [verdictCheck(verdict, [...findings, ...extra])], target);
	if (probeMethods) report.postgrest.probeMethods = probeMethods;
	const exitCode = verdict.severity === 'error' ? exitCodes.problems : report.exitCode;
	return {...report, error: parsed, verdict, exitCode};
}

/** Roles given with --role that have no privilege row on the object: they do not exist in this database. */
function withMissingRoles(evidence: Evidence): Evidence {
	const {parsed, resolved, roles, lookup} = evidence;
	if (!privilegeTarget(parsed, resolved) || roles.pinnedBy !== '--role') return evidence;
	const missing = roles.names.filter(name => !lookup.privileges.some(row => row.role === name));
	return {...evidence, roles: {...roles, missing}};
}

function verdictCheck(verdict: Finding, findings: Finding[]): CheckResult {
	const status = verdict.severity === 'error' ? 'fail' : verdict.code === 'explain.unrecognised' ? 'skip' : 'pass';
	return {id: 'explain.verdict', title: 'Root cause', status, summary: verdict.message, durationMs: 0, findings};
}
