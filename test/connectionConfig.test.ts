// The sslmode rules of libpq's documentation ("SSL Support", "Parameter Key Words") as node-postgres settings. What
// these settings do against real servers is measured against psql in tls.e2e.test.ts; here each rule is pinned.
import assert from 'node:assert/strict';
import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import type {ConnectionOptions} from 'node:tls';
import {
	ConnectionSettingsError,
	connectionConfig,
	readConnectionConfig,
	splitTlsParameters,
	type Surroundings,
} from '../source/probes/connectionConfig.js';
import {passwordSpans} from '../source/target.js';

const home = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-home-'));
const files = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-tls-files-'));
after(() => {
	rmSync(home, {recursive: true, force: true});
	rmSync(files, {recursive: true, force: true});
});

const caFile = path.join(files, 'ca.crt');
writeFileSync(caFile, 'the CA certificate\n');
const certFile = path.join(files, 'client.crt');
writeFileSync(certFile, 'the client certificate\n');
const keyFile = path.join(files, 'client.key');
const keyText = 'THE-PRIVATE-KEY-BODY\n';
writeFileSync(keyFile, keyText, {mode: 0o600});

const here = (environment: NodeJS.ProcessEnv = {}, homeDirectory = home): Surroundings => ({
	environment,
	home: homeDirectory,
	userId: process.geteuid?.(),
});
const base = 'postgresql://app:s3cret@db.example.com:5432/main';
const read = (parameters: string, environment?: NodeJS.ProcessEnv, homeDirectory?: string) =>
	readConnectionConfig(`${base}${parameters ? `?${parameters}` : ''}`, here(environment, homeDirectory));
const tlsOf = (config: ReturnType<typeof read>, index = 0) => config.attempts[index]!.ssl as ConnectionOptions | false;

test("no sslmode is libpq's default, prefer: TLS first without verifying, then plain", () => {
	const config = read('');
	assert.equal(config.intent.mode, 'prefer');
	assert.equal(config.attempts.length, 2);
	assert.equal((tlsOf(config) as ConnectionOptions).rejectUnauthorized, false);
	assert.equal(tlsOf(config, 1), false);
});

test('disable is plain only, allow is plain then TLS, require and stronger are TLS only', () => {
	assert.deepEqual(
		read('sslmode=disable').attempts.map(item => Boolean(item.ssl)),
		[false]
	);
	assert.deepEqual(
		read('sslmode=allow').attempts.map(item => Boolean(item.ssl)),
		[false, true]
	);
	for (const mode of ['require', 'verify-ca', 'verify-full']) {
		assert.deepEqual(
			read(`sslmode=${mode}&sslrootcert=${caFile}`).attempts.map(item => Boolean(item.ssl)),
			[true],
			mode
		);
	}
});

test('require encrypts without verifying; with sslrootcert it verifies the chain but not the host name, like verify-ca', () => {
	const bare = tlsOf(read('sslmode=require')) as ConnectionOptions;
	assert.equal(bare.rejectUnauthorized, false);
	assert.equal(bare.ca, undefined);
	const rooted = tlsOf(read(`sslmode=require&sslrootcert=${caFile}`)) as ConnectionOptions;
	assert.equal(rooted.rejectUnauthorized, true);
	assert.equal(rooted.ca, 'the CA certificate\n');
	assert.equal(rooted.checkServerIdentity?.('db.example.com', {} as never), undefined);
	const verifyCa = tlsOf(read(`sslmode=verify-ca&sslrootcert=${caFile}`)) as ConnectionOptions;
	assert.equal(verifyCa.rejectUnauthorized, true);
	assert.equal(typeof verifyCa.checkServerIdentity, 'function');
});

test("verify-full verifies the chain and keeps Node's host name check", () => {
	const full = tlsOf(read(`sslmode=verify-full&sslrootcert=${caFile}`)) as ConnectionOptions;
	assert.equal(full.rejectUnauthorized, true);
	assert.equal(full.checkServerIdentity, undefined);
	assert.equal(read(`sslmode=verify-full&sslrootcert=${caFile}`).intent.host, 'db.example.com');
});

test('verify-ca and verify-full without a root certificate are refused with the parameters to change, as libpq refuses them', () => {
	for (const mode of ['verify-ca', 'verify-full']) {
		assert.throws(
			() => read(`sslmode=${mode}`),
			(error: Error) => {
				assert.ok(error instanceof ConnectionSettingsError);
				assert.match(error.message, /add sslrootcert=<file>/);
				assert.match(error.message, /sslrootcert=system/);
				assert.match(error.message, /sslmode=require/);
				return true;
			}
		);
	}
});

test("libpq's default root certificate, ~/.postgresql/root.crt, is used when it exists: require then verifies the chain", () => {
	const withRoot = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-home-'));
	try {
		mkdirSync(path.join(withRoot, '.postgresql'));
		writeFileSync(path.join(withRoot, '.postgresql', 'root.crt'), 'the default CA\n');
		const config = read('sslmode=verify-full', {}, withRoot);
		assert.equal((tlsOf(config) as ConnectionOptions).ca, 'the default CA\n');
		assert.equal(config.intent.rootCertificateIsDefault, true);
		assert.equal((tlsOf(read('sslmode=require', {}, withRoot)) as ConnectionOptions).rejectUnauthorized, true);
		assert.equal((tlsOf(read('', {}, withRoot)) as ConnectionOptions).rejectUnauthorized, true);
	} finally {
		rmSync(withRoot, {recursive: true, force: true});
	}
});

test("sslrootcert=system trusts the system's CAs, makes verify-full the default and refuses weaker modes (libpq 16)", () => {
	const config = read('sslrootcert=system');
	assert.equal(config.intent.mode, 'verify-full');
	assert.equal(config.intent.rootCertificate, 'system');
	const {ca} = tlsOf(config) as ConnectionOptions;
	assert.ok(ca && ca.length > 0, 'some CAs are trusted');
	assert.throws(() => read('sslmode=require&sslrootcert=system'), /only with sslmode=verify-full \(not require\)/);
});

test('the environment fills what the URL leaves out, as for libpq: PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY', () => {
	assert.equal(read('', {PGSSLMODE: 'require'}).intent.mode, 'require');
	assert.equal(read('sslmode=disable', {PGSSLMODE: 'require'}).intent.mode, 'disable');
	assert.equal(
		(tlsOf(read('sslmode=verify-ca', {PGSSLROOTCERT: caFile})) as ConnectionOptions).ca,
		'the CA certificate\n'
	);
	const client = tlsOf(read('sslmode=require', {PGSSLCERT: certFile, PGSSLKEY: keyFile})) as ConnectionOptions;
	assert.equal(client.cert, 'the client certificate\n');
	assert.equal(client.key, keyText);
});

test("other spellings: ssl=true is sslmode=require (libpq's JDBC compatibility), pg's no-verify encrypts and verifies nothing", () => {
	assert.equal(read('ssl=true').intent.mode, 'require');
	const noVerify = read(`sslmode=no-verify&sslrootcert=${caFile}`);
	assert.equal(noVerify.intent.mode, 'require');
	assert.equal((tlsOf(noVerify) as ConnectionOptions).rejectUnauthorized, false);
	assert.equal(read('sslmode=require&uselibpqcompat=true').intent.mode, 'require');
	assert.throws(
		() => read('sslmode=required'),
		/must be one of disable, allow, prefer, require, verify-ca, verify-full/
	);
});

test("a client certificate needs its key, readable by its owner only; the key's text and the password never reach a message", () => {
	const client = tlsOf(
		read(`sslmode=require&sslcert=${certFile}&sslkey=${keyFile}&sslpassword=key-pass`)
	) as ConnectionOptions;
	assert.equal(client.cert, 'the client certificate\n');
	assert.equal(client.key, keyText);
	assert.equal(client.passphrase, 'key-pass');
	assert.throws(
		() => read(`sslmode=require&sslcert=${certFile}&sslkey=${path.join(files, 'missing.key')}`),
		/certificate or key file that cannot be read: sslkey=/
	);
	const openKey = path.join(files, 'open.key');
	writeFileSync(openKey, keyText);
	chmodSync(openKey, 0o644);
	assert.throws(
		() => read(`sslmode=require&sslcert=${certFile}&sslkey=${openKey}`),
		(error: Error) => {
			assert.match(error.message, /has group or world access: make it u=rw \(chmod 0600 /);
			assert.ok(!error.message.includes('PRIVATE-KEY-BODY') && !error.message.includes('s3cret'));
			return true;
		}
	);
});

test('files the URL names must be readable: a missing sslrootcert is a sentence, not a silent downgrade', () => {
	assert.throws(
		() => read('sslmode=require&sslrootcert=/nonexistent/ca.pem'),
		/cannot be read: sslrootcert=\/nonexistent\/ca\.pem/
	);
	// disable reads no certificate at all.
	assert.equal(read('sslmode=disable&sslrootcert=/nonexistent/ca.pem').attempts.length, 1);
});

test('sslnegotiation=direct (PostgreSQL 17) only with sslmode=require or stronger', () => {
	assert.equal(
		(read('sslmode=require&sslnegotiation=direct').attempts[0] as {sslnegotiation?: string}).sslnegotiation,
		'direct'
	);
	assert.throws(
		() => read('sslnegotiation=direct'),
		/only with sslmode=require, verify-ca or verify-full \(not prefer\)/
	);
});

test('over a Unix-domain socket sslmode is ignored, as libpq ignores it', () => {
	const config = readConnectionConfig('postgresql://app@/main?host=/var/run/postgresql&sslmode=require', here());
	assert.deepEqual(
		config.attempts.map(item => item.ssl),
		[false]
	);
});

test('everything but the TLS parameters is left to pg-connection-string, verbatim', () => {
	const {rest, tls} = splitTlsParameters(
		'postgresql://u:p%40ss@h:6543/db?application_name=mine&sslmode=require&options=-c%20x%3Dy&sslrootcert=/a%20b/ca.pem'
	);
	assert.equal(rest, 'postgresql://u:p%40ss@h:6543/db?application_name=mine&options=-c%20x%3Dy');
	assert.equal(tls.get('sslmode'), 'require');
	assert.equal(tls.get('sslrootcert'), '/a b/ca.pem');
	const [attempt] = read('sslmode=require&application_name=mine').attempts;
	assert.equal(attempt!.application_name, 'mine');
	assert.equal(attempt!.password, 's3cret');
	assert.equal(attempt!.port, 5432);
	assert.equal(attempt!.database, 'main');
});

test("connectionConfig reads a URL's files once for the run", () => {
	const once = path.join(files, 'once.crt');
	writeFileSync(once, 'first\n');
	const text = `${base}?sslmode=verify-ca&sslrootcert=${once}`;
	const first = connectionConfig(text);
	rmSync(once);
	assert.equal(connectionConfig(text), first);
});

test('sslpassword, which unlocks the client key, is hidden while a URL is typed, like password', () => {
	const text = 'postgresql://u@h/db?sslmode=require&sslpassword=key-pass&sslkey=/k';
	const spans = passwordSpans(text);
	assert.deepEqual(
		spans.map(([from, to]) => text.slice(from, to)),
		['key-pass']
	);
});
