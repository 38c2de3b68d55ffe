// A small stand-in for Supabase's API gateway, in front of a real PostgREST: it serves PostgREST under /rest/v1 and
// checks the apikey header the way Supabase's does. Keys it knows map to the JWT PostgREST is given; the OpenAPI root
// answers only to a secret key (Supabase since 2026-03-11). Answers are streamed back with PostgREST's own headers.
import {type IncomingMessage, type ServerResponse, createServer, request} from 'node:http';

export type GatewayKey = {role: 'anon' | 'service_role'; jwt: string};

export type Gateway = {
	/** The project's REST URL, as Supabase shows it: http://127.0.0.1:<port>/rest/v1 */
	restUrl: string;
	/** Every request that reached the gateway: method, path and what it answered, for assertions. */
	requests: Array<{method: string; path: string; status: number}>;
	stop(): Promise<void>;
};

const restPrefix = '/rest/v1';

function answer(response: ServerResponse, status: number, body: Record<string, string>): void {
	response.writeHead(status, {'content-type': 'application/json'});
	response.end(JSON.stringify(body));
}

/** The JWT to forward: the client's own Bearer unless it only repeats the apikey (supabase-js sends it so). */
function bearerFor(incoming: IncomingMessage, apiKey: string, key: GatewayKey): string | undefined {
	const authorization = incoming.headers.authorization;
	const sent = /^bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
	if (!sent || sent === apiKey) return key.jwt;
	// New-style keys are not JWTs: one in Authorization that is not the apikey itself is refused, as Supabase does.
	return /^sb_(publishable|secret)_/.test(sent) ? undefined : sent;
}

/**
 * keys: every apikey the project has (anon and service_role JWTs, sb_publishable_…, sb_secret_…) and what it maps to.
 * postgrestUrl is asked on every request, so a restarted PostgREST (on a new port) is served by the same gateway.
 */
export async function startGateway(
	postgrestUrl: () => string,
	keys: Map<string, GatewayKey>,
	port: number
): Promise<Gateway> {
	const requests: Gateway['requests'] = [];
	const server = createServer((incoming, response) => {
		const url = new URL(incoming.url ?? '/', 'http://gateway');
		const record = (status: number) =>
			requests.push({method: incoming.method ?? 'GET', path: url.pathname, status});
		if (url.pathname !== restPrefix && !url.pathname.startsWith(`${restPrefix}/`)) {
			record(404);
			answer(response, 404, {message: 'no Route matched with those values'});
			return;
		}
		const apiKey = incoming.headers.apikey;
		if (typeof apiKey !== 'string' || apiKey === '') {
			record(401);
			answer(response, 401, {message: 'No API key found in request'});
			return;
		}
		const key = keys.get(apiKey);
		const bearer = key && bearerFor(incoming, apiKey, key);
		if (!key || !bearer) {
			record(401);
			answer(response, 401, {message: 'Invalid API key'});
			return;
		}
		const path = url.pathname.slice(restPrefix.length) || '/';
		if (path === '/' && key.role !== 'service_role') {
			record(403);
			answer(response, 403, {
				message: 'Access to schema is forbidden',
				hint: 'Accessing the schema via the Data API is only allowed using a secret API key.',
			});
			return;
		}
		const upstream = new URL(postgrestUrl());
		const {apikey: _apikey, ...passed} = incoming.headers;
		const headers = {...passed, host: upstream.host, authorization: `Bearer ${bearer}`};
		const forwarded = request(
			{
				host: upstream.hostname,
				port: upstream.port,
				method: incoming.method,
				path: `${path}${url.search}`,
				headers,
			},
			proxied => {
				record(proxied.statusCode ?? 502);
				response.writeHead(proxied.statusCode ?? 502, proxied.headers);
				proxied.pipe(response);
			}
		);
		forwarded.on('error', () => {
			record(502);
			if (!response.headersSent)
				answer(response, 502, {message: 'An invalid response was received from the upstream server'});
			else response.destroy();
		});
		incoming.pipe(forwarded);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve());
	});
	return {
		restUrl: `http://127.0.0.1:${port}${restPrefix}`,
		requests,
		async stop() {
			server.closeAllConnections();
			await new Promise(resolve => server.close(resolve));
		},
	};
}
