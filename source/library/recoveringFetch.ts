// A fetch for supabase-js and postgrest-js that recovers from a stale schema cache at run time: a response that is a
// schema-cache error is classified (a typo, a missing grant or an unexposed schema is never reloaded for), PostgREST
// is asked for a reload through a safe channel, the cache is awaited (bounded), and the request is sent once more
// only when PostgREST provably rejected it before the database (schemaCacheError.ts) and its body can be sent again.
// A burst of failures is one verdict, one reload and one wait; a reload is asked for at most once per interval.
import {randomUUID} from 'node:crypto';
import {blocksDiagnosis} from '../findings.js';
import {deadlineSignal, sleep} from '../fixes/applyFixes.js';
import {withClient} from '../probes/session.js';
import {keyHeaders} from '../probes/http.js';
import {reloadSql} from '../sql/reloadSql.js';
import {reloadFunctionName, reloadFunctionSchema} from '../sql/reloadFunctionSql.js';
import {UsageError} from '../usageError.js';
import {type Connection, diagnosisOptions} from './connection.js';
import {explainReport} from './explainError.js';
import {
	recoveryKey,
	routedPath,
	type SchemaCacheCode,
	type SchemaCacheError,
	schemaCacheError,
} from './schemaCacheError.js';

export type RecoveryOptions = {
	/** The fetch to wrap (default: the global fetch). */
	fetch?: typeof fetch;
	/**
	 * PostgREST's base URL. Required with apiKey or reloadFunction: keys are sent only here, and only responses from
	 * under it are recovered (others are passed through). Without a key, the default is the failing request's origin,
	 * with /rest/v1 when its path has it, and only the request's own headers are sent there.
	 */
	api?: string;
	/**
	 * The database PostgREST serves. With it, the explain engine tells a stale cache from a typo, a missing grant or an
	 * unexposed schema before anything is reloaded, and the reload is a NOTIFY on the channel.
	 */
	database?: Connection['database'];
	/** The key explain's probes send to api (default: the failing request's apikey header). Needs api. */
	apiKey?: string;
	/**
	 * For applications without a database URL: the reload function (pgrst-doctor check --fix reload-function) in a
	 * schema PostgREST exposes, and a key whose role may execute it (never the anonymous key: it is refused).
	 */
	reloadFunction?: {schema?: string; apiKey: string};
	channel?: string;
	/** How long one recovery waits for a fresh cache (default 10 000 ms). */
	waitMs?: number;
	/** At most one reload is asked for per interval, whatever fails (default 5 000 ms). */
	minReloadIntervalMs?: number;
	/** For each connection, query and request the recovery makes (default 10 000 ms). */
	timeoutMs?: number;
	/** Told what the recovery did, for the application's log. Never given a key, a JWT or a request body. */
	onEvent?: (event: RecoveryEvent) => void;
};

/**
 * code: with a database, the finding code of explain's verdict (cache.column_missing, client.unknown_column, …);
 * without one, recovery.stale_cache or recovery.survived_reload; recovery.unverified when it could not be decided.
 * decidedBy: 'database' when the explain engine judged with the database; 'reload' when only a reload could tell
 * (no database): the object appeared in PostgREST's OpenAPI description after it (stale) or did not (not stale).
 */
/** stale null: it could not be decided (the database, PostgREST or the reload could not be reached). */
export type RecoveryVerdict = {code: string; message: string; stale: boolean | null; decidedBy: 'database' | 'reload'};

/** unverified: whether the cache was stale could not be decided (the database or the reload could not be reached). */
export type RecoveryOutcome = 'recovered' | 'retry_failed' | 'not_stale' | 'unverified' | 'not_fresh' | 'not_retried';

/** request: a number per failing request in this wrapper, so an application can tie a recovery's events together. */
export type RecoveryEvent =
	| {type: 'error_seen'; request: number; method: string; path: string; status: number; code: SchemaCacheCode}
	| {type: 'verdict'; request: number; verdict: RecoveryVerdict}
	| {type: 'reload_sent'; request: number; via: 'notify' | 'function'; sent: boolean; retryAfterMs?: number}
	| {type: 'reload_failed'; request: number; via: 'notify' | 'function'; reason: string}
	| {type: 'waited'; request: number; ms: number; fresh: boolean}
	| {type: 'retried'; request: number; status: number}
	| {type: 'outcome'; request: number; outcome: RecoveryOutcome; reason: string};

/** reloadAt: when the reload this recovery asked for or awaited was asked for (performance.now()). */
type Recovery = {verdict: RecoveryVerdict; fresh: boolean; reloadAt?: number};
type Reload = {via: 'notify' | 'function'; sent: boolean; retryAfterMs?: number};

const pollMs = 200;

/** The fetch to give createClient(url, key, {global: {fetch}}) or new PostgrestClient(url, {fetch}). */
export function createRecoveringFetch(options: RecoveryOptions): typeof fetch {
	if (!options.database && !options.reloadFunction)
		throw new UsageError(
			'createRecoveringFetch needs database (a URL, pg Pool or Client) or reloadFunction ({schema, ' +
				'apiKey}): the ways it can ask PostgREST to reload.'
		);
	if ((options.apiKey !== undefined || options.reloadFunction) && options.api === undefined)
		throw new UsageError(
			"createRecoveringFetch needs api (PostgREST's base URL) with apiKey or reloadFunction: keys are sent there and nowhere else."
		);
	// Every option is checked now, not at the first failing request: a bad URL is the developer's to see at start.
	const checked = diagnosisOptions({
		database: options.database,
		api: options.api,
		channel: options.channel,
		timeoutMs: options.timeoutMs,
	});
	const configuredApi = checked.api?.url.replace(/\/+$/, '');
	for (const [name, value] of [
		['waitMs', options.waitMs],
		['minReloadIntervalMs', options.minReloadIntervalMs],
	] as const) {
		if (value !== undefined && !(value >= 0 && value <= 3_600_000))
			throw new UsageError(`${name} must be from 0 to 3600000 (got ${String(value)}).`);
	}
	if (
		options.reloadFunction &&
		(typeof options.reloadFunction.apiKey !== 'string' || options.reloadFunction.apiKey === '')
	)
		throw new UsageError('reloadFunction.apiKey must be the key of a role that may execute the reload function.');
	const baseFetch = options.fetch ?? globalThis.fetch;
	const timeoutMs = options.timeoutMs ?? 10_000;
	const waitMs = options.waitMs ?? 10_000;
	const intervalMs = options.minReloadIntervalMs ?? 5000;
	const emit = (event: RecoveryEvent) => {
		try {
			options.onEvent?.(event);
		} catch {
			// A logger that throws must not turn a recovery into a failed request.
		}
	};
	const recoveries = new Map<string, Promise<Recovery>>();
	// Verdicts kept for one interval: the same typo again is not reloaded for, and a request about an object proved
	// stale, sent before the reload that made it fresh, shares that proof (explain would find the object now).
	const settled = new Map<string, {at: number; recovery: Recovery}>();
	let lastReload: {at: number; reload: Promise<Reload>} | undefined;
	let requests = 0;
	// explain's probes share one HTTP pool that each explanation closes at its end: one explanation at a time.
	let explaining: Promise<unknown> = Promise.resolve();
	// Without a database, the lookups that decide whether an object is missing before the reload.
	const lookups = new Set<Promise<boolean>>();

	const explain = async (error: SchemaCacheError, context: RequestContext, signal?: AbortSignal) => {
		const run = explaining.then(async () =>
			explainReport(error.text, {
				...diagnosisOptions({
					database: options.database,
					api: context.api,
					apiKey: options.apiKey ?? context.apiKey,
					channel: options.channel,
					timeoutMs: options.timeoutMs,
				}),
				signal,
				json: true,
				roles: [],
			})
		);
		explaining = run.catch(() => undefined);
		return run;
	};

	const sendReload = async (context: RequestContext): Promise<Reload> => {
		if (options.database) {
			const {database, channel, timeoutMs} = diagnosisOptions({
				database: options.database,
				channel: options.channel,
				timeoutMs: options.timeoutMs,
			});
			await withClient({connectionString: database!.connectionString, timeoutMs}, async client =>
				client.query(reloadSql(channel))
			);
			return {via: 'notify', sent: true};
		}
		const {schema = reloadFunctionSchema, apiKey} = options.reloadFunction!;
		const answer = await baseFetch(`${context.api}/rpc/${reloadFunctionName}`, {
			method: 'POST',
			headers: {
				...keyHeaders(apiKey),
				'content-profile': schema,
				'content-type': 'application/json',
				accept: 'application/json',
			},
			body: '{}',
			signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
		});
		const result = (await answer.json().catch(() => undefined)) as
			{sent?: boolean; retry_after_ms?: number; code?: string} | undefined;
		if (!answer.ok)
			throw new Error(
				`the reload function answered HTTP ${answer.status}${result?.code ? ` ${result.code}` : ''}`
			);
		return {
			via: 'function',
			sent: result?.sent === true,
			...(typeof result?.retry_after_ms === 'number' ? {retryAfterMs: result.retry_after_ms} : {}),
		};
	};

	/** One reload per interval: a request inside it shares the one already asked for. */
	const reload = async (context: RequestContext, request: number): Promise<Reload | undefined> => {
		const now = performance.now();
		if (lastReload && now - lastReload.at < intervalMs) return lastReload.reload.catch(() => undefined);
		// Errors already being explained are judged before the reload, while the cache still lacks what they are about.
		const pending = Promise.all([explaining, ...lookups]).then(async () => sendReload(context));
		lastReload = {at: now, reload: pending};
		try {
			const sent = await pending;
			emit({type: 'reload_sent', request, ...sent});
			return sent;
		} catch (error) {
			emit({
				type: 'reload_failed',
				request,
				via: options.database ? 'notify' : 'function',
				reason: reasonOf(error),
			});
			return undefined;
		}
	};

	/** Whether PostgREST's cache has the object now. */
	const freshCheck = (
		error: SchemaCacheError,
		context: RequestContext,
		deadline?: AbortSignal
	): (() => Promise<boolean>) => {
		const {parsed} = error;
		// explain cannot see a relationship in the cache, and OpenAPI shows one only as a note: an embed is asked for.
		// OpenAPI's /rpc paths are read from the database, not the cache: a function's lookup is asked for instead.
		return parsed.parent && parsed.child
			? async () => embeds(baseFetch, parsed.parent!, parsed.child!, context, options.timeoutMs)
			: options.database
				? async () => (await explain(error, context, deadline))?.verdict?.code === 'explain.not_reproduced'
				: parsed.function
					? async () =>
							findsFunction(baseFetch, parsed.function!, parsed.args ?? [], context, options.timeoutMs)
					: async () =>
							inOpenApi(baseFetch, error, context, options.reloadFunction!.apiKey, options.timeoutMs);
	};

	/** Until the object is in PostgREST's cache, or the time is up. */
	const awaitFresh = async (error: SchemaCacheError, context: RequestContext, request: number): Promise<boolean> => {
		const started = performance.now();
		const deadline = deadlineSignal(waitMs);
		const isFresh = freshCheck(error, context, deadline);
		let fresh = false;
		while (!deadline.aborted && !fresh) {
			fresh = await isFresh().catch(() => false);
			if (!fresh) await sleep(pollMs, deadline);
		}
		emit({type: 'waited', request, ms: Math.round(performance.now() - started), fresh});
		return fresh;
	};

	const recover = async (error: SchemaCacheError, context: RequestContext, request: number): Promise<Recovery> => {
		if (options.database) {
			const report = await explain(error, context).catch(() => undefined);
			const found = report?.verdict;
			// A verdict that is a failure to look (db.unreachable, api.unauthorized, …) decides nothing.
			const verdict: RecoveryVerdict = found
				? {
						code: found.code,
						message: found.message,
						stale: blocksDiagnosis(found.code) ? null : (found.fixes ?? []).includes('reload'),
						decidedBy: 'database',
					}
				: {
						code: 'recovery.unverified',
						message: 'The error could not be explained with the database, so nothing was reloaded.',
						stale: null,
						decidedBy: 'database',
					};
			// The cache has the object: whatever the body said, no stale cache was proved here, and the request may have
			// run (a function can raise any body it likes). Nothing is reloaded for or sent again.
			if (found?.code === 'explain.not_reproduced') {
				const unproved = {...verdict, stale: false};
				emit({type: 'verdict', request, verdict: unproved});
				return {verdict: unproved, fresh: false};
			}
			emit({type: 'verdict', request, verdict});
			if (!verdict.stale) return {verdict, fresh: false};
			// Without a reload there is nothing to wait for: reload_failed says why.
			if (!(await reload(context, request))) return {verdict, fresh: false};
			const reloadAt = lastReload?.at;
			return {verdict, fresh: await awaitFresh(error, context, request), reloadAt};
		}
		// Stale is proved only by an object the cache lacks before the reload: one it has already answered for itself,
		// and a function may raise any body it likes.
		const check = freshCheck(error, context)().catch(() => false);
		lookups.add(check);
		const before = await check.finally(() => lookups.delete(check));
		if (before) {
			const verdict: RecoveryVerdict = {
				code: 'recovery.not_stale',
				message:
					"PostgREST's schema cache already has the object, so the error is not a stale cache (the request " +
					'may have run); nothing was reloaded for or sent again.',
				stale: false,
				decidedBy: 'reload',
			};
			emit({type: 'verdict', request, verdict});
			return {verdict, fresh: false};
		}
		const sent = await reload(context, request);
		const reloadAt = lastReload?.at;
		if (!sent) {
			const verdict: RecoveryVerdict = {
				code: 'recovery.unverified',
				message:
					'No reload could be asked for (see reload_failed), so whether the cache was stale is not known.',
				stale: null,
				decidedBy: 'reload',
			};
			emit({type: 'verdict', request, verdict});
			return {verdict, fresh: false};
		}
		const fresh = await awaitFresh(error, context, request);
		const verdict: RecoveryVerdict = fresh
			? {
					code: 'recovery.stale_cache',
					message: "PostgREST's schema cache lacked the object until it reloaded.",
					stale: true,
					decidedBy: 'reload',
				}
			: {
					code: 'recovery.survived_reload',
					message:
						`The object is not in PostgREST's schema cache ${waitMs} ms after a reload was asked for: a ` +
						`typo, a missing grant, an unexposed schema, or a reload that did not happen.`,
					stale: false,
					decidedBy: 'reload',
				};
		emit({type: 'verdict', request, verdict});
		return {verdict, fresh, reloadAt};
	};

	/** Errors about one object share one recovery while it runs, and a recovery that found nothing stale for one interval. */
	const shared = async (
		error: SchemaCacheError,
		context: RequestContext,
		request: number,
		sentAt: number
	): Promise<Recovery> => {
		const key = recoveryKey(error);
		const earlier = settled.get(key);
		if (earlier && performance.now() - earlier.at < intervalMs) {
			const {recovery} = earlier;
			if (!recovery.fresh || (recovery.reloadAt !== undefined && sentAt < recovery.reloadAt)) return recovery;
		}
		let running = recoveries.get(key);
		if (!running) {
			running = recover(error, context, request).finally(() => recoveries.delete(key));
			recoveries.set(key, running);
			void running.then(
				recovery => {
					const now = performance.now();
					for (const [old, {at}] of settled) if (now - at >= intervalMs) settled.delete(old);
					settled.set(key, {at: now, recovery});
				},
				() => undefined
			);
		}
		return running;
	};

	return async function recoveringFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
		const sentAt = performance.now();
		const response = await baseFetch(input, init);
		if (response.status !== 400 && response.status !== 404) return response;
		const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
		const url = new URL(input instanceof Request ? input.url : String(input));
		// Only answers from the configured PostgREST are recovered: another origin gets no key and no reload.
		if (configuredApi !== undefined && !underApi(url, configuredApi)) return response;
		// A schema-cache error is a small JSON body: one that is larger, or slow to come, is returned as it came.
		const body = await boundedText(response, timeoutMs);
		if (body === undefined) return response;
		const error = schemaCacheError(method, url, response.status, body);
		if (!error) return response;
		const request = ++requests;
		const context = requestContext(url, input, init, configuredApi);
		emit({type: 'error_seen', request, method, path: routedPath(url), status: response.status, code: error.code});
		const recovery = await shared(error, context, request, sentAt).catch((failure: unknown): Recovery => ({
			verdict: {
				code: 'recovery.unverified',
				message: `The recovery failed: ${reasonOf(failure)}`,
				stale: null,
				decidedBy: options.database ? 'database' : 'reload',
			},
			fresh: false,
		}));
		const skip = skipped(recovery, error, replayable(input, init), waitMs);
		if (skip) {
			emit({type: 'outcome', request, outcome: skip[0], reason: skip[1]});
			return response;
		}
		const retried = await baseFetch(input, init);
		emit({type: 'retried', request, status: retried.status});
		emit({
			type: 'outcome',
			request,
			outcome: retried.ok ? 'recovered' : 'retry_failed',
			reason: retried.ok
				? 'The request succeeded once the cache was fresh'
				: `The request sent again answered HTTP ${retried.status}`,
		});
		return retried;
	};
}

const bodyLimit = 64 * 1024;

/** The body of a clone, as text; undefined when it is over 64 KiB or not all there within timeoutMs. */
async function boundedText(response: Response, timeoutMs: number): Promise<string | undefined> {
	const reader = response.clone().body?.getReader();
	if (!reader) return '';
	const deadline = deadlineSignal(timeoutMs);
	const stopped = new Promise<undefined>(resolve => {
		if (deadline.aborted) resolve(undefined);
		deadline.addEventListener('abort', () => resolve(undefined), {once: true});
	});
	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		for (;;) {
			const read = await Promise.race([reader.read(), stopped]);
			if (read === undefined) return undefined;
			if (read.done) break;
			size += read.value.byteLength;
			if (size > bodyLimit) return undefined;
			chunks.push(read.value);
		}
	} catch {
		return undefined;
	} finally {
		void reader.cancel().catch(() => {});
	}
	return new TextDecoder().decode(Buffer.concat(chunks));
}

/** Whether url is api itself or under it (same origin, and its path within api's). */
function underApi(url: URL, api: string): boolean {
	const base = new URL(api);
	const path = base.pathname.replace(/\/+$/, '');
	return url.origin === base.origin && (url.pathname === path || url.pathname.startsWith(`${path}/`));
}

/** Why the request is not sent again, as [outcome, reason]; undefined when it may be. */
function skipped(
	recovery: Recovery,
	error: SchemaCacheError,
	canReplay: boolean,
	waitMs: number
): [RecoveryOutcome, string] | undefined {
	const {verdict} = recovery;
	if (verdict.stale === null) return ['unverified', verdict.message];
	if (!verdict.stale) return ['not_stale', verdict.message];
	if (!recovery.fresh)
		return [
			'not_fresh',
			`PostgREST's cache did not have the object within ${waitMs} ms of a reload, or no reload could be asked for`,
		];
	if (!error.unexecuted)
		return [
			'not_retried',
			`${error.code} is not proven to be given before the database, so the request is not sent again; the cache is fresh now`,
		];
	if (!canReplay)
		return ['not_retried', 'The request body is a stream, which cannot be sent again; the cache is fresh now'];
	return undefined;
}

type RequestContext = {api: string; apiKey?: string; identity: Record<string, string>};

function requestContext(
	url: URL,
	input: RequestInfo | URL,
	init: RequestInit | undefined,
	api: string | undefined
): RequestContext {
	const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
	const bearer = /^Bearer\s+(\S+)$/i.exec(headers.get('authorization') ?? '')?.[1];
	const prefix = /^(.*?\/rest\/v1)(?=\/|$)/.exec(url.pathname)?.[1] ?? '';
	const identity: Record<string, string> = {};
	for (const name of ['apikey', 'authorization']) {
		const value = headers.get(name);
		if (value) identity[name] = value;
	}
	const profile = headers.get('content-profile') ?? headers.get('accept-profile');
	if (profile) identity['accept-profile'] = profile;
	return {
		api: (api ?? `${url.origin}${prefix}`).replace(/\/+$/, ''),
		apiKey: headers.get('apikey') ?? bearer,
		identity,
	};
}

/**
 * Whether PostgREST can embed child in parent now: a GET of no rows (limit=0), which PostgREST runs in a read-only
 * transaction when its cache has the relationship and answers PGRST200 without the database when it has not.
 */
async function embeds(
	baseFetch: typeof fetch,
	parent: string,
	child: string,
	context: RequestContext,
	timeoutMs = 10_000
): Promise<boolean> {
	const bare = (name: string) => encodeURIComponent(name.split('.').at(-1)!);
	const answer = await baseFetch(`${context.api}/${bare(parent)}?select=${bare(child)}(*)&limit=0`, {
		headers: {...context.identity, accept: 'application/json'},
		signal: AbortSignal.timeout(timeoutMs),
	});
	await answer.arrayBuffer();
	return answer.ok;
}

/** A body that can be sent again as it was: none, text or bytes. A stream (or a Request's body) cannot. */
function replayable(input: RequestInfo | URL, init: RequestInit | undefined): boolean {
	const body = init?.body ?? undefined;
	if (body === undefined || body === null) return !(input instanceof Request && input.body !== null);
	return (
		typeof body === 'string' ||
		body instanceof ArrayBuffer ||
		ArrayBuffer.isView(body) ||
		body instanceof URLSearchParams ||
		body instanceof Blob
	);
}

/**
 * Whether PostgREST's cache has the function: a call with the same argument names (null values) and an embed of a
 * relation that cannot exist. PostgREST looks the function up, then fails to plan the read of its result (PGRST200
 * naming that relation), before any transaction (Plan.hs callReadPlan: findProc, then readPlan, at v11.2.2 and
 * v12.0.2); without the function it answers PGRST202. Nothing else counts as found.
 */
async function findsFunction(
	baseFetch: typeof fetch,
	name: string,
	args: string[],
	context: RequestContext,
	timeoutMs = 10_000
): Promise<boolean> {
	const stop = `pgrst_doctor_stop_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
	const {'accept-profile': profile, ...identity} = context.identity;
	const answer = await baseFetch(
		`${context.api}/rpc/${encodeURIComponent(name.split('.').at(-1)!)}?select=${encodeURIComponent(`*,${stop}(*)`)}`,
		{
			method: 'POST',
			headers: {
				...identity,
				...(profile ? {'content-profile': profile} : {}),
				'content-type': 'application/json',
				accept: 'application/json',
			},
			body: JSON.stringify(Object.fromEntries(args.map(arg => [arg, null]))),
			signal: AbortSignal.timeout(timeoutMs),
		}
	);
	const text = await answer.text();
	return answer.status === 400 && text.includes('"PGRST200"') && text.includes(stop);
}

/** Whether PostgREST's OpenAPI description (read with the reload function's key) now has the table or column: both come from its cache. */
async function inOpenApi(
	baseFetch: typeof fetch,
	error: SchemaCacheError,
	context: RequestContext,
	apiKey: string,
	timeoutMs = 10_000
): Promise<boolean> {
	const {parsed} = error;
	const headers: Record<string, string> = {...keyHeaders(apiKey), accept: 'application/openapi+json'};
	if (parsed.schema) headers['accept-profile'] = parsed.schema;
	const answer = await baseFetch(`${context.api}/`, {headers, signal: AbortSignal.timeout(timeoutMs)});
	if (!answer.ok) return false;
	const document = (await answer.json()) as {definitions?: Record<string, {properties?: Record<string, unknown>}>};
	const bare = (name?: string) => name?.split('.').at(-1);
	const definition = (name?: string) => (name === undefined ? undefined : document.definitions?.[bare(name)!]);
	if (parsed.column) return Boolean(definition(parsed.table)?.properties?.[parsed.column]);
	return Boolean(definition(parsed.table));
}

function reasonOf(error: unknown): string {
	return (error as Error)?.message ?? String(error);
}
