// explain's renderer, beside plainReport: the parsed error, then either the offline advice (what it means, how to
// tell its causes apart) or the connected verdict as a plain report. Reads the report, never computes it.
import type {ParsedError} from '../explain/parseError.js';
import {terminalValues} from '../terminalText.js';
import type {Report} from './buildReport.js';
import {painter, plainReport} from './plainReport.js';

const connectHint = 'Connect it (--db-url and --api-url) and pgrst-doctor finds out which one it is.';

/** The explanation as text; the pasted error and everything read from it are made safe to print first. */
export function explainText(report: Report, color: boolean): string {
	const paint = painter(color);
	const {error, advice} = terminalValues({error: report.error, advice: report.advice});
	const named = error ? namedParts(error) : '';
	const title = `${error?.code ?? 'no code'} ${error?.kind ?? ''}${named ? ` — ${named}` : ''}`;
	const head = `${paint('bold', 'Error')}: ${title}\n`;
	if (advice) {
		const causes = advice.causes
			.map((cause, index) => `  ${index + 1}. ${cause.cause}${cause.check ? `\n     ${cause.check}` : ''}`)
			.join('\n');
		const heading = paint('bold', 'Possible causes, most common first');
		return `${head}\n${advice.meaning}\n\n${heading}\n${causes}\n\n${connectHint}\n`;
	}
	const notApplied = report.fixNotApplied ? `\n${terminalValues({text: report.fixNotApplied}).text}\n` : '';
	return `${head}\n${plainReport(report, paint)}${notApplied}`;
}

/** What the error names, in order: "schema api, table films, column titel". */
function namedParts(error: ParsedError): string {
	const parts: Array<[string, string | undefined]> = [
		['schema', error.schema],
		['table', error.table],
		['column', error.column],
		['function', error.function],
		['arguments', error.args?.join(', ')],
		['between', error.parent && `${error.parent} and ${error.child}`],
	];
	return parts
		.filter(([, value]) => value)
		.map(([key, value]) => `${key} ${value}`)
		.join(', ');
}
