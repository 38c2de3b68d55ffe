// `pgrst-doctor wait`: the post-migration gate. Sends the reload, waits until PostgREST's cache matches the
// database; exit 0, exit 1 with the remaining differences when --timeout runs out or as soon as they survive a proven
// reload, or exit 2 when it could not compare.
import type {DiagnosisOptions} from '../collectFacts.js';
import {survivedMessage} from '../fixes/applyFixes.js';
import {waitForCache} from '../library/waitForCache.js';
import {exitCodes, followedChannel} from '../report/buildReport.js';
import {painter, plainReport} from '../report/plainReport.js';
import {reloadSql} from '../sql/reloadSql.js';
import type {Output} from '../report/output.js';
import {jsonDocument, terminalLine} from '../terminalText.js';

export async function waitCommand(options: DiagnosisOptions & {json: boolean; waitMs: number}, output: Output): Promise<number> {
	const final = await waitForCache(options);
	if (options.signal?.aborted) return exitCodes.cancelled;
	const {exitCode, waited: {healed, durationMs, survivedReload: survived, staleInstances: stale}} = final;
	if (options.json) {
		output.write(jsonDocument(final));
	} else {
		const details = plainReport(final, painter(output.color));
		const verdict = exitCode === exitCodes.undiagnosed
			? `PostgREST's schema cache could not be compared with the database (${durationMs} ms):\n\n${details}`
			: healed
				? `PostgREST's schema cache matches the database${final.instances ? ` on each of the ${final.instances.length} instances` : ''} (${durationMs} ms).\n`
				: `PostgREST's schema cache still differs from the database after ${durationMs} ms${stale?.length ? ` on ${stale.map(terminalLine).join(', ')}` : ''}:\n\n${details}`;
		// Said first, whatever the verdict: it is why the wait ended before --timeout.
		output.write(survived ? `${survivedMessage(survived, reloadSql(followedChannel(final) ?? options.channel))}\n\n${verdict}` : verdict);
	}
	return exitCode;
}
