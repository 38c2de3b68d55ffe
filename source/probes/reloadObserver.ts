// Did PostgREST reload? Its reload flushes the pool and runs the schema cache queries, so a PostgREST session
// (not the listener) that connected, or ran a catalog query in a transaction begun, after a given moment is the
// evidence. The cache load is one transaction: a load that began before the moment and is still running is not a
// reload after it (its first statements read the catalog as it was before), though its later statements start after.
// It holds from PostgREST 10.1.2 on; without pg_read_all_stats the sessions' timestamps are hidden: unknown.
// Behind a session-mode pooler the server connection outlives PostgREST's flushed one, so the evidence is the
// pooler's reset (DISCARD ALL) or the cache queries themselves, caught by polling often.
import type pg from 'pg';

// One row: whether a PostgREST session in this database (NOTIFY reaches no other) shows a reload since $1, and how
// many sessions hide their details.
const reloadEvidenceSql = `
select pg_catalog.count(*) filter (where backend_start > $1
         or (coalesce(xact_start, query_start) > $1 and query ~*
             'pg_timezone_names|pg_proc|pg_class|pg_namespace|pg_type|pg_cast|pg_depend|^discard all'))::int as reloads,
       pg_catalog.count(*) filter (where backend_start is null)::int as hidden
from pg_catalog.pg_stat_activity
where datname = pg_catalog.current_database() and application_name ilike 'postgrest%' and coalesce(query, '') !~* '^\\s*listen\\s'`;

// One row: how many PostgREST sessions in this database (not the listener) are still inside a query or a
// transaction, which is the cache load while no request of the doctor is in flight.
const reloadBusySql = `
select pg_catalog.count(*)::int as busy
from pg_catalog.pg_stat_activity
where datname = pg_catalog.current_database() and application_name ilike 'postgrest%' and coalesce(query, '') !~* '^\\s*listen\\s'
  and state in ('active', 'idle in transaction')`;

// The database's clock, which pg_stat_activity's timestamps are compared with.
const databaseNowSql = 'select pg_catalog.clock_timestamp() as now';

/** Every statement this module runs, for the test that plants look-alikes of what they call. */
export const reloadObserverStatements = [reloadEvidenceSql, reloadBusySql, databaseNowSql];

export type ReloadObservation = {observed: boolean | null; latencyMs?: number; evidence?: string};

/** Successful schema cache loads so far, from the admin server's /metrics (PostgREST >= 12.2). */
export type LoadCounter = () => Promise<number | undefined>;

export function parseLoadCount(metrics: string): number | undefined {
	const match = /^pgrst_schema_cache_loads_total\{status="SUCCESS"\}\s+([\d.e+]+)/m.exec(metrics);
	return match ? Number(match[1]) : undefined;
}

export async function databaseNow(client: pg.Client): Promise<Date> {
	return (await client.query<{now: Date}>(databaseNowSql)).rows[0]!.now;
}

/**
 * Waits for evidence of a reload after `since`: the /metrics counter when there is one (loadsBefore is its value
 * from before the trigger), else PostgREST's sessions in pg_stat_activity.
 */
export async function waitForReload(
	client: pg.Client,
	since: Date,
	timeoutMs: number,
	counter?: {read: LoadCounter; before: number},
	signal?: AbortSignal
): Promise<ReloadObservation> {
	const started = performance.now();
	const latency = () => Math.round(performance.now() - started);
	let hidden = false;
	while (performance.now() - started < timeoutMs && !signal?.aborted) {
		if (counter && ((await counter.read()) ?? 0) > counter.before)
			return {observed: true, latencyMs: latency(), evidence: 'pgrst_schema_cache_loads_total in /metrics'};
		const [row] = (await client.query<{reloads: number; hidden: number}>(reloadEvidenceSql, [since])).rows;
		if (row!.reloads > 0)
			return {
				observed: true,
				latencyMs: latency(),
				evidence: 'a PostgREST session reloading in pg_stat_activity',
			};
		hidden = row!.hidden > 0;
		await new Promise(resolve => setTimeout(resolve, 15));
	}
	return {observed: counter ? false : hidden ? null : false};
}

/**
 * After a reload was seen: waits until PostgREST's sessions are done with it, so a diagnosis that starts then reads
 * the new cache. Call it only while the doctor sends PostgREST no request. False when they were still busy at the end.
 */
export async function waitForReloadEnd(client: pg.Client, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
	const started = performance.now();
	while (performance.now() - started < timeoutMs && !signal?.aborted) {
		const [row] = (await client.query<{busy: number}>(reloadBusySql)).rows;
		if (row!.busy === 0) return true;
		await new Promise(resolve => setTimeout(resolve, 15));
	}
	return false;
}
