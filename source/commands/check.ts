// `pgrst-doctor check`: look, judge, show. Returns the exit code; never throws for a user-facing failure.
import {collectFacts, type DiagnosisOptions} from '../collectFacts.js';
import {runChecks} from '../engine.js';
import {closeHttp} from '../probes/http.js';
import {buildReport, exitCodes, type Report} from '../report/buildReport.js';
import {painter, plainReport} from '../report/plainReport.js';

export type Output = {write(text: string): void; color: boolean};

export async function diagnose(options: DiagnosisOptions): Promise<Report> {
	try {
		const facts = await collectFacts(options);
		return buildReport(facts, runChecks(facts), {db: options.database?.display, api: options.api?.display});
	} finally {
		await closeHttp();
	}
}

export async function checkCommand(options: DiagnosisOptions & {json: boolean}, output: Output): Promise<number> {
	const report = await diagnose(options);
	if (options.signal?.aborted) return exitCodes.cancelled;
	output.write(options.json ? JSON.stringify(report, null, 2) + '\n' : plainReport(report, painter(output.color)));
	return report.exitCode;
}
