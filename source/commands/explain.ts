// `pgrst-doctor explain "<error>"`: from an error text to its true root cause. Offline it explains and shows how to
// tell the causes apart; with connections it looks the object up and ends with one verdict and its fix.
import {explainReport, type ExplainOptions} from '../library/explainError.js';
import {exitCodes, type Report} from '../report/buildReport.js';
import {painter, plainReport} from '../report/plainReport.js';
import {terminalValues, jsonDocument} from '../terminalText.js';
import type {Output} from '../report/output.js';

export async function explainCommand(text: string, options: ExplainOptions, output: Output): Promise<number> {
	const report = await explainReport(text, options);
	if (options.signal?.aborted) return exitCodes.cancelled;
	output.write(options.json ? jsonDocument(report) : explainText(report, output.color));
	return report.exitCode;
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
	const notApplied = report.fixNotApplied ? `\n${terminalValues({text: report.fixNotApplied}).text}\n` : '';
	return `${head}\n${plainReport(report, paint)}${notApplied}`;
}
