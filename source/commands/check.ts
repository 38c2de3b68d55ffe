// `pgrst-doctor check`: look, judge, show — and with --fix, heal and prove it. Returns the exit code.
import {diagnose, fixAndProve, type FixOptions, type FixRequest} from '../library/diagnosis.js';
import {exitCodes} from '../report/buildReport.js';
import {painter, plainReport} from '../report/plainReport.js';
import type {Output} from '../report/output.js';
import {jsonDocument} from '../terminalText.js';

export async function checkCommand(
	options: FixOptions & {json: boolean; fix?: FixRequest; yes: boolean},
	output: Output
): Promise<number> {
	let report = await diagnose(options);
	if (options.signal?.aborted) return exitCodes.cancelled;
	if (options.fix) report = await fixAndProve(report, options, options.fix, options.yes);
	if (options.signal?.aborted) return exitCodes.cancelled;
	output.write(options.json ? jsonDocument(report) : plainReport(report, painter(output.color)));
	return report.exitCode;
}
