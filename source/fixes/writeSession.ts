// The only place that writes: one transaction with lock_timeout and statement_timeout, committed or rolled back whole.
// The session itself (connection, search_path pin, cancelling) is probes/session.ts, which the probes share.
import {Cancelled, type SessionOptions, withClient} from '../probes/session.js';

export type WriteOptions = SessionOptions;

/** Fixes take this transaction-level advisory lock first, so two doctors fixing one database run one after the other. */
export const fixLockKey = 7_346_112_019;

// Serialises fixes; released by the transaction's end.
export const fixLockSql = `select pg_catalog.pg_advisory_xact_lock(${fixLockKey})`;
// A conflicting lock makes the fix fail fast instead of queueing behind it (and everything behind us).
export const fixTimeoutsSql = `
select pg_catalog.set_config('lock_timeout', $1, true),
       pg_catalog.set_config('statement_timeout', $2, true)`;

/** Runs the script in one transaction, serialised with every other pgrst-doctor fix on this database. */
export async function runInTransaction(options: WriteOptions, script: string): Promise<void> {
	await withClient(options, async client => {
		await client.query('begin');
		try {
			await client.query(fixTimeoutsSql, [String(Math.min(options.timeoutMs, 3000)), String(options.timeoutMs)]);
			await client.query(fixLockSql);
			await client.query(script);
			if (options.signal?.aborted) throw new Cancelled();
			await client.query('commit');
		} catch (error) {
			await client.query('rollback').catch(() => {});
			throw error;
		}
	});
}
