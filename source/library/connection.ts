// The library's options, turned into the diagnosis's at the edge: URLs are checked as the CLI checks --db-url and
// --api-url, names and channels are parsed once, and a pg Pool or Client is read for its connection settings.
import pg from 'pg';
import type {DiagnosisOptions} from '../collectFacts.js';
import {type Channel, parseChannel} from '../sql/channel.js';
import {databaseTarget, httpTarget} from '../target.js';
import {UsageError} from '../usageError.js';
import {withHttpScheme} from '../withHttpScheme.js';

export type Connection = {
	/**
	 * The database PostgREST serves: a postgresql:// URL, or an existing pg Pool or Client. A pool or client is read
	 * for its settings and the doctor opens its own short sessions with them, so the search_path pin, the read-only
	 * transaction and the timeouts it sets never reach the connections the application uses, and it never holds one.
	 */
	database?: string | pg.Pool | pg.Client;
	/** PostgREST's base URL: http://localhost:3000, or https://<ref>.supabase.co/rest/v1. */
	api?: string;
	/** Sent as apikey and Authorization: Bearer; never in a report or an event. */
	apiKey?: string;
	/** The exposed schemas; unset, what PostgREST says it exposes. */
	schemas?: string[];
	/** PostgREST's db-channel (default pgrst). */
	channel?: string;
	/** For each connection, query and request (default 10 000 ms). */
	timeoutMs?: number;
	signal?: AbortSignal;
	/** Probe requests in flight at once, 1 to 64 (default 6). */
	concurrency?: number;
};

const defaultTimeoutMs = 10_000;

/** The diagnosis's options; throws UsageError with one sentence for a value that cannot be used. */
export function diagnosisOptions(connection: Connection): DiagnosisOptions {
	const timeoutMs = connection.timeoutMs ?? defaultTimeoutMs;
	if (!(timeoutMs >= 100 && timeoutMs <= 3_600_000))
		throw new UsageError(`timeoutMs must be from 100 to 3600000 (got ${String(timeoutMs)}).`);
	const {concurrency} = connection;
	if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64))
		throw new UsageError(`concurrency must be a whole number from 1 to 64 (got ${String(concurrency)}).`);
	return {
		database: connection.database === undefined ? undefined : databaseTarget(databaseUrl(connection.database)),
		api: connection.api === undefined ? undefined : httpTarget(withHttpScheme(connection.api), 'api URL'),
		apiKey: connection.apiKey,
		schemas: connection.schemas?.length ? connection.schemas : undefined,
		channel: channelOf(connection),
		timeoutMs,
		signal: connection.signal,
		concurrency,
	};
}

export function channelOf(connection: Pick<Connection, 'channel'>): Channel {
	return parseChannel(connection.channel ?? 'pgrst');
}

/** A URL, or the URL a pool or client connects with. */
export function databaseUrl(database: string | pg.Pool | pg.Client): string {
	if (typeof database === 'string') return database;
	if (database instanceof pg.Pool) {
		const {options} = database as pg.Pool & {options: pg.PoolConfig};
		// The pool's own TLS options win over its URL's sslmode; dropping them would connect without checking the CA.
		if (options.connectionString) return withSsl(options.connectionString, options.ssl);
		return urlOf(options);
	}
	if (database instanceof pg.Client)
		return urlOf({
			host: database.host,
			port: database.port,
			user: database.user,
			database: database.database,
			password: database.password,
			ssl: database.ssl,
		});
	throw new UsageError('database must be a postgresql:// URL, a pg Pool or a pg Client.');
}

function withSsl(connectionString: string, ssl: pg.ClientConfig['ssl']): string {
	if (typeof ssl === 'object' && ssl !== null) throw new UsageError(tlsOptions);
	if (ssl !== true || !URL.canParse(connectionString)) return connectionString;
	const url = new URL(connectionString);
	if (!url.searchParams.has('sslmode')) url.searchParams.set('sslmode', 'verify-full');
	return url.toString();
}

const tlsOptions =
	'The pg pool or client has TLS options (a CA, certificates) the doctor cannot reuse: pass database ' +
	'as a postgresql:// URL with sslmode, sslrootcert, sslcert and sslkey.';

function urlOf(config: pg.ClientConfig): string {
	if (typeof config.password === 'function')
		throw new UsageError(
			'The pg pool or client reads its password from a function, which the doctor cannot call for ' +
				'its own sessions: pass database as a postgresql:// URL.'
		);
	if (typeof config.ssl === 'object' && config.ssl !== null) throw new UsageError(tlsOptions);
	const url = new URL('postgresql://localhost');
	url.hostname = config.host && !config.host.startsWith('/') ? config.host : 'localhost';
	if (config.port) url.port = String(config.port);
	if (config.user) url.username = encodeURIComponent(config.user);
	if (config.password) url.password = encodeURIComponent(config.password);
	url.pathname = `/${encodeURIComponent(config.database ?? '')}`;
	if (config.host?.startsWith('/')) url.searchParams.set('host', config.host);
	if (config.ssl === true) url.searchParams.set('sslmode', 'verify-full');
	return url.toString();
}
