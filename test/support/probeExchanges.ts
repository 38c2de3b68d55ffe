// The probe requests the Prober (source/probes/cacheSnapshot.ts) sent to a real PostgREST and the answers it got, as
// recorded by test/support/recordProbes.ts, and a node:http server that answers with them. The Prober names its
// controls and its Accept type with random hex, so each request is keyed with those parts replaced by placeholders,
// and the placeholders in a recorded answer are replaced back with the hex of the request being answered.
import {createServer, type IncomingMessage, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';

export type Exchange = {request: string; status: number; contentType: string | null; body: string};

const randomParts: Array<[RegExp, string]> = [
	[/pgrst_doctor_(control|stop)_[\da-f]{12}/g, 'pgrst_doctor_$1_NONCE'],
	[/pgrst-doctor\.probe-[\da-f]{16}/g, 'pgrst-doctor.probe-ACCEPT'],
	[/pgrst-doctor-absent-[\da-f]{16}/g, 'pgrst-doctor-absent-ABSENT'],
];

export function withPlaceholders(text: string): string {
	return randomParts.reduce((value, [pattern, placeholder]) => value.replaceAll(pattern, placeholder), text);
}

/** The random parts of a live request, to put back into the recorded answer. */
function withRandomParts(text: string, request: string): string {
	const nonce = /pgrst_doctor_(?:control|stop)_([\da-f]{12})/.exec(request)?.[1];
	const accept = /pgrst-doctor\.probe-([\da-f]{16})/.exec(request)?.[1];
	const absent = /pgrst-doctor-absent-([\da-f]{16})/.exec(request)?.[1];
	let value = text;
	if (nonce) value = value.replaceAll(/pgrst_doctor_(control|stop)_NONCE/g, `pgrst_doctor_$1_${nonce}`);
	if (accept) value = value.replaceAll('pgrst-doctor.probe-ACCEPT', `pgrst-doctor.probe-${accept}`);
	if (absent) value = value.replaceAll('pgrst-doctor-absent-ABSENT', `pgrst-doctor-absent-${absent}`);
	return value;
}

/** What identifies a probe: method, path and query, the headers PostgREST decides by, and the body. */
export function requestKey(method: string, url: string, headers: IncomingMessage['headers'], body: string): string {
	const header = (name: string) => (headers[name] === undefined ? '' : `${name}: ${String(headers[name])}; `);
	const named = ['accept', 'accept-profile', 'content-profile', 'content-type', 'prefer'].map(header).join('');
	return `${method} ${url} ${named}body ${body}`;
}

export async function readBody(request: IncomingMessage): Promise<string> {
	const chunks: Buffer[] = [];
	for await (const chunk of request) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks).toString('utf8');
}

export type Replay = {url: string; unrecorded: string[]; asked: string[]; close(): Promise<void>};

/** Answers each request with its recorded answer; a request that was never recorded gets 599 and is listed. */
export async function replay(exchanges: Exchange[]): Promise<Replay> {
	const answers = new Map(exchanges.map(exchange => [exchange.request, exchange]));
	const unrecorded: string[] = [];
	const asked: string[] = [];
	const server: Server = createServer((request, response) => {
		void (async () => {
			const live = requestKey(
				request.method ?? 'GET',
				request.url ?? '/',
				request.headers,
				await readBody(request)
			);
			const key = withPlaceholders(live);
			asked.push(key);
			const answer = answers.get(key);
			if (!answer) {
				unrecorded.push(key);
				response.writeHead(599).end();
				return;
			}
			response.writeHead(answer.status, answer.contentType ? {'content-type': answer.contentType} : {});
			response.end(withRandomParts(answer.body, live));
		})();
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		unrecorded,
		asked,
		close: async () =>
			new Promise<void>(resolve => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
