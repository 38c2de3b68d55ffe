// `pgrst-doctor wait`: the post-migration gate. Sends the reload, waits until PostgREST's cache matches the
// database; exit 0, exit 1 with the remaining differences when --timeout runs out or as soon as they survive a proven
// reload, or exit 2 when it could not compare.
import type {DiagnosisOptions} from '../collectFacts.js';
import {waitForCache} from '../library/waitForCache.js';
import {exitCodes} from '../report/buildReport.js';
import type {Output} from '../report/output.js';
import {waitText} from '../report/waitText.js';
import {jsonDocument} from '../terminalText.js';

export async function waitCommand(
	options: DiagnosisOptions & {json: boolean; waitMs: number},
	output: Output
): Promise<number> {
	const final = await waitForCache(options);
	if (options.signal?.aborted) return exitCodes.cancelled;
	output.write(options.json ? jsonDocument(final) : waitText(final, options.channel, output.color));
	return final.exitCode;
}
