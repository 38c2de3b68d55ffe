// The only place that writes: one transaction with lock_timeout and statement_timeout, committed or rolled back whole.
import type pg from 'pg';
import {connectClient} from '../probes/connectClient.js';
import {pinSearchPathSql} from '../probes/database.js';

export type WriteOptions = {connectionString: string; timeoutMs: number; signal?: AbortSignal};

/** Fixes take this transaction-level advisory lock first, so two doctors fixing one database run one after the other. */
export const fixLockKey = 7_346_112_019;

// Serialises fixes; released by the transaction's end.
export const fixLockSql = `select pg_catalog.pg_advisory_xact_lock(${fixLockKey})`;
// A conflicting lock makes the fix fail fast instead of queueing behind it (and everything behind us).
export const fixTimeoutsSql = `select pg_catalog.set_config('lock_timeout', $1, true), pg_catalog.set_config('statement_timeout', $2, true)`;

export class Cancelled extends Error {
	constructor() {
		super('cancelled');
	}
}

/**
 * A session with search_path pinned before anything else runs. Cancelling ends the connection at once, which
 * rejects what is pending and rolls back an open transaction; nothing is sent after that.
 */
export async function withClient<T>(options: WriteOptions, work: (client: pg.Client) => Promise<T>): Promise<T> {
	const {signal} = options;
	if (signal?.aborted) throw new Cancelled();
	let client: pg.Client | undefined;
	let onAbort = () => {};
	const cancelled = new Promise<never>((_resolve, reject) => {
		onAbort = () => {
			void client?.end().catch(() => {});
			reject(new Cancelled());
		};
		signal?.addEventListener('abort', onAbort, {once: true});
	});
	cancelled.catch(() => {});
	try {
		// connectClient ends its own attempt when cancelled; the race makes the cancel reject as Cancelled.
		client = await Promise.race([connectClient(options.connectionString, options), cancelled]);
		await Promise.race([client.query(pinSearchPathSql), cancelled]);
		return await Promise.race([work(client), cancelled]);
	} finally {
		signal?.removeEventListener('abort', onAbort);
		void client?.end().catch(() => {});
	}
}

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
