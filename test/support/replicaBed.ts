// Replicas of one PostgREST on one database, the way a cluster runs them: three real PostgREST processes, two connected
// directly and one through real PgBouncer in transaction mode (deaf to NOTIFY: PgBouncer takes its LISTEN but drops the
// notifications), and a small real round-robin HTTP proxy in front, the load balancer. Each replica sets its own
// application_name in db-uri, as PGAPPNAME=$(hostname) does in a cluster: on one host it is all that tells them apart.
import {apiProxy} from './apiProxy.js';
import {type Scenario} from './scenario.js';
import {
	authenticatorPassword,
	type Pgbouncer,
	type Postgres,
	type Postgrest,
	type PostgrestVersion,
	startPgbouncer,
	startPostgrest,
} from './stack.js';

export type RoundRobin = {url: string; requests(): number; close(): Promise<void>};

/** Each request to the next upstream in turn, whatever connection it came on, as a balancer of requests does. */
export async function roundRobin(upstreams: string[]): Promise<RoundRobin> {
	return apiProxy(count => upstreams[(count - 1) % upstreams.length]!, undefined, {balancer: true});
}

export type ReplicaBed = {
	/** The replicas in order: a and b direct, c (the deaf one) behind PgBouncer in transaction mode. */
	replicas: Postgrest[];
	deaf: Postgrest;
	balancer: RoundRobin;
	stop(): Promise<void>;
};

const withApplicationName = (uri: string, name: string) => `${uri}?application_name=${encodeURIComponent(name)}`;

/** The replicas serve the scenario's database; the scenario's own PostgREST is stopped. */
export async function replicaBed(
	pg: Postgres,
	item: Scenario,
	version: PostgrestVersion = '12.0.2'
): Promise<ReplicaBed> {
	await item.api.stop();
	let bouncer: Pgbouncer | undefined;
	const replicas: Postgrest[] = [];
	try {
		bouncer = await startPgbouncer(pg, 'transaction');
		const direct = pg.url(item.name, 'authenticator', authenticatorPassword);
		replicas.push(
			await startPostgrest({
				dbUri: withApplicationName(direct, `PostgREST ${version} replica-a`),
				version,
				admin: false,
			})
		);
		replicas.push(
			await startPostgrest({
				dbUri: withApplicationName(direct, `PostgREST ${version} replica-b`),
				version,
				admin: false,
			})
		);
		const pooled = bouncer.url(item.name, 'authenticator', authenticatorPassword);
		replicas.push(
			await startPostgrest({
				dbUri: withApplicationName(pooled, `PostgREST ${version} replica-c`),
				preparedStatements: false,
				version,
				admin: false,
			})
		);
		const balancer = await roundRobin(replicas.map(replica => replica.url));
		return {
			replicas,
			deaf: replicas[2]!,
			balancer,
			async stop() {
				await balancer.close();
				await Promise.all(replicas.map(async replica => replica.stop()));
				await bouncer!.stop();
			},
		};
	} catch (error) {
		await Promise.all(replicas.map(async replica => replica.stop()));
		await bouncer?.stop();
		throw error;
	}
}

/** What a client's write naming the column gets from one replica: 201 from a fresh cache, 400 PGRST204 from a stale one. */
export async function writeStatus(replica: {url: string}, table: string, column: string): Promise<number> {
	const answer = await fetch(`${replica.url}/${table}?columns=${column}`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: '[]',
	});
	await answer.arrayBuffer();
	return answer.status;
}
