// The one place that sends HTTP: bounded by a timeout, never following redirects, never reading unbounded bodies.
import {Agent, request} from 'undici';

/**
 * body: the bytes as received; text decodes them on each use (documents are read from the bytes, never decoded
 * whole). tooLarge: the body passed the size cap and was dropped, so it is empty rather than a truncated document.
 */
export type HttpAnswer = {
	status: number;
	headers: Record<string, string>;
	body: Buffer;
	readonly text: string;
	tooLarge?: true;
};

/** What one diagnosis asked of PostgREST: requests sent (admin server included) and body bytes received. */
export type HttpMeter = {requests: number; bytesRead: number};

/** concurrency: how many probe requests may be in flight at once (--concurrency). */
export type HttpTarget = {
	baseUrl: string;
	apiKey?: string;
	timeoutMs: number;
	signal?: AbortSignal;
	meter?: HttpMeter;
	concurrency?: number;
};

/** How a request carries the API key: as Supabase's gateway reads it (apikey) and as PostgREST does (a bearer JWT). */
export function keyHeaders(apiKey: string): {apikey: string; authorization: string} {
	return {apikey: apiKey, authorization: `Bearer ${apiKey}`};
}

/** Each request's deadline and the run's cancel, shared by every target of one run. */
type Reach = {timeoutMs: number; signal?: AbortSignal};

/** Requests to PostgREST's API, the one place they are aimed: send adds the key to every one of them. */
export function apiRequests(
	url: string,
	options: Reach & {apiKey?: string},
	extras: Pick<HttpTarget, 'meter' | 'concurrency'> = {}
): HttpTarget {
	return {baseUrl: url, apiKey: options.apiKey, timeoutMs: options.timeoutMs, signal: options.signal, ...extras};
}

/** Requests to PostgREST's admin server: never with the API key, which it neither needs nor should see. */
export function adminRequests(url: string, options: Reach): HttpTarget {
	return {baseUrl: url, timeoutMs: options.timeoutMs, signal: options.signal};
}

/** Caps on one body: a document (OpenAPI, /schema_cache) may describe a few thousand tables; any other answer is a short error. */
export const bodyCaps = {document: 32 * 1024 * 1024, answer: 1024 * 1024} as const;

const agents = new Map<number, Agent>();
function agentFor(timeoutMs: number): Agent {
	let agent = agents.get(timeoutMs);
	if (!agent) {
		agent = new Agent({connect: {timeout: timeoutMs}, headersTimeout: timeoutMs, bodyTimeout: timeoutMs});
		agents.set(timeoutMs, agent);
	}
	return agent;
}

export async function closeHttp(): Promise<void> {
	await Promise.all([...agents.values()].map(async agent => agent.close()));
	agents.clear();
}

export function joinUrl(baseUrl: string, path: string): string {
	return baseUrl.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}

/** Reads a body as it arrives (see send's `read`). */
export type BodyReader<T> = {write(chunk: Buffer): void; end(): T};

/**
 * read: for a 200 answer, a reader that takes the body chunk by chunk instead of it being kept (`body` is then empty
 * and `read` is what the reader made of it); a larger description than the cap is dropped as always (tooLarge).
 */
export async function send<T = never>(
	target: HttpTarget,
	path: string,
	options: {
		method?: 'GET' | 'HEAD' | 'OPTIONS' | 'POST';
		headers?: Record<string, string>;
		body?: string;
		cap?: keyof typeof bodyCaps;
		read?: () => BodyReader<T>;
	} = {}
): Promise<HttpAnswer & {read?: T}> {
	const headers: Record<string, string> = {'user-agent': 'pgrst-doctor'};
	for (const [name, value] of Object.entries(options.headers ?? {})) headers[name] = wireText(value);
	if (target.apiKey) Object.assign(headers, keyHeaders(target.apiKey));
	const signals = [AbortSignal.timeout(target.timeoutMs), target.signal].filter(Boolean) as AbortSignal[];
	if (target.meter) target.meter.requests++;
	const response = await request(joinUrl(target.baseUrl, path), {
		method: options.method ?? 'GET',
		headers,
		body: options.body,
		dispatcher: agentFor(target.timeoutMs),
		signal: AbortSignal.any(signals),
	});
	const reader = response.statusCode === 200 ? options.read?.() : undefined;
	const body = await readCapped(
		response.body,
		bodyCaps[options.cap ?? 'answer'],
		Number(response.headers['content-length']),
		target.meter,
		reader
	);
	const flat: Record<string, string> = {};
	for (const [name, value] of Object.entries(response.headers)) {
		if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	const bytes = body ?? Buffer.alloc(0);
	return {
		status: response.statusCode,
		headers: flat,
		body: bytes,
		get text() {
			return bytes.toString('utf8');
		},
		...(body === undefined ? {tooLarge: true} : reader ? {read: reader.end()} : {}),
	};
}

/**
 * A header value as its UTF-8 bytes: undici refuses characters beyond Latin-1 and writes each Latin-1 character as
 * one byte, so the UTF-8 bytes spelled as Latin-1 reach the wire unchanged. PostgREST reads profile headers
 * (Accept-Profile, Content-Profile) as UTF-8, so a schema named تست is asked for by its own name.
 */
export function wireText(value: string): string {
	return /^[\x20-\x7E\t]*$/.test(value) ? value : Buffer.from(value, 'utf8').toString('latin1');
}

/**
 * The body, or undefined once it passes the cap (or announces it will): chunks are kept as Buffers and joined once;
 * with a reader, each chunk goes to it instead and the body returned is empty.
 */
async function readCapped(
	body: AsyncIterable<Buffer> & {destroy(): unknown},
	cap: number,
	declared: number,
	meter?: HttpMeter,
	reader?: BodyReader<unknown>
): Promise<Buffer | undefined> {
	if (declared > cap) {
		body.destroy();
		return undefined;
	}
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		size += chunk.length;
		if (meter) meter.bytesRead += chunk.length;
		if (size > cap) {
			body.destroy();
			return undefined;
		}
		if (reader) reader.write(chunk);
		else chunks.push(chunk);
	}
	return reader ? Buffer.alloc(0) : Buffer.concat(chunks, size);
}

export function mebibytes(bytes: number): string {
	return `${Math.round(bytes / 1024 / 1024)} MiB`;
}

export type PostgrestError = {code: string; message: string; details: string | null; hint: string | null};

/** PostgREST's uniform error body ({code, message, details, hint}), or undefined for anything else. */
export function postgrestError(answer: Pick<HttpAnswer, 'text'>): PostgrestError | undefined {
	const body = parseJson(answer.text);
	if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
	const {code, message, details, hint} = body as Record<string, unknown>;
	if (typeof code !== 'string' || typeof message !== 'string' || !('details' in body) || !('hint' in body))
		return undefined;
	return {
		code,
		message,
		details: typeof details === 'string' ? details : null,
		hint: typeof hint === 'string' ? hint : null,
	};
}

export function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}
