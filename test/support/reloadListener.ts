// Reload notifications as PostgREST would hear them: a session of its own listening on PostgREST's channel.
import pg from 'pg';
import type {Scenario} from './scenario.js';

/** Counts 'reload schema' notifications on the pgrst channel from now on. */
export async function listenForReloads(
	item: Pick<Scenario, 'dbUrl'>
): Promise<{count(): number; stop(): Promise<void>}> {
	const client = new pg.Client({connectionString: item.dbUrl});
	await client.connect();
	let count = 0;
	client.on('notification', message => {
		if (message.channel === 'pgrst' && message.payload === 'reload schema') count++;
	});
	await client.query('listen pgrst');
	return {count: () => count, stop: async () => client.end()};
}
