// One address, several PostgREST instances behind it? The same request for PostgREST's OpenAPI description is sent
// several times, each on a new connection (a load balancer that balances connections, as Kubernetes services do,
// would send every request of a kept-alive connection to one instance), and the schema each answer describes is
// reduced to its relations, columns and paths. Answers that describe different schemas came from instances whose
// caches differ. Answers that agree prove nothing: all samples may have reached the same instance.
import {createHash} from 'node:crypto';
import {type HttpTarget, parseJson, send} from './http.js';

/** One sample: the schema it described (as a digest and its entries), or what was answered instead. */
export type CacheSample = {digest: string; entries: string[]} | {failed: string};

export type CacheAgreement = {samples: CacheSample[]};

/** How many identical requests: 1 stale instance of 3 goes unseen by 9 random picks with a chance of (2/3)^9 + (1/3)^9, under 3 %. */
export const agreementSamples = 9;

/**
 * The schema an OpenAPI description (Swagger 2.0, as PostgREST writes it) describes: each definition's properties
 * and each path, sorted. A non-OpenAPI answer is described by its status and PostgREST error code, so an instance
 * without a cache (PGRST002) differs from one with it.
 */
export function describedSchema(status: number, text: string): {digest: string; entries: string[]} {
	const document =
		status === 200
			? (parseJson(text) as
					| {
							definitions?: Record<string, {properties?: Record<string, unknown>}>;
							paths?: Record<string, unknown>;
					  }
					| undefined)
			: undefined;
	let entries: string[];
	if (document && typeof document === 'object' && (document.definitions || document.paths)) {
		const columns = Object.entries(document.definitions ?? {}).flatMap(([name, definition]) => [
			`relation ${name}`,
			...Object.keys(definition?.properties ?? {}).map(column => `column ${name}.${column}`),
		]);
		entries = [...columns, ...Object.keys(document.paths ?? {}).map(path => `path ${path}`)].sort();
	} else {
		const code = (parseJson(text) as {code?: unknown} | undefined)?.code;
		entries = [`answer HTTP ${status}${typeof code === 'string' ? ` ${code}` : ''}`];
	}
	return {digest: createHash('sha256').update(entries.join('\n')).digest('hex'), entries};
}

/** The samples share one budget, 3 × the request timeout as the cache probes do: a slow balancer ends them early. */
export async function sampleCache(target: HttpTarget, count = agreementSamples): Promise<CacheAgreement> {
	const samples: CacheSample[] = [];
	const started = performance.now();
	const budgetMs = 3 * target.timeoutMs;
	for (let index = 0; index < count && !target.signal?.aborted && performance.now() - started < budgetMs; index++) {
		const answer = await send(target, '/', {
			headers: {accept: 'application/openapi+json, application/json', connection: 'close'},
			cap: 'document',
		}).catch((error: unknown) => ({failed: (error as Error).message ?? String(error)}));
		if ('failed' in answer) samples.push(answer);
		else if (answer.tooLarge) samples.push({failed: 'the description was too large to compare'});
		else {
			const described = describedSchema(answer.status, answer.text);
			// Samples that agree share one list of entries: a large schema is kept once per distinct answer.
			const same = samples.find(sample => 'digest' in sample && sample.digest === described.digest);
			samples.push(same ?? described);
		}
	}
	return {samples};
}
