// Did PostgREST reload? Its reload flushes the pool and runs the schema cache queries, so a PostgREST session
// (not the listener) that connected, or ran a catalog query, after a given moment is the evidence. It holds from
// PostgREST 10.1.2 on; without pg_read_all_stats the sessions' timestamps are hidden and the answer is unknown.
import type pg from 'pg';

// One row: whether a PostgREST session shows a reload since $1, and how many sessions hide their details.
const reloadEvidenceSql = `
select count(*) filter (where backend_start > $1
         or (query_start > $1 and query ~* 'pg_timezone_names|pg_proc|pg_class|pg_namespace|pg_type|pg_cast|pg_depend'))::int as reloads,
       count(*) filter (where backend_start is null)::int as hidden
from pg_stat_activity
where application_name ilike 'postgrest%' and coalesce(query, '') !~* '^\\s*listen\\s'`;

export type ReloadObservation = {observed: boolean | null; latencyMs?: number};

export async function databaseNow(client: pg.Client): Promise<Date> {
	return (await client.query<{now: Date}>('select clock_timestamp() as now')).rows[0]!.now;
}

export async function waitForReload(client: pg.Client, since: Date, timeoutMs: number): Promise<ReloadObservation> {
	const started = performance.now();
	let hidden = false;
	while (performance.now() - started < timeoutMs) {
		const [row] = (await client.query<{reloads: number; hidden: number}>(reloadEvidenceSql, [since])).rows;
		if (row!.reloads > 0) return {observed: true, latencyMs: Math.round(performance.now() - started)};
		hidden = row!.hidden > 0;
		await new Promise(resolve => setTimeout(resolve, 50));
	}
	return {observed: hidden ? null : false};
}
