// The post-migration gate `wait` and the library share: send the reload, wait until PostgREST's cache matches the
// database, and say how it ended. The reload and the wait share one time budget, whatever PostgREST does.
import type {DiagnosisOptions} from '../collectFacts.js';
import {
	blocksProof,
	isCacheHealed,
	staleInstances,
	type Waited,
	waitAfterReload,
	waitUntilHealed,
} from '../fixes/applyFixes.js';
import {withClient} from '../probes/session.js';
import {databaseNow} from '../probes/reloadObserver.js';
import {catalogFingerprint} from '../probes/recheck.js';
import {exitCodes, followedChannel, type Report} from '../report/buildReport.js';
import {reloadSql} from '../sql/reloadSql.js';
import {diagnose, fixContext} from './diagnosis.js';

/** waited.survivedReload: PostgREST reloaded and the differences stayed, so they are not a stale cache. */
/** waited.staleInstances: several instances checked, the addresses of those whose cache still differs. */
export type WaitedReport = Report & {
	waited: {
		healed: boolean;
		durationMs: number;
		survivedReload?: NonNullable<Waited['survived']>;
		staleInstances?: string[];
	};
};

export async function waitForCache(options: DiagnosisOptions & {waitMs: number}): Promise<WaitedReport> {
	const started = performance.now();
	const before = await diagnose(options);
	let report = before;
	// The channel PostgREST listens on, when its config found here names another (config.channel_mismatch).
	const channel = followedChannel(before) ?? options.channel;
	let survived: Waited['survived'];
	const remainingMs = () => options.waitMs - (performance.now() - started);
	// The same rule as check --fix: no reload when the diagnosis could not be made (it could not be proved either), nor
	// when PostgREST serves another database (the NOTIFY would go where it never listens).
	const futile = before.findings.some(found => blocksProof(found) || found.code === 'api.other_database');
	if (options.database && !isCacheHealed(before) && !futile && remainingMs() > 0) {
		// A database gone before the NOTIFY is not the end of the report: the diagnosis that follows names it.
		const sent = await withClient(
			{
				connectionString: options.database.connectionString,
				timeoutMs: Math.min(options.timeoutMs, Math.max(1, remainingMs())),
				signal: options.signal,
			},
			async client => {
				// As check --fix reload: the fingerprint before the moment a reload must begin after.
				const fingerprint = await catalogFingerprint(client, before.schemas.names).catch(() => undefined);
				const now = await databaseNow(client);
				await client.query(reloadSql(channel));
				return {now, fingerprint};
			}
		).catch(() => undefined);
		if (sent) {
			const context = fixContext(options, before);
			const waited = await waitAfterReload(context, sent.now, Math.max(0, remainingMs()), {
				fingerprint: sent.fingerprint,
			});
			// A migration after the reload: wait is a gate, so it waits on for a reload that takes it in, as before.
			const rest = waited.overtaken ? await waitUntilHealed(context, Math.max(0, remainingMs())) : waited;
			report = rest.report;
			survived = waited.survived;
		} else {
			report = await diagnose(options);
		}
	}
	const healed = isCacheHealed(report);
	const durationMs = Math.round(performance.now() - started);
	const exitCode =
		report.exitCode === exitCodes.undiagnosed
			? exitCodes.undiagnosed
			: healed
				? exitCodes.healthy
				: exitCodes.problems;
	const stale = report.instances && !healed ? {staleInstances: staleInstances(report)} : {};
	return {
		...report,
		waited: {healed, durationMs, ...(survived && !healed ? {survivedReload: survived} : {}), ...stale},
		exitCode,
	};
}
