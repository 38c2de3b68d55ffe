// Reload notifications as PostgREST would hear them: a session of its own listening on PostgREST's channel.
import pg from 'pg';
import {type ApiProxy, apiProxy, type Intercept} from './apiProxy.js';
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

/**
 * A proxy in front of the scenario's PostgREST that does `act` once, at the first request after a reload notification:
 * the first request of a fix's proof (quick or full), made once PostgREST has reloaded. `act` returns true when it
 * answered the request itself; reloads() counts the notifications heard. close() stops the proxy and the listener,
 * once however often it is called.
 */
export async function atFirstRequestAfterReload(
	item: Pick<Scenario, 'dbUrl' | 'api'>,
	act: Intercept
): Promise<ApiProxy & {acted(): boolean; reloads(): number}> {
	const reloads = await listenForReloads(item);
	let acted = false;
	const proxy = await apiProxy(item.api.url, async (incoming, response, count) => {
		if (acted || reloads.count() === 0) return false;
		acted = true;
		return act(incoming, response, count);
	});
	let closed: Promise<void> | undefined;
	return {
		...proxy,
		acted: () => acted,
		reloads: () => reloads.count(),
		close: async () => (closed ??= Promise.all([reloads.stop(), proxy.close()]).then(() => {})),
	};
}
