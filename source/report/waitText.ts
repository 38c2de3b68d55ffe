// wait's renderer, beside plainReport: one sentence with the verdict and how long the wait took, then the report when
// something is left to read. Said first, whatever the verdict: a reload the differences survived, which is why the
// wait ended before --timeout.
import {survivedMessage} from '../fixes/applyFixes.js';
import type {WaitedReport} from '../library/waitForCache.js';
import type {Channel} from '../sql/channel.js';
import {reloadSql} from '../sql/reloadSql.js';
import {terminalLine} from '../terminalText.js';
import {exitCodes, followedChannel} from './buildReport.js';
import {painter, plainReport} from './plainReport.js';

/** channel: the one the wait was told to use, for the reload it names when PostgREST's listener was not followed. */
export function waitText(final: WaitedReport, channel: Channel, color: boolean): string {
	const {
		exitCode,
		waited: {healed, durationMs, survivedReload: survived, staleInstances: stale},
	} = final;
	const details = plainReport(final, painter(color));
	const everyInstance = final.instances ? ` on each of the ${final.instances.length} instances` : '';
	const where = stale?.length ? ` on ${stale.map(terminalLine).join(', ')}` : '';
	const verdict =
		exitCode === exitCodes.undiagnosed
			? `PostgREST's schema cache could not be compared with the database (${durationMs} ms):\n\n${details}`
			: healed
				? `PostgREST's schema cache matches the database${everyInstance} (${durationMs} ms).\n`
				: `PostgREST's schema cache still differs from the database after ${durationMs} ms${where}:\n\n${details}`;
	if (!survived) return verdict;
	return `${survivedMessage(survived, reloadSql(followedChannel(final) ?? channel))}\n\n${verdict}`;
}
