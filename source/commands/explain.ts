// `pgrst-doctor explain "<error>"`: from an error text to its true root cause. Offline it explains and shows how to
// tell the causes apart; with connections it looks the object up and ends with one verdict and its fix.
// The library looks and judges (library/explainError.ts); report/explainText.ts shows; this only writes.
import {explainReport, type ExplainOptions} from '../library/explainError.js';
import {exitCodes} from '../report/buildReport.js';
import {explainText} from '../report/explainText.js';
import type {Output} from '../report/output.js';
import {jsonDocument} from '../terminalText.js';

export async function explainCommand(text: string, options: ExplainOptions, output: Output): Promise<number> {
	const report = await explainReport(text, options);
	if (options.signal?.aborted) return exitCodes.cancelled;
	output.write(options.json ? jsonDocument(report) : explainText(report, output.color));
	return report.exitCode;
}
