// --probe: send the harmless reload notification and watch whether PostgREST acts on it, and how fast.
import {Cancelled, withClient} from './session.js';
import type {Channel} from '../sql/channel.js';
import {reloadSql} from '../sql/reloadSql.js';
import {type HttpTarget, send} from './http.js';
import {databaseNow, type LoadCounter, parseLoadCount, waitForReload, waitForReloadEnd} from './reloadObserver.js';
import {type InstanceKey, type InstanceReload, waitForInstanceReloads} from './instanceReloads.js';

/** instances: several PostgREST instances behind one address were watched one by one (described as the database shows them). */
/** unseen: why this instance's reload could not be watched at all (its sessions not found, or not told from another's). */
export type Delivery = {
	delivered: boolean | null;
	waitedMs: number;
	latencyMs?: number;
	evidence?: string;
	error?: string;
	unseen?: string;
	instances?: InstanceDelivery[];
};

export type InstanceDelivery = {instance: string; delivered: boolean | null; latencyMs?: number};

type ProbeOptions = {connectionString: string; channel: Channel; timeoutMs: number; signal?: AbortSignal};

/** One NOTIFY, then each instance's own sessions watched for its reload (instanceReloads.ts). */
export async function probeInstanceReloads(options: ProbeOptions, keys: InstanceKey[]): Promise<InstanceReload[]> {
	const waitedMs = Math.min(options.timeoutMs, 10_000);
	return withClient(options, async client => {
		const since = await databaseNow(client);
		if (options.signal?.aborted) throw new Cancelled();
		await client.query(reloadSql(options.channel));
		const reloads = await waitForInstanceReloads(client, since, keys, waitedMs, options.signal);
		// What runs next (a diagnosis read again after the probe, a fix) must meet the new caches, not the loads.
		if (reloads.some(reload => reload.observed)) await waitForReloadEnd(client, waitedMs, options.signal);
		return reloads;
	});
}

/**
 * --probe through one address with several instances behind it: delivered only when each instance the database shows
 * reloaded. An instance without a key (several that share one login role, application name and address) cannot be
 * watched on its own: its delivery is unknown.
 */
export async function probeSeenInstances(
	options: ProbeOptions,
	instances: Array<{label: string; key?: InstanceKey}>
): Promise<Delivery> {
	const waitedMs = Math.min(options.timeoutMs, 10_000);
	const keys = instances.flatMap(instance => (instance.key ? [instance.key] : []));
	let reloads: InstanceReload[];
	try {
		reloads = await probeInstanceReloads(options, keys);
	} catch (error) {
		return {delivered: null, waitedMs, error: (error as Error).message};
	}
	const each: InstanceDelivery[] = instances.map(instance => {
		const reload = instance.key ? reloads[keys.indexOf(instance.key)]! : undefined;
		return reload
			? {instance: instance.label, delivered: reload.observed, latencyMs: reload.latencyMs}
			: {instance: instance.label, delivered: null};
	});
	const delivered = each.some(instance => instance.delivered === false)
		? false
		: each.every(instance => instance.delivered === true)
			? true
			: null;
	const latencyMs = delivered ? Math.max(...each.map(instance => instance.latencyMs ?? 0)) : undefined;
	return {
		delivered,
		waitedMs,
		latencyMs,
		instances: each,
		...(delivered
			? {evidence: `each of the ${each.length} instances' own sessions reloading in pg_stat_activity`}
			: {}),
	};
}

export async function probeDelivery(options: {
	connectionString: string;
	channel: Channel;
	timeoutMs: number;
	admin?: HttpTarget;
	signal?: AbortSignal;
}): Promise<Delivery> {
	const {admin} = options;
	const read: LoadCounter | undefined = admin
		? async () =>
				send(admin, '/metrics').then(
					answer => (answer.status === 200 ? parseLoadCount(answer.text) : undefined),
					() => undefined
				)
		: undefined;
	const before = await read?.();
	const waitedMs = Math.min(options.timeoutMs, 10_000);
	try {
		return await withClient(options, async client => {
			const since = await databaseNow(client);
			// Nothing is sent once the run was cancelled.
			if (options.signal?.aborted) throw new Cancelled();
			await client.query(reloadSql(options.channel));
			const observation = await waitForReload(
				client,
				since,
				waitedMs,
				read && before !== undefined ? {read, before} : undefined,
				options.signal
			);
			// What runs next (a diagnosis read again after the probe, an action) must meet the new cache, not the load.
			if (observation.observed) await waitForReloadEnd(client, waitedMs, options.signal);
			return {
				delivered: observation.observed,
				waitedMs,
				latencyMs: observation.latencyMs,
				evidence: observation.evidence,
			};
		});
	} catch (error) {
		return {delivered: null, waitedMs, error: (error as Error).message};
	}
}
