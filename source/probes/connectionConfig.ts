// How a database URL becomes node-postgres settings, read the way libpq (psql, PostgREST) reads it. node-postgres
// reads sslmode=require as verify-full, so a Supabase URL with ?sslmode=require, whose certificate comes from the
// project's own CA, is refused where psql connects. pg-connection-string's useLibpqCompat comes closer but still
// treats prefer as require (no fallback to plain), allow as verify-full, an absent sslmode as disable, and reads
// sslrootcert=system as a file name. So the TLS parameters are read here, and only the rest is left to
// pg-connection-string, the parser pg itself uses.
import {closeSync, constants, fstatSync, openSync, readFileSync, statSync} from 'node:fs';
import {homedir} from 'node:os';
import path from 'node:path';
import {type ConnectionOptions as TlsConnectionOptions, rootCertificates} from 'node:tls';
import type pg from 'pg';
import {parse} from 'pg-connection-string';

export const sslModes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof sslModes)[number];

/** A database URL that cannot be used as it is; the message is a sentence naming the parameter to change. */
export class ConnectionSettingsError extends Error {}

/** What was asked of TLS, without anything secret: enough to say what to change when it fails. */
export type TlsIntent = {
	mode: SslMode;
	/** Where the trusted CAs come from: a file, or 'system'; absent, the server's certificate is not verified. */
	rootCertificate?: string;
	/** Whether the root certificate came from libpq's default place (~/.postgresql/root.crt) rather than the URL. */
	rootCertificateIsDefault: boolean;
	host: string;
};

export type ConnectionConfig = {
	intent: TlsIntent;
	/** pg's settings for each attempt, in libpq's order: allow tries plain first, prefer TLS first; one attempt otherwise. */
	attempts: pg.ClientConfig[];
};

/** Parameters this module reads; everything else in the URL is pg-connection-string's. */
const tlsParameters = new Set([
	'sslmode',
	'sslrootcert',
	'sslcert',
	'sslkey',
	'sslpassword',
	'sslnegotiation',
	'ssl',
	'uselibpqcompat',
]);

/**
 * The URL without its TLS parameters (kept verbatim otherwise, as pg-connection-string copes with more than URL does),
 * and those parameters.
 */
export function splitTlsParameters(text: string): {rest: string; tls: URLSearchParams} {
	const tls = new URLSearchParams();
	const question = text.indexOf('?');
	if (question < 0) return {rest: text, tls};
	const kept: string[] = [];
	for (const pair of text.slice(question + 1).split('&')) {
		const [entry] = new URLSearchParams(pair);
		if (entry && tlsParameters.has(entry[0])) tls.set(entry[0], entry[1]);
		else if (pair) kept.push(pair);
	}
	return {rest: kept.length > 0 ? `${text.slice(0, question)}?${kept.join('&')}` : text.slice(0, question), tls};
}

/** readFiles false: check the URL's parameters without opening the files they name (a candidate that may not be used). */
export type Surroundings = {
	environment: NodeJS.ProcessEnv;
	home: string;
	userId: number | undefined;
	readFiles?: boolean;
};

const here = (): Surroundings => ({environment: process.env, home: homedir(), userId: process.geteuid?.()});

function readable(file: string): boolean {
	try {
		return statSync(file).isFile();
	} catch {
		return false;
	}
}

/** Certificates and keys are a few KiB; a bundle of every public CA is about 200 KiB. */
export const maxTlsFileBytes = 1024 * 1024;

/**
 * A file the URL names: read now, once; a file that cannot be read is a sentence naming the parameter. Only a
 * regular file of at most 1 MiB is read: opened without waiting (a FIFO would block the run) and checked on the
 * open descriptor, so what is read is what was checked (/dev/zero would never end).
 */
function readNamed(file: string, parameter: string): string {
	let descriptor: number;
	try {
		descriptor = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
	} catch {
		throw new ConnectionSettingsError(
			`The database URL names a certificate or key file that cannot be read: ${parameter}=${file}.`
		);
	}
	try {
		const stat = fstatSync(descriptor);
		if (!stat.isFile())
			throw new ConnectionSettingsError(
				`The database URL's ${parameter}=${file} is not a regular file: name the certificate or key file itself.`
			);
		if (stat.size > maxTlsFileBytes)
			throw new ConnectionSettingsError(
				`The database URL's ${parameter}=${file} is larger than 1 MiB, which no certificate or key ` +
					`is: name the certificate or key file itself.`
			);
		return readFileSync(descriptor, 'utf8');
	} catch (error) {
		if (error instanceof ConnectionSettingsError) throw error;
		throw new ConnectionSettingsError(
			`The database URL names a certificate or key file that cannot be read: ${parameter}=${file}.`
		);
	} finally {
		closeSync(descriptor);
	}
}

/**
 * The CAs the system trusts, for sslrootcert=system: OpenSSL's bundle where libpq would find it (SSL_CERT_FILE, then
 * the distributions' usual places), else the Mozilla list Node ships with.
 */
function systemCertificates(environment: NodeJS.ProcessEnv): string | readonly string[] {
	const bundles = [
		environment.SSL_CERT_FILE,
		'/etc/ssl/certs/ca-certificates.crt',
		'/etc/pki/tls/certs/ca-bundle.crt',
		'/etc/ssl/cert.pem',
	];
	const bundle = bundles.find((file): file is string => Boolean(file) && readable(file!));
	return bundle ? readFileSync(bundle, 'utf8') : rootCertificates;
}

/**
 * libpq refuses a private key others may read (u=rw if the key is the user's own, u=rw,g=r if root owns it), and so
 * does the doctor: a key anyone can read is not a secret any more.
 */
function checkKeyPermissions(file: string, userId: number | undefined): void {
	const {uid, mode} = statSync(file);
	if ((uid === userId && (mode & 0o077) !== 0) || (uid === 0 && (mode & 0o037) !== 0)) {
		throw new ConnectionSettingsError(
			`The private key file ${file} (sslkey) has group or world access: make it u=rw (chmod 0600 ${file}), as libpq requires.`
		);
	}
}

function sslModeOf(
	tls: URLSearchParams,
	environment: NodeJS.ProcessEnv,
	rootCertificate: string | undefined
): {mode: SslMode; verify: boolean} {
	// libpq reads ssl=true (JDBC's spelling) as sslmode=require; pg also knows ssl=1 and ssl=0/false.
	const fromSsl = {true: 'require', 1: 'require', false: 'disable', 0: 'disable'}[tls.get('ssl') ?? ''];
	const given =
		tls.get('sslmode') ??
		fromSsl ??
		environment.PGSSLMODE ??
		(rootCertificate === 'system' ? 'verify-full' : 'prefer');
	// node-postgres's own spelling of "encrypt, verify nothing", kept for URLs written for it.
	if (given === 'no-verify') return {mode: 'require', verify: false};
	if (!(sslModes as readonly string[]).includes(given)) {
		throw new ConnectionSettingsError(
			`The database URL's sslmode must be one of ${sslModes.join(', ')} (as in libpq).`
		);
	}
	return {mode: given as SslMode, verify: true};
}

/** The trusted CAs: sslrootcert (a file, or system), else libpq's default ~/.postgresql/root.crt when it exists. */
function rootCertificateOf(
	named: string | undefined,
	surroundings: Surroundings
): {source?: string; isDefault: boolean; ca?: string | readonly string[]} {
	if (named === 'system')
		return {
			source: 'system',
			isDefault: false,
			ca: surroundings.readFiles === false ? rootCertificates : systemCertificates(surroundings.environment),
		};
	// Unread, a named CA still counts as given: verify-ca and verify-full are checked as they will be when it is read.
	const read = (file: string) =>
		surroundings.readFiles === false ? `(${file}, not read)` : readNamed(file, 'sslrootcert');
	if (named) return {source: named, isDefault: false, ca: read(named)};
	const fallback = path.join(surroundings.home, '.postgresql', 'root.crt');
	return readable(fallback) ? {source: fallback, isDefault: true, ca: read(fallback)} : {isDefault: false};
}

/** A client certificate: sslcert, else ~/.postgresql/postgresql.crt when it exists; its key must then be readable. */
function clientCertificateOf(
	tls: URLSearchParams,
	surroundings: Surroundings
): Pick<TlsConnectionOptions, 'cert' | 'key' | 'passphrase'> {
	const {environment, home} = surroundings;
	const named = tls.get('sslcert') ?? environment.PGSSLCERT;
	const certFile = named ?? path.join(home, '.postgresql', 'postgresql.crt');
	if (!named && !readable(certFile)) return {};
	const keyFile = tls.get('sslkey') ?? environment.PGSSLKEY ?? path.join(home, '.postgresql', 'postgresql.key');
	if (surroundings.readFiles === false) return {};
	const cert = readNamed(certFile, 'sslcert');
	const key = readNamed(keyFile, 'sslkey');
	checkKeyPermissions(keyFile, surroundings.userId);
	const passphrase = tls.get('sslpassword') ?? undefined;
	return {cert, key, ...(passphrase === undefined ? {} : {passphrase})};
}

function negotiationOf(tls: URLSearchParams, environment: NodeJS.ProcessEnv, mode: SslMode): 'postgres' | 'direct' {
	const negotiation = tls.get('sslnegotiation') ?? environment.PGSSLNEGOTIATION ?? 'postgres';
	if (negotiation !== 'postgres' && negotiation !== 'direct') {
		throw new ConnectionSettingsError("The database URL's sslnegotiation must be postgres or direct.");
	}
	if (negotiation === 'direct' && !['require', 'verify-ca', 'verify-full'].includes(mode)) {
		throw new ConnectionSettingsError(
			`sslnegotiation=direct starts TLS without asking, so libpq allows it only with sslmode=require, ` +
				`verify-ca or verify-full (not ${mode}).`
		);
	}
	return negotiation;
}

/**
 * libpq's sslmode, mapped onto node-postgres attempts: disable and allow start plain, prefer and stronger start with
 * TLS; the chain is verified whenever a root certificate is known (so require with sslrootcert is verify-ca), the host
 * name only with verify-full; verify-ca and verify-full without a root certificate are refused, as libpq refuses them.
 * Files are read here, once. Over a Unix-domain socket libpq ignores sslmode, and so does this.
 */
export function readConnectionConfig(connectionString: string, surroundings: Surroundings = here()): ConnectionConfig {
	const {rest, tls} = splitTlsParameters(connectionString);
	const {environment} = surroundings;
	const base = parse(rest);
	const named = tls.get('sslrootcert') ?? environment.PGSSLROOTCERT;
	const {mode, verify} = sslModeOf(tls, environment, named);
	if (named === 'system' && mode !== 'verify-full') {
		throw new ConnectionSettingsError(
			`sslrootcert=system trusts every CA the system trusts, which anyone can get a certificate from, ` +
				`so libpq allows it only with sslmode=verify-full (not ${mode}).`
		);
	}
	const host = base.host || environment.PGHOST || 'localhost';
	const root = mode === 'disable' ? {isDefault: false} : rootCertificateOf(named, surroundings);
	if ((mode === 'verify-ca' || mode === 'verify-full') && !root.ca) {
		throw new ConnectionSettingsError(
			`sslmode=${mode} verifies the server's certificate, so it needs the CA that signed it: add ` +
				`sslrootcert=<file> (Supabase: the CA certificate from the project's Database settings) or ` +
				`put it at ~/.postgresql/root.crt, or use sslrootcert=system for a certificate from a public ` +
				`CA. To encrypt without verifying, as psql does, use sslmode=require.`
		);
	}
	const checked = verify && root.ca !== undefined;
	const intent: TlsIntent = {
		mode,
		rootCertificate: checked ? root.source : undefined,
		rootCertificateIsDefault: checked && root.isDefault,
		host,
	};
	const sslnegotiation = negotiationOf(tls, environment, mode);
	const plain: pg.ClientConfig = {
		...base,
		port: base.port ? Number(base.port) : undefined,
		database: base.database ?? undefined,
		host: base.host ?? undefined,
		ssl: false,
	};
	if (mode === 'disable' || host.startsWith('/')) return {intent, attempts: [plain]};
	const encrypted: pg.ClientConfig & {sslnegotiation: string} = {
		...plain,
		sslnegotiation,
		ssl: {
			rejectUnauthorized: checked,
			...(checked ? {ca: root.ca as string | string[]} : {}),
			// The chain is still verified; only the name is not (verify-ca, and require with a root certificate).
			...(mode === 'verify-full' ? {} : {checkServerIdentity: () => undefined}),
			...clientCertificateOf(tls, surroundings),
		},
	};
	const attempts = mode === 'allow' ? [plain, encrypted] : mode === 'prefer' ? [encrypted, plain] : [encrypted];
	return {intent, attempts};
}

const read = new Map<string, ConnectionConfig>();

/** URLs the folder's files chose that carry no password: connected with none, not with the environment's. */
const withoutAmbient = new Set<string>();

/**
 * Without a password in the URL, node-postgres takes PGPASSWORD, then ~/.pgpass: the admin's secrets. For a URL the
 * folder's files chose, that would send them to a server the files named. A password given as a function is never
 * looked up elsewhere; an empty one is sent as it is (a server that wants a password refuses it).
 */
export function withoutAmbientPassword(connectionString: string): void {
	withoutAmbient.add(connectionString);
	read.delete(connectionString);
}

const noPassword = () => '';

/** readConnectionConfig, once per URL for this run: the files are read the first time, at the edge. */
export function connectionConfig(connectionString: string): ConnectionConfig {
	let config = read.get(connectionString);
	if (!config) {
		config = readConnectionConfig(connectionString);
		if (withoutAmbient.has(connectionString))
			config = {...config, attempts: config.attempts.map(attempt => ({...attempt, password: noPassword}))};
		read.set(connectionString, config);
	}
	return config;
}

/** The URL's parameters checked as connectionConfig checks them, without reading a file they name. */
export function checkConnectionConfig(connectionString: string): void {
	readConnectionConfig(connectionString, {...here(), readFiles: false});
}
