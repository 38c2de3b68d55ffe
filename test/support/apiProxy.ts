// A small HTTP proxy in front of the real PostgREST that a test controls: it can answer a request itself, hold
// it, or stop, so faults happen at a known point of the doctor's run instead of at a moment picked by a timer.
import {createServer, type IncomingHttpHeaders, type IncomingMessage, request, type ServerResponse} from 'node:http';

/** Returns true when it answered the request itself; otherwise the request goes on to PostgREST. */
export type Intercept = (
	request: IncomingMessage,
	response: ServerResponse,
	count: number
) => boolean | Promise<boolean>;

export type ApiProxy = {url: string; requests(): number; close(): Promise<void>};

/**
 * upstream: PostgREST's address, or a function that picks one per request (a balancer). `balancer`: each request on a
 * connection of its own to the upstream (no pooled socket the upstream may be closing), without hop-by-hop headers,
 * as a load balancer forwards it.
 */
export async function apiProxy(
	upstream: string | ((count: number) => string),
	intercept?: Intercept,
	{balancer = false} = {}
): Promise<ApiProxy> {
	let count = 0;
	// void: a failing intercept stays an unhandled rejection, which fails the test run.
	const server = createServer((incoming, response) => void answer(incoming, response));
	const answer = async (incoming: IncomingMessage, response: ServerResponse) => {
		count++;
		if (intercept && (await intercept(incoming, response, count))) return;
		const target = typeof upstream === 'string' ? upstream : upstream(count);
		const headers = balancer ? {...withoutHopHeaders(incoming.headers), connection: 'close'} : incoming.headers;
		const forwarded = request(
			new URL(incoming.url ?? '/', target),
			{method: incoming.method, headers, ...(balancer ? {agent: false} : {})},
			answer => {
				response.writeHead(
					answer.statusCode ?? 502,
					balancer ? withoutHopHeaders(answer.headers) : answer.headers
				);
				answer.pipe(response);
			}
		);
		forwarded.on('error', () => response.destroy());
		incoming.pipe(forwarded);
	};
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as {port: number};
	return {
		url: `http://127.0.0.1:${port}`,
		requests: () => count,
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => server.close(resolve));
		},
	};
}

/** A server that answers every request like PostgREST 12.0.2 would start to, and never ends the body. */
export async function endlessServer(): Promise<ApiProxy> {
	return apiProxy('http://127.0.0.1:9', (incoming, response) => {
		response.writeHead(200, {server: 'postgrest/12.0.2', 'content-type': 'application/json'});
		const chunk = Buffer.alloc(64 * 1024, ' ');
		let open = true;
		const pump = () => {
			while (open && response.write(chunk));
		};
		response.on('drain', pump);
		response.on('close', () => (open = false));
		incoming.on('close', () => (open = false));
		pump();
		return true;
	});
}

/** Answers `size` bytes of spaces in chunks, honouring back-pressure: a body too large to be read, never a document. */
export function streamBody(response: ServerResponse, size: number): void {
	const chunk = Buffer.alloc(64 * 1024, ' ');
	let sent = 0;
	const pump = () => {
		while (sent < size) {
			sent += chunk.length;
			if (!response.write(chunk)) return;
		}
		response.end();
	};
	response.on('drain', pump);
	response.on('close', () => (sent = size));
	pump();
}

const hopHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

function withoutHopHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
	return Object.fromEntries(Object.entries(headers).filter(([name]) => !hopHeaders.has(name.toLowerCase())));
}
