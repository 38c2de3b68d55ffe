// Issue 13 point 2 against real PostgreSQL 18 servers with TLS on (a certificate from a CA of the test's own, as
// Supabase's databases have) and one without: every sslmode connects, or fails, exactly as psql (libpq 15) does
// against the same server. psql is the oracle: the expectation is measured, not written down.
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import {connectClient} from '../source/probes/connectClient.js';
import {type CertificateAuthority, certificateAuthority} from './support/certificates.js';
import {checkStatus, findingRows, runCli} from './support/cli.js';
import {appSchema} from './support/scenario.js';
import {
	authenticatorPassword,
	type Postgres,
	type Postgrest,
	startPostgres,
	startPostgrest,
	superPassword,
} from './support/stack.js';

const run = promisify(execFile);
const encryptedSql = 'select ssl from pg_catalog.pg_stat_ssl where pid = pg_catalog.pg_backend_pid()';
const certificateUser = 'cert_user';

let authority: CertificateAuthority;
let stranger: CertificateAuthority;
let client: {certFile: string; keyFile: string};
/** Server kinds: no TLS at all; TLS offered; TLS demanded (hostssl); TLS on but refused (hostnossl). */
const servers: Record<'plain' | 'tls' | 'tlsOnly' | 'plainOnly', Postgres> = {} as never;
let api: Postgrest | undefined;

before(async () => {
	authority = certificateAuthority();
	stranger = certificateAuthority('another CA');
	client = authority.issue('client', [certificateUser]);
	servers.plain = await startPostgres();
	servers.tls = await startPostgres({tls: {authority}});
	servers.tlsOnly = await startPostgres({
		tls: {authority, accept: 'tls', certificateUser},
		captureLog: true,
		postgresFlags: ['-c', 'log_connections=on'],
	});
	servers.plainOnly = await startPostgres({tls: {authority, accept: 'plain'}});
	await servers.tlsOnly.query(`create role ${certificateUser} login`);
});

after(async () => {
	await api?.stop();
	for (const server of Object.values(servers)) await server?.stop();
	authority?.remove();
	stranger?.remove();
});

type Outcome = 'encrypted' | 'plain' | 'fails';

const url = (server: Postgres, host: string, parameters: string, user = `postgres:${superPassword}`) =>
	`postgresql://${user}@${host}:${server.port}/postgres${parameters ? `?${parameters}` : ''}`;

/** What psql makes of the URL: connected (and whether over TLS) or not. */
async function psql(connectionString: string): Promise<Outcome> {
	try {
		const {stdout} = await run('/usr/bin/psql', [connectionString, '-XAtc', encryptedSql], {
			env: {PATH: process.env.PATH, PGCONNECT_TIMEOUT: '5'},
		});
		return stdout.trim() === 't' ? 'encrypted' : 'plain';
	} catch {
		return 'fails';
	}
}

/** What the doctor's one way of connecting makes of it. */
async function doctor(connectionString: string): Promise<Outcome> {
	let connected;
	try {
		connected = await connectClient(connectionString, {timeoutMs: 5000});
	} catch {
		return 'fails';
	}
	try {
		const [row] = (await connected.query<{ssl: boolean}>(encryptedSql)).rows;
		return row?.ssl ? 'encrypted' : 'plain';
	} finally {
		await connected.end();
	}
}

test("every sslmode, with no, the right or a stranger's root certificate, by name and by IP: the doctor connects (encrypted or not) exactly when psql does", async t => {
	const modes = ['', 'disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
	const roots = {none: '', right: authority.certFile, stranger: stranger.certFile};
	const rows: string[] = [];
	const differences: string[] = [];
	for (const [kind, server] of Object.entries(servers)) {
		for (const mode of modes) {
			for (const [rootName, root] of Object.entries(roots)) {
				for (const host of ['localhost', '127.0.0.1']) {
					const parameters = [mode && `sslmode=${mode}`, root && `sslrootcert=${root}`]
						.filter(Boolean)
						.join('&');
					const connectionString = url(server, host, parameters);
					const [expected, actual] = [await psql(connectionString), await doctor(connectionString)];
					rows.push(`| ${kind} | ${mode || '(none)'} | ${rootName} | ${host} | ${expected} | ${actual} |`);
					if (expected !== actual)
						differences.push(
							`${kind} ${parameters || '(no parameters)'} @${host}: psql ${expected}, doctor ${actual}`
						);
				}
			}
		}
	}
	// The table in the report comes from here: node --test prints diagnostics.
	for (const row of ['| server | sslmode | sslrootcert | host | psql | doctor |', ...rows]) t.diagnostic(row);
	assert.deepEqual(differences, []);
	// The oracle said something worth agreeing with: the cases issue 13 measured, and libpq's rules.
	const outcome = (line: string) =>
		rows
			.find(row => row.startsWith(line))
			?.split(' | ')
			.at(-2);
	assert.equal(outcome('| tls | require | none | localhost'), 'encrypted');
	assert.equal(outcome('| tls | prefer | none | localhost'), 'encrypted');
	assert.equal(outcome('| tls | (none) | none | localhost'), 'encrypted');
	assert.equal(outcome('| plain | prefer | none | localhost'), 'plain');
	assert.equal(outcome('| plain | require | none | localhost'), 'fails');
	assert.equal(outcome('| tlsOnly | allow | none | localhost'), 'encrypted');
	assert.equal(outcome('| plainOnly | prefer | none | localhost'), 'plain');
	assert.equal(outcome('| tls | require | stranger | localhost'), 'fails');
	assert.equal(outcome('| tls | verify-full | right | localhost'), 'encrypted');
	assert.equal(outcome('| tls | verify-full | right | 127.0.0.1'), 'fails');
	assert.equal(outcome('| tls | verify-ca | right | 127.0.0.1'), 'encrypted');
	assert.equal(outcome('| tls | verify-full | none | localhost'), 'fails');
});

test('a client certificate (sslcert, sslkey) logs in where pg_hba.conf asks for one, as with psql; without it both are refused', async () => {
	const server = servers.tlsOnly;
	const withCertificate = url(
		server,
		'localhost',
		`sslmode=verify-full&sslrootcert=${authority.certFile}&sslcert=${client.certFile}&sslkey=${client.keyFile}`,
		certificateUser
	);
	const without = url(server, 'localhost', `sslmode=verify-full&sslrootcert=${authority.certFile}`, certificateUser);
	assert.equal(await psql(withCertificate), 'encrypted');
	assert.equal(await doctor(withCertificate), 'encrypted');
	assert.equal(await psql(without), 'fails');
	assert.equal(await doctor(without), 'fails');
	const refused = await runCli(['check', '--db-url', without, '--json']);
	const failure = refused.json.findings.find((item: {code: string}) => item.code === 'db.unreachable');
	assert.match(failure.message, /wants a client certificate/);
	assert.match(failure.suggestion, /sslcert=<file>&sslkey=<file>/);
	assert.ok(
		!refused.stdout.includes(readFileSync(client.keyFile, 'utf8').split('\n')[1]!),
		'no line of the private key is shown'
	);
});

test("pgrst-doctor check --db-url '…?sslmode=require' against a database that demands TLS: a full diagnosis, over TLS, exit 0; --fix trigger writes over TLS too", async () => {
	const server = servers.tlsOnly;
	await server.createDatabase('app');
	await server.query(appSchema, [], 'app');
	api = await startPostgrest({dbUri: `${server.url('app', 'authenticator', authenticatorPassword)}?sslmode=require`});
	const dbUrl = `${server.url('app')}?sslmode=require`;
	const {code, json} = await runCli(['check', '--db-url', dbUrl, '--api-url', api.url, '--json']);
	assert.deepEqual(findingRows(json), ['trigger.missing']);
	assert.equal(checkStatus(json, 'database.connect'), 'pass');
	assert.equal(checkStatus(json, 'cache.columns'), 'pass');
	assert.equal(code, 0);
	// The server's own word that the doctor's session was encrypted.
	assert.match(
		server.logs(),
		/connection authorized: user=postgres database=app application_name=pgrst-doctor SSL enabled/
	);

	const fixed = await runCli([
		'check',
		'--db-url',
		dbUrl,
		'--api-url',
		api.url,
		'--fix',
		'trigger',
		'--yes',
		'--json',
	]);
	assert.equal(fixed.code, 0);
	const triggers = await server.query<{evtname: string}>(
		'select evtname from pg_catalog.pg_event_trigger order by 1',
		[],
		'app'
	);
	assert.ok(triggers.length > 0, 'the trigger was installed over the TLS connection');
});

test("verify-full: the right CA and host name connect; a wrong host name, a stranger's CA or no CA at all say exactly what to change", async () => {
	const server = servers.tls;
	const right = await runCli([
		'check',
		'--db-url',
		url(server, 'localhost', `sslmode=verify-full&sslrootcert=${authority.certFile}`),
		'--json',
	]);
	assert.equal(checkStatus(right.json, 'database.connect'), 'pass');

	const wrongHost = await runCli([
		'check',
		'--db-url',
		url(server, '127.0.0.1', `sslmode=verify-full&sslrootcert=${authority.certFile}`),
		'--json',
	]);
	const hostFailure = wrongHost.json.findings.find((item: {code: string}) => item.code === 'db.unreachable');
	assert.equal(wrongHost.code, 2);
	assert.match(hostFailure.message, /its TLS certificate is for DNS:localhost, not 127\.0\.0\.1/);
	assert.match(hostFailure.suggestion, /sslmode=verify-ca to verify the CA but not the name/);
	assert.match(hostFailure.suggestion, /sslmode=require to encrypt without verifying, as psql does/);

	const strangerCa = await runCli([
		'check',
		'--db-url',
		url(server, 'localhost', `sslmode=verify-full&sslrootcert=${stranger.certFile}`),
	]);
	assert.equal(strangerCa.code, 2);
	assert.match(strangerCa.stdout, /its TLS certificate is not signed by the CA in sslrootcert=/);
	assert.match(strangerCa.stdout, /sslmode=require to encrypt without verifying, as psql does/);
	assert.doesNotMatch(strangerCa.stdout + strangerCa.stderr, /\n\s+at /, 'no stack trace');

	const noCa = await runCli(['check', '--db-url', url(server, 'localhost', 'sslmode=verify-full')]);
	assert.equal(noCa.code, 2);
	assert.match(
		noCa.stderr + noCa.stdout,
		/sslmode=verify-full verifies the server's certificate, so it needs the CA that signed it: add sslrootcert=<file>/
	);
});

test('the other refusals name the sslmode to use: require against a server without TLS, disable against one that demands it', async () => {
	const plain = await runCli(['check', '--db-url', url(servers.plain, 'localhost', 'sslmode=require'), '--json']);
	const noTls = plain.json.findings.find((item: {code: string}) => item.code === 'db.unreachable');
	assert.match(noTls.message, /the server does not offer TLS, and sslmode=require requires it/);
	assert.match(noTls.suggestion, /prefer/);

	const demanded = await runCli([
		'check',
		'--db-url',
		url(servers.tlsOnly, 'localhost', 'sslmode=disable'),
		'--json',
	]);
	const onlyTls = demanded.json.findings.find((item: {code: string}) => item.code === 'db.unreachable');
	assert.match(onlyTls.message, /accepts this connection only over TLS/);
	assert.match(onlyTls.suggestion, /sslmode=require/);
	assert.equal(demanded.code, 2);

	// prefer falls back to plain after the encrypted login is refused, which this server refuses too: the wrong
	// password is what is reported, not pg_hba.conf's "no encryption".
	const wrongPassword = await runCli([
		'check',
		'--db-url',
		url(servers.tlsOnly, 'localhost', '', 'postgres:not-the-password'),
		'--json',
	]);
	assert.ok(findingRows(wrongPassword.json).includes('db.auth_failed'));
	assert.match(wrongPassword.stdout, /password authentication failed/);
});

test("sslrootcert=system trusts the system's CAs (OpenSSL's SSL_CERT_FILE honoured, as libpq 16 does) and means verify-full", async () => {
	const dbUrl = url(servers.tls, 'localhost', 'sslrootcert=system');
	const trusted = await runCli(['check', '--db-url', dbUrl, '--json'], {SSL_CERT_FILE: authority.certFile});
	assert.equal(checkStatus(trusted.json, 'database.connect'), 'pass');
	const byIp = await runCli(['check', '--db-url', url(servers.tls, '127.0.0.1', 'sslrootcert=system'), '--json'], {
		SSL_CERT_FILE: authority.certFile,
	});
	assert.match(
		byIp.json.findings.find((item: {code: string}) => item.code === 'db.unreachable').message,
		/is for DNS:localhost, not 127\.0\.0\.1/
	);
	const untrusted = await runCli(['check', '--db-url', dbUrl, '--json'], {SSL_CERT_FILE: undefined});
	assert.match(
		untrusted.json.findings.find((item: {code: string}) => item.code === 'db.unreachable').message,
		/not signed by any CA the system trusts/
	);
	const weak = await runCli([
		'check',
		'--db-url',
		url(servers.tls, 'localhost', 'sslrootcert=system&sslmode=require'),
	]);
	assert.equal(weak.code, 2);
	assert.match(weak.stderr, /only with sslmode=verify-full \(not require\)/);
});

test('sslnegotiation=direct (PostgreSQL 17 and later): TLS from the first byte, no SSLRequest', async () => {
	const direct = await runCli([
		'check',
		'--db-url',
		url(servers.tlsOnly, 'localhost', 'sslmode=require&sslnegotiation=direct'),
		'--json',
	]);
	assert.equal(checkStatus(direct.json, 'database.connect'), 'pass');
	const weak = await runCli(['check', '--db-url', url(servers.tlsOnly, 'localhost', 'sslnegotiation=direct')]);
	assert.equal(weak.code, 2);
	assert.match(weak.stderr, /only with sslmode=require, verify-ca or verify-full \(not prefer\)/);
});
