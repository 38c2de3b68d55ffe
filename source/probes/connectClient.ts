// Every database connection the doctor makes starts here: libpq's sslmode attempts in order, within one deadline.
import pg from 'pg';
import {connectionConfig, type TlsIntent} from './connectionConfig.js';

export type ConnectOptions = {timeoutMs: number; signal?: AbortSignal};

type DriverError = Error & {code?: string};

/** What each failed connection was asked to do about TLS, for the sentence that says what to change. */
const intents = new WeakMap<object, TlsIntent>();

export function tlsIntentOf(error: unknown): TlsIntent | undefined {
	return typeof error === 'object' && error !== null ? intents.get(error) : undefined;
}

// The server cannot be reached at all: another attempt with or without TLS would meet the same wall.
const unreachable = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/** A refusal that is only about encryption (no TLS offered, or pg_hba.conf wants the other kind): the other attempt's error says more. */
function refusesOnlyEncryption(error: DriverError): boolean {
	return (
		error.message === 'The server does not support SSL connections' ||
		(error.code === '28000' && /, (no|SSL|GSS) encryption$/.test(error.message))
	);
}

/**
 * pg refuses to start SCRAM with an empty password, which is what a URL without one gets when it may not borrow
 * PGPASSWORD: to the user that is the server refusing the login.
 */
function withoutPassword(error: DriverError): DriverError {
	if (!/client password must be a non-empty string/.test(error.message)) return error;
	return Object.assign(
		new Error(
			'password authentication failed: the server asks for a password and the database URL has no password'
		),
		{code: '28P01'}
	);
}

function timedOut(): DriverError {
	return Object.assign(new Error('timeout expired'), {code: 'ETIMEDOUT'});
}

/**
 * A connected client, reached the way libpq would: for sslmode=allow plain first and TLS if the server refuses it,
 * for prefer TLS first and plain if TLS fails (not offered, handshake or certificate failed, or the server refused
 * the encrypted login), once each, all within timeoutMs. Cancelling ends the attempt under way and rejects.
 */
export async function connectClient(connectionString: string, options: ConnectOptions): Promise<pg.Client> {
	const {intent, attempts} = connectionConfig(connectionString);
	const deadline = Date.now() + options.timeoutMs;
	const failures: DriverError[] = [];
	for (const attempt of attempts) {
		if (options.signal?.aborted) throw new Error('cancelled');
		const remaining = deadline - Date.now();
		if (remaining <= 0) break;
		const client = new pg.Client({
			application_name: 'pgrst-doctor',
			...attempt,
			connectionTimeoutMillis: remaining,
			query_timeout: options.timeoutMs,
		});
		// A dropped connection after connect must not crash the process; the pending query rejects instead.
		client.on('error', () => {});
		// Set before pg's own timer with the same delay, so it has fired when pg's timeout rejects the connect.
		let expired = false;
		const timer = setTimeout(() => (expired = true), remaining);
		try {
			await connectOrCancel(client, options.signal);
			return client;
		} catch (error) {
			// Not awaited: pg's end() on a connection that never completed settles only when the socket closes.
			void client.end().catch(() => {});
			const failure = expired ? timedOut() : withoutPassword(error as DriverError);
			intents.set(failure, intent);
			failures.push(failure);
			if (options.signal?.aborted || unreachable.has(failure.code ?? '')) break;
		} finally {
			clearTimeout(timer);
		}
	}
	throw [...failures].reverse().find(failure => !refusesOnlyEncryption(failure)) ?? failures.at(-1) ?? timedOut();
}

/** pg never settles a connect once end() was called, so a cancel rejects on its own and ends the client. */
async function connectOrCancel(client: pg.Client, signal: AbortSignal | undefined): Promise<void> {
	if (!signal) {
		await client.connect();
		return;
	}
	let onAbort = () => {};
	const cancelled = new Promise<never>((_resolve, reject) => {
		onAbort = () => reject(new Error('cancelled'));
		signal.addEventListener('abort', onAbort, {once: true});
	});
	try {
		await Promise.race([client.connect(), cancelled]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
	if (signal.aborted) throw new Error('cancelled');
}
