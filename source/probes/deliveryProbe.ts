// --probe: send the harmless reload notification and watch whether PostgREST acts on it, and how fast.
import {Cancelled, withClient} from '../fixes/writeSession.js';
import type {Channel} from '../sql/channel.js';
import {reloadSql} from '../sql/reloadSql.js';
import {type HttpTarget, send} from './http.js';
import {databaseNow, type LoadCounter, parseLoadCount, waitForReload, waitForReloadEnd} from './reloadObserver.js';

export type Delivery = {delivered: boolean | null; waitedMs: number; latencyMs?: number; evidence?: string; error?: string};

export async function probeDelivery(options: {connectionString: string; channel: Channel; timeoutMs: number; admin?: HttpTarget; signal?: AbortSignal}): Promise<Delivery> {
	const {admin} = options;
	const read: LoadCounter | undefined = admin
		? async () => send(admin, '/metrics').then(answer => (answer.status === 200 ? parseLoadCount(answer.text) : undefined), () => undefined)
		: undefined;
	const before = await read?.();
	const waitedMs = Math.min(options.timeoutMs, 10_000);
	try {
		return await withClient(options, async client => {
			const since = await databaseNow(client);
			// Nothing is sent once the run was cancelled.
			if (options.signal?.aborted) throw new Cancelled();
			await client.query(reloadSql(options.channel));
			const observation = await waitForReload(client, since, waitedMs, read && before !== undefined ? {read, before} : undefined, options.signal);
			// What runs next (a diagnosis read again after the probe, an action) must meet the new cache, not the load.
			if (observation.observed) await waitForReloadEnd(client, waitedMs, options.signal);
			return {delivered: observation.observed, waitedMs, latencyMs: observation.latencyMs, evidence: observation.evidence};
		});
	} catch (error) {
		return {delivered: null, waitedMs, error: (error as Error).message};
	}
}
