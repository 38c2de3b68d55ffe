// Certificates for tests, made at test time with the system's openssl into temporary directories (never committed):
// a CA of our own, as Supabase signs its databases' certificates, and certificates it signs for servers and clients.
import {execFileSync} from 'node:child_process';
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

export type KeyPair = {certFile: string; keyFile: string};

export type CertificateAuthority = KeyPair & {
	/** A certificate this CA signs: for a server (names become its subjectAltName) or a client (the name is its CN). */
	issue(use: 'server' | 'client', names: string[]): KeyPair;
	remove(): void;
};

const openssl = '/usr/bin/openssl';
// P-256 keys: made in milliseconds, accepted by PostgreSQL, libpq and Node alike.
const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function run(args: string[]): void {
	execFileSync(openssl, args, {stdio: ['ignore', 'ignore', 'pipe']});
}

/** subjectAltName entries for names: IP addresses as IP:, everything else as DNS:. */
function altNames(names: string[]): string {
	return names.map(name => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
}

export function certificateAuthority(name = 'pgrst-doctor test CA'): CertificateAuthority {
	const directory = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-ca-'));
	// The server runs as the OS user postgres when the tests run as root: it must reach the files it is given.
	chmodSync(directory, 0o755);
	const certFile = path.join(directory, 'ca.crt');
	const keyFile = path.join(directory, 'ca.key');
	run([
		'req',
		'-x509',
		...newKey,
		'-keyout',
		keyFile,
		'-out',
		certFile,
		'-days',
		'2',
		'-subj',
		`/CN=${name}`,
		'-addext',
		'basicConstraints=critical,CA:TRUE',
		'-addext',
		'keyUsage=critical,keyCertSign,cRLSign',
	]);
	chmodSync(certFile, 0o644);
	let issued = 0;
	return {
		certFile,
		keyFile,
		issue(use, names) {
			const base = path.join(directory, `${use}-${++issued}`);
			const extensions = `${base}.ext`;
			writeFileSync(
				extensions,
				[
					'basicConstraints=CA:FALSE',
					'keyUsage=critical,digitalSignature,keyEncipherment',
					`extendedKeyUsage=${use === 'server' ? 'serverAuth' : 'clientAuth'}`,
					...(use === 'server' ? [`subjectAltName=${altNames(names)}`] : []),
					'',
				].join('\n')
			);
			run([
				'req',
				'-new',
				...newKey,
				'-keyout',
				`${base}.key`,
				'-out',
				`${base}.csr`,
				'-subj',
				`/CN=${names[0]}`,
			]);
			run([
				'x509',
				'-req',
				'-in',
				`${base}.csr`,
				'-CA',
				certFile,
				'-CAkey',
				keyFile,
				'-CAcreateserial',
				'-out',
				`${base}.crt`,
				'-days',
				'2',
				'-extfile',
				extensions,
			]);
			chmodSync(`${base}.crt`, 0o644);
			// libpq and PostgreSQL both refuse a private key others may read.
			chmodSync(`${base}.key`, 0o600);
			return {certFile: `${base}.crt`, keyFile: `${base}.key`};
		},
		remove() {
			rmSync(directory, {recursive: true, force: true});
		},
	};
}
