// `pgrst-doctor wait`: the post-migration gate. Sends the reload, waits until PostgREST's cache matches the
// database; exit 0, exit 1 with the remaining differences when --timeout runs out or as soon as they survive a proven
// reload, or exit 2 when it could not compare.
import type {DiagnosisOptions} from '../collectFacts.js';
import {blocksProof, isCacheHealed, survivedMessage, type Waited, waitAfterReload} from '../fixes/applyFixes.js';
import {withClient} from '../fixes/writeSession.js';
import {databaseNow} from '../probes/reloadObserver.js';
import {exitCodes, followedChannel} from '../report/buildReport.js';
import {painter, plainReport} from '../report/plainReport.js';
import {reloadSql} from '../sql/reloadSql.js';
import {diagnose, fixContext, type Output} from './check.js';
import {jsonDocument} from '../terminalText.js';

export async function waitCommand(options: DiagnosisOptions & {json: boolean; waitMs: number}, output: Output): Promise<number> {
	const started = performance.now();
	const before = await diagnose(options);
	let report = before;
	// The channel PostgREST listens on, when its config found here names another (config.channel_mismatch).
	const channel = followedChannel(before) ?? options.channel;
	let survived: Waited['survived'];
	// The reload and the wait share the one --timeout: wait ends by then, whatever PostgREST does.
	const remainingMs = () => options.waitMs - (performance.now() - started);
	// The same rule as check --fix: no reload when the diagnosis could not be made (it could not be proved either), nor
	// when PostgREST serves another database (the NOTIFY would go where it never listens).
	const futile = before.findings.some(found => blocksProof(found) || found.code === 'api.other_database');
	if (!isCacheHealed(before) && !futile && remainingMs() > 0) {
		// A database gone before the NOTIFY is not the end of the report: the diagnosis that follows names it.
		const since = await withClient({connectionString: options.database!.connectionString, timeoutMs: Math.min(options.timeoutMs, Math.max(1, remainingMs())), signal: options.signal}, async client => {
			const now = await databaseNow(client);
			await client.query(reloadSql(channel));
			return now;
		}).catch(() => undefined);
		if (since) {
			const waited = await waitAfterReload(fixContext(options, before), since, Math.max(0, remainingMs()));
			report = waited.report;
			survived = waited.survived;
		} else {
			report = await diagnose(options);
		}
	}
	if (options.signal?.aborted) return exitCodes.cancelled;
	const healed = isCacheHealed(report);
	const durationMs = Math.round(performance.now() - started);
	const exitCode = report.exitCode === exitCodes.undiagnosed ? exitCodes.undiagnosed : healed ? exitCodes.healthy : exitCodes.problems;
	const final = {...report, waited: {healed, durationMs, ...(survived && !healed ? {survivedReload: survived} : {})}, exitCode};
	if (options.json) {
		output.write(jsonDocument(final));
	} else {
		const details = plainReport(final, painter(output.color));
		const verdict = exitCode === exitCodes.undiagnosed
			? `PostgREST's schema cache could not be compared with the database (${durationMs} ms):\n\n${details}`
			: healed
				? `PostgREST's schema cache matches the database (${durationMs} ms).\n`
				: `PostgREST's schema cache still differs from the database after ${durationMs} ms:\n\n${details}`;
		// Said first, whatever the verdict: it is why the wait ended before --timeout.
		output.write(survived && !healed ? `${survivedMessage(survived, reloadSql(channel))}\n\n${verdict}` : verdict);
	}
	return exitCode;
}
