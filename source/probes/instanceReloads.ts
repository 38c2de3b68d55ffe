// Did each PostgREST instance reload? One NOTIFY reaches every instance that listens; each one that hears it flushes
// its pool and runs the schema cache queries, so a session of that instance (told apart from the others by login
// role, application name and client address, as its identity found them) that connected or ran a catalog query after
// the NOTIFY is the evidence, instance by instance. Without pg_read_all_stats the timestamps are hidden: unknown.
import type pg from 'pg';

/** The sessions of one instance: what its identity found (the session that ran the doctor's request). */
export type InstanceKey = {user: string; applicationName: string; clientAddress: string | null};

// One row per login role, application name and client address in this database (not the listener): whether a
// session shows a reload since $1, and how many hide their details.
const instanceReloadsSql = `
select usename as "user", coalesce(application_name, '') as "applicationName", pg_catalog.host(client_addr) as "clientAddress",
       pg_catalog.count(*) filter (where backend_start > $1
         or (coalesce(xact_start, query_start) > $1 and query ~*
             'pg_timezone_names|pg_proc|pg_class|pg_namespace|pg_type|pg_cast|pg_depend|^discard all'))::int as reloads,
       pg_catalog.count(*) filter (where backend_start is null)::int as hidden
from pg_catalog.pg_stat_activity
where datname = pg_catalog.current_database() and pid <> pg_catalog.pg_backend_pid() and usename is not null
  and coalesce(query, '') !~* '^\\s*listen\\s'
group by 1, 2, 3`;

/** Every statement this module runs, for the test that plants look-alikes of what they call. */
export const instanceReloadsStatements = [instanceReloadsSql];

type Row = InstanceKey & {reloads: number; hidden: number};

/** observed: true once seen, false when the time ran out, null when the instance's sessions hide their timestamps. */
export type InstanceReload = {observed: boolean | null; latencyMs?: number};

export function sameInstance(a: InstanceKey, b: InstanceKey): boolean {
	return a.user === b.user && a.applicationName === b.applicationName && a.clientAddress === b.clientAddress;
}

/**
 * Polls until every instance shows a reload since `since` (the database's clock) or the time is up; each instance's
 * latency is from the start of the watch to the first poll that saw its reload.
 */
export async function waitForInstanceReloads(
	client: pg.Client,
	since: Date,
	keys: InstanceKey[],
	timeoutMs: number,
	signal?: AbortSignal
): Promise<InstanceReload[]> {
	const started = performance.now();
	const seen: Array<number | undefined> = keys.map(() => undefined);
	let hidden: boolean[] = keys.map(() => false);
	while (!signal?.aborted) {
		const rows = (await client.query<Row>(instanceReloadsSql, [since])).rows;
		const latency = Math.round(performance.now() - started);
		for (const [index, key] of keys.entries()) {
			const row = rows.find(candidate => sameInstance(candidate, key));
			if (seen[index] === undefined && row && row.reloads > 0) seen[index] = latency;
		}
		hidden = keys.map(key => (rows.find(candidate => sameInstance(candidate, key))?.hidden ?? 0) > 0);
		if (seen.every(latency => latency !== undefined) || performance.now() - started >= timeoutMs) break;
		await new Promise(resolve => setTimeout(resolve, 15));
	}
	return seen.map((latencyMs, index) =>
		latencyMs === undefined ? {observed: hidden[index] ? null : false} : {observed: true, latencyMs}
	);
}
