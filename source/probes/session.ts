// A database session for one job, for probes and fixes alike: connected the libpq way (connectClient.ts), with
// search_path pinned before anything else runs, and ended by cancelling. The database probe's read-only transaction
// (database.ts) and the fixes' writing transaction (fixes/writeSession.ts) both start here.
import type pg from 'pg';
import {connectClient} from './connectClient.js';

export type SessionOptions = {connectionString: string; timeoutMs: number; signal?: AbortSignal};

// Every session starts with this, before any statement that could look up a function: with pg_catalog first and
// pg_temp last (pg_dump's rule since CVE-2018-1058), a function, operator or cast planted in public or any other
// schema someone may write to is never found. It is a utility statement, so nothing is resolved while it runs.
// The SQL the doctor runs also schema-qualifies every function it calls; operators and casts rely on this pin.
export const pinSearchPathSql = 'set search_path to pg_catalog, pg_temp';

export class Cancelled extends Error {
	constructor() {
		super('cancelled');
	}
}

/**
 * A connected client with search_path pinned. Cancelling ends the connection at once, which rejects what is pending
 * and rolls back an open transaction; the client is the caller's to end otherwise.
 */
export async function openSession(options: SessionOptions): Promise<pg.Client> {
	const {signal} = options;
	const client = await connectClient(options.connectionString, options);
	const end = () => void client.end().catch(() => {});
	if (signal) {
		signal.addEventListener('abort', end, {once: true});
		client.once('end', () => signal.removeEventListener('abort', end));
	}
	try {
		if (signal?.aborted) throw new Cancelled();
		await client.query(pinSearchPathSql);
		return client;
	} catch (error) {
		end();
		throw error;
	}
}

/** The work in a session of its own, ended after it. Cancelling rejects with Cancelled; nothing is sent after that. */
export async function withClient<T>(options: SessionOptions, work: (client: pg.Client) => Promise<T>): Promise<T> {
	const {signal} = options;
	if (signal?.aborted) throw new Cancelled();
	let client: pg.Client | undefined;
	let onAbort = () => {};
	const cancelled = new Promise<never>((_resolve, reject) => {
		onAbort = () => reject(new Cancelled());
		signal?.addEventListener('abort', onAbort, {once: true});
	});
	cancelled.catch(() => {});
	try {
		// openSession ends its own client when cancelled; the race makes the cancel reject as Cancelled at once.
		client = await Promise.race([openSession(options), cancelled]);
		return await Promise.race([work(client), cancelled]);
	} finally {
		signal?.removeEventListener('abort', onAbort);
		void client?.end().catch(() => {});
	}
}
