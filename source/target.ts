// Turning the user's URLs into connection targets. A target's display form is built from the parsed parts without
// the password, so no output can contain it: nothing is redacted after the fact.
import {parse} from 'pg-connection-string';
import pg from 'pg';
import {
	ConnectionSettingsError,
	checkConnectionConfig,
	connectionConfig,
	splitTlsParameters,
	withoutAmbientPassword,
} from './probes/connectionConfig.js';

import {UsageError} from './usageError.js';

export {UsageError};

/** ambientPassword false: the URL has no password and connects with none, never with PGPASSWORD's or ~/.pgpass's. */
export type DatabaseTarget = {connectionString: string; display: string; ambientPassword?: false};

export type DatabaseTargetOptions = {
	/** false: a URL the folder's files chose, which may not borrow a password from this environment. */
	ambientPassword?: boolean;
	/** false: check the URL without reading the TLS files it names (a candidate that may not be the one used). */
	readFiles?: boolean;
};
export type ApiTarget = {url: string; display: string};

const shape = 'postgresql://user:password@host:5432/database';
const percentEncoding =
	'percent-encode special characters in the user and password (/ as %2F, @ as %40, % as %25, # as %23, ? as %3F)';
const notValid = `The database URL is not a valid ${shape} URL: ${percentEncoding}.`;

/**
 * Reads a database URL with the parser pg itself uses, and shows what pg will connect to: user@host:port/database,
 * with pg's defaults filled in. Errors never repeat the URL, which holds the password.
 */
export function databaseTarget(text: string, options: DatabaseTargetOptions = {}): DatabaseTarget {
	if (!/^postgres(?:ql)?:\/\//i.test(text)) {
		const scheme = /^[a-z][a-z\d+.-]{0,20}:/i.exec(text)?.[0];
		throw new UsageError(
			scheme
				? `The database URL must start with postgresql://, not ${scheme}; expected ${shape}.`
				: `The database URL is not a valid URL; expected ${shape}.`
		);
	}
	// pg also reads URLs without a host (postgresql://u@/db?host=…), but the pooler hints read the URL as a URL.
	if (!URL.canParse(text)) throw new UsageError(notValid);
	let parts: ReturnType<typeof parse>;
	try {
		parts = parse(splitTlsParameters(text).rest);
	} catch {
		throw new UsageError(notValid);
	}
	const withoutPassword = options.ambientPassword === false && !parts.password;
	if (withoutPassword) withoutAmbientPassword(text);
	// The TLS parameters are read here, at the edge, as libpq reads them (their files too, once for the run).
	try {
		if (options.readFiles === false) checkConnectionConfig(text);
		else connectionConfig(text);
	} catch (error) {
		throw error instanceof ConnectionSettingsError ? new UsageError(error.message) : new UsageError(notValid);
	}
	// A reserved character left unencoded in a password moves the rest of it into the database name, a parameter
	// name or the fragment, where it would be shown: refuse instead of connecting somewhere else.
	const misplaced =
		/[/@]/.test(parts.database ?? '') || Object.keys(parts).some(key => /[/@]/.test(key)) || text.includes('#');
	if (misplaced) throw new UsageError(`The database URL does not read as ${shape}: ${percentEncoding}.`);
	const {env} = process;
	const user = parts.user || env.PGUSER || pg.defaults.user;
	const host = parts.host || env.PGHOST || pg.defaults.host || 'localhost';
	const port = parts.port || env.PGPORT || pg.defaults.port || 5432;
	const database = parts.database || env.PGDATABASE || pg.defaults.database || user;
	const shownHost = host.includes(':') ? `[${host}]` : host;
	return {
		connectionString: text,
		display: `${user ? `${user}@` : ''}${shownHost}:${port}/${database ?? ''}`,
		...(withoutPassword ? {ambientPassword: false as const} : {}),
	};
}

/** Whether the URL carries a password of its own (user:password@ or password=), read as pg reads it. */
export function hasPassword(text: string): boolean {
	try {
		return Boolean(parse(splitTlsParameters(text).rest).password);
	} catch {
		return false;
	}
}

export function httpTarget(text: string, what: string): ApiTarget {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new UsageError(`The ${what} is not a valid URL; expected something like http://localhost:3000.`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new UsageError(`The ${what} must start with http:// or https:// (got ${url.protocol}//).`);
	}
	url.username = '';
	url.password = '';
	url.search = '';
	url.hash = '';
	const clean = url.toString().replace(/\/+$/, '');
	return {url: clean, display: clean};
}

/**
 * Where the password sits in a URL that may still be half typed, as [start, end) offsets: the text between the
 * user's colon and the last @, and any password= parameter. Before an @ is typed, what follows a colon may be a port
 * or the start of a password: in a database URL it is hidden unless digits and a path make it a port, in an HTTP
 * URL unless it is digits. When in doubt, more is hidden, never less.
 */
export function passwordSpans(text: string): Array<[number, number]> {
	const spans: Array<[number, number]> = [];
	const scheme = /^([a-z][a-z\d+.-]*):\/\//i.exec(text);
	if (scheme) {
		const start = scheme[0].length;
		const rest = text.slice(start);
		const at = rest.lastIndexOf('@');
		const colon = rest.indexOf(':');
		const port = /^postgres(?:ql)?$/i.test(scheme[1]!) ? /^\d*\// : /^\d*(?:\/|$)/;
		if (colon >= 0 && (at < 0 ? !port.test(rest.slice(colon + 1)) : colon < at)) {
			spans.push([start + colon + 1, at < 0 ? text.length : start + at]);
		}
	}
	// sslpassword unlocks the client's private key: as secret as the password.
	for (const match of text.matchAll(/[?&](?:ssl)?password=([^&#]*)/gi)) {
		const from = match.index + match[0].length - match[1]!.length;
		spans.push([from, from + match[1]!.length]);
	}
	return spans.filter(([from, to]) => to > from);
}
