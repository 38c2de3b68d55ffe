// The only place that writes: one transaction with lock_timeout and statement_timeout, committed or rolled back whole.
import pg from 'pg';

export type WriteOptions = {connectionString: string; timeoutMs: number};

export async function withClient<T>(options: WriteOptions, work: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({connectionString: options.connectionString, connectionTimeoutMillis: options.timeoutMs, query_timeout: options.timeoutMs, application_name: 'pgrst-doctor'});
	client.on('error', () => {});
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end().catch(() => {});
	}
}

/** Runs the script in one transaction; commit=false rolls it back, which tells whether it would succeed. */
export async function runInTransaction(options: WriteOptions, script: string, commit: boolean): Promise<void> {
	await withClient(options, async client => {
		await client.query('begin');
		try {
			// A conflicting lock makes the fix fail fast instead of queueing behind it (and everything behind us).
			await client.query(`select set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)`, [String(Math.min(options.timeoutMs, 3000)), String(options.timeoutMs)]);
			await client.query(script);
			await client.query(commit ? 'commit' : 'rollback');
		} catch (error) {
			await client.query('rollback').catch(() => {});
			throw error;
		}
	});
}
