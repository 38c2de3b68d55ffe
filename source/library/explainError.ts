// From an error text to its true root cause, for explain and the library: parse, look (explain/collectExplanation.ts),
// judge (explain/judgeExplanation.ts), the same collect → judge path check takes; report/explainText.ts shows it.
// Offline it explains and shows how to tell the causes apart; with connections it ends with one verdict and its fix.
import type {DiagnosisOptions} from '../collectFacts.js';
import {collectExplanation} from '../explain/collectExplanation.js';
import {judgeExplanation} from '../explain/judgeExplanation.js';
import {parseError, type ParsedError} from '../explain/parseError.js';
import {exitCodes, type Report} from '../report/buildReport.js';
import {diagnose, fixAndProve, type FixRequest} from './diagnosis.js';

export type ExplainOptions = DiagnosisOptions & {json: boolean; roles: string[]; fix?: FixRequest; yes?: boolean};

/** The whole explanation of one error text: offline without a database, connected with one; then --fix when asked. */
export async function explainReport(text: string, options: ExplainOptions): Promise<Report> {
	const parsed = parseError(text);
	const report = await explainParsed(parsed, options);
	if (options.fix && !options.signal?.aborted) return explainFix(parsed, options, options.fix, report);
	return report;
}

async function explainParsed(parsed: ParsedError, options: ExplainOptions): Promise<Report> {
	return judgeExplanation(await collectExplanation(parsed, options));
}

/**
 * explain --fix: exactly check --fix, but only when the verdict is a stale cache (a reload heals it); otherwise
 * nothing runs and the report says why. With --yes the error is explained again after the fix, as the proof.
 */
async function explainFix(
	parsed: ParsedError,
	options: ExplainOptions,
	request: FixRequest,
	first: Report
): Promise<Report> {
	const {verdict} = first;
	if (!options.database || !verdict?.fixes?.includes('reload')) {
		const heals = verdict?.code === 'grant.missing' ? 'the GRANT above heals' : 'no reload or trigger can heal';
		const why = options.database
			? `the verdict is ${verdict?.code ?? 'unknown'}, which ${heals}`
			: 'fixes need the database: pass --db-url';
		return {...first, fixNotApplied: `Nothing was applied for --fix ${request}: ${why}.`};
	}
	const fixed = await fixAndProve(await diagnose(options), options, request, options.yes ?? false);
	if (!options.yes) {
		return {...first, fixesPlanned: fixed.fixesPlanned, exitCode: Math.max(first.exitCode, exitCodes.problems)};
	}
	const after = await explainParsed(parsed, options);
	const failed = (fixed.fixesApplied ?? []).some(applied => !applied.ok);
	const exitCode = failed ? Math.max(after.exitCode, exitCodes.problems) : after.exitCode;
	const before = {exitCode: first.exitCode, findings: first.findings};
	return {...after, fixesApplied: fixed.fixesApplied, before, exitCode};
}
