// The one place where driver and network errors become findings with a next step.
import {type Finding, finding} from '../findings.js';
import {
	apiKeysPage,
	apiProjectRef,
	connectionShape,
	keyExpired,
	keyReach,
	keyShape,
	sessionPoolerPage,
} from '../settings/supabaseShape.js';
import {tlsIntentOf} from './connectClient.js';
import {ConnectionSettingsError, type TlsIntent} from './connectionConfig.js';

type DriverError = Error & {
	code?: string;
	cause?: DriverError;
	errors?: DriverError[];
	cert?: {subjectaltname?: string; subject?: {CN?: string}};
};

function codeOf(error: DriverError): string {
	return error.code ?? error.cause?.code ?? error.errors?.[0]?.code ?? error.name;
}

const networkReasons: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused (nothing listens on that port)',
	ENOTFOUND: 'the host name does not resolve',
	EAI_AGAIN: 'the host name could not be resolved right now',
	EHOSTUNREACH: 'the host is unreachable',
	ENETUNREACH: 'the network is unreachable (an IPv6-only host on an IPv4-only network?)',
	ECONNRESET: 'the server closed the connection',
	ETIMEDOUT: 'the connection timed out',
	UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
	UND_ERR_HEADERS_TIMEOUT: 'the server did not answer in time',
	UND_ERR_BODY_TIMEOUT: 'the server did not finish its answer in time',
	UND_ERR_SOCKET: 'the server closed the connection',
	TimeoutError: 'it did not answer in time',
	AbortError: 'the request was cancelled',
	SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate is not trusted (self-signed chain)',
	DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
	UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate could not be verified',
	ERR_TLS_CERT_ALTNAME_INVALID: 'its TLS certificate does not match the host name',
	CERT_HAS_EXPIRED: 'its TLS certificate has expired',
	CERT_NOT_YET_VALID: 'its TLS certificate is not valid yet',
	EPROTO: 'the TLS handshake failed',
};

// Node's names for "the chain does not lead to a CA we were told to trust".
const untrustedChain = new Set([
	'SELF_SIGNED_CERT_IN_CHAIN',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_UNTRUSTED',
	'CERT_SIGNATURE_FAILURE',
	'INVALID_CA',
]);

const encryptWithoutVerifying = 'use sslmode=require to encrypt without verifying, as psql does';

/** Who vouches for the server's certificate, as the user wrote it. */
function trustedBy(intent: TlsIntent): string {
	if (intent.rootCertificate === 'system') return 'any CA the system trusts (sslrootcert=system)';
	return intent.rootCertificateIsDefault
		? `the CA in ${intent.rootCertificate} (libpq's default root certificate)`
		: `the CA in sslrootcert=${intent.rootCertificate}`;
}

/** A connection refused over TLS, in words that say which URL parameter to change. */
function tlsFailure(error: DriverError, code: string, intent: TlsIntent, where: string): Finding | undefined {
	const failed = (reason: string, suggestion: string) =>
		finding('db.unreachable', {where, reason: `${reason}.`}, {suggestion});
	const {mode} = intent;
	if (untrustedChain.has(code)) {
		const verifying = mode === 'verify-ca' || mode === 'verify-full';
		return failed(
			`its TLS certificate is not signed by ${trustedBy(intent)} (sslmode=${mode})`,
			verifying
				? `Give the CA that signed the server's certificate with sslrootcert=<file> for ${mode} (Supabase: ` +
						`download it from the project's Database settings), or ${encryptWithoutVerifying}.`
				: `sslmode=${mode} verifies the chain because a root certificate is given: give the CA that signed ` +
						`the server's certificate, or ` +
						`${intent.rootCertificateIsDefault ? `move ${intent.rootCertificate} aside` : 'leave sslrootcert out'} ` +
						`to encrypt without verifying, as psql does.`
		);
	}
	if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
		const names = error.cert?.subjectaltname || error.cert?.subject?.CN;
		return failed(
			`its TLS certificate ${names ? `is for ${names}, not ${intent.host}` : `does not name ${intent.host}`} ` +
				`(sslmode=verify-full checks the host name)`,
			`Connect with a host name the certificate names, or use sslmode=verify-ca to verify the CA ` +
				`but not the name, or ${encryptWithoutVerifying}.`
		);
	}
	if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
		return failed(
			`${networkReasons[code]!} (sslmode=${mode})`,
			`Renew the server's certificate (or check this machine's clock), or ${encryptWithoutVerifying}.`
		);
	}
	if (error.message === 'The server does not support SSL connections') {
		return failed(
			`the server does not offer TLS, and sslmode=${mode} requires it`,
			"Turn ssl on in the server, or leave sslmode out: psql's default, prefer, encrypts when the " +
				'server offers TLS and connects without it otherwise.'
		);
	}
	if (code === '28000' && /, no encryption$/.test(error.message)) {
		return failed(
			`the server accepts this connection only over TLS (${error.message})`,
			`Use sslmode=require, or leave sslmode out: psql's default, prefer, tries TLS first.`
		);
	}
	if (code === '28000' && /, SSL encryption$/.test(error.message)) {
		return failed(
			`the server accepts this connection only without TLS (${error.message})`,
			`Use sslmode=prefer (psql's default), which falls back to a plain connection, or sslmode=disable.`
		);
	}
	if (code === '28000' && /client certificate/i.test(error.message)) {
		return failed(
			`the server wants a client certificate (${error.message})`,
			'Give the client certificate and its key with sslcert=<file>&sslkey=<file> (signed by the CA the server trusts, for this user).'
		);
	}
	if (code.startsWith('ERR_OSSL_')) {
		return failed(
			`the client certificate or key could not be used (${error.message})`,
			'Check that sslkey is the private key of sslcert, and give sslpassword if the key is encrypted.'
		);
	}
	return undefined;
}

export function databaseFailure(error: unknown, where: string): Finding {
	if (error instanceof ConnectionSettingsError) {
		return finding(
			'db.unreachable',
			{where, reason: error.message},
			{suggestion: 'Change the TLS parameters of --db-url as the sentence says.'}
		);
	}
	const driver = error as DriverError;
	const code = codeOf(driver);
	const message = driver.message ?? String(error);
	const intent = tlsIntentOf(error);
	const tls = intent && tlsFailure(driver, code, intent, where);
	if (tls) return tls;
	const supabase = supabaseFailure(code, message, where, intent?.host);
	if (supabase) return supabase;
	if (
		code === '28P01' ||
		code === '28000' ||
		/tenant or user not found|password authentication failed/i.test(message)
	) {
		return finding(
			'db.auth_failed',
			{where, answer: message},
			{
				suggestion:
					'Check the user and password in --db-url (on a Supabase pooler the user is postgres.<project-ref>).',
			}
		);
	}
	if (code === '3D000') {
		return finding(
			'db.unreachable',
			{where, missingDatabase: message},
			{suggestion: 'Fix the database name at the end of --db-url.'}
		);
	}
	const reason = networkReasons[code] ?? (/timeout|timed out/i.test(message) ? 'the connection timed out' : message);
	const tlsHint = /certificate|ssl|tls/i.test(`${code} ${message}`)
		? ` The URL's sslmode (${intent?.mode ?? 'prefer'}) decides whether TLS is tried and what is verified, as in psql.`
		: '';
	return finding(
		'db.unreachable',
		{where, reason: `${reason}.`},
		{
			suggestion: `Check the host, port and network for --db-url.${tlsHint}`,
		}
	);
}

/** user@host:port/database, as target.ts shows a database URL. */
function shownParts(where: string): {host: string; port: number; user?: string} | undefined {
	const parts = /^(?:([^@]*)@)?(\[[^\]]*\]|[^:/]+):(\d+)\//.exec(where);
	return parts
		? {user: parts[1] || undefined, host: parts[2]!.replace(/^\[|\]$/g, ''), port: Number(parts[3])}
		: undefined;
}

/**
 * Supabase's own ways of refusing: the shared pooler's "Tenant or user not found" (the user lacks .<ref>), SSL
 * enforcement, and the direct host db.<ref>.supabase.co that has only an IPv6 address unless the IPv4 add-on is on.
 */
function supabaseFailure(code: string, message: string, where: string, host?: string): Finding | undefined {
	const parts = shownParts(where);
	const shape = parts && connectionShape({...parts, host: host ?? parts.host});
	if (/tenant or user not found/i.test(message)) {
		const user = parts?.user ? ` (it was ${parts.user})` : '';
		return finding(
			'db.auth_failed',
			{where, answer: message, pooler: true},
			{
				suggestion:
					`On Supabase's pooler the user is postgres.<project-ref>${user}, ` +
					`e.g. postgres.${shape?.ref ?? 'abcdefghijklmnopqrst'}; ` +
					`copy the connection string from Connect in the project's dashboard.`,
			}
		);
	}
	if (/ssl connection is required|ssl required/i.test(message)) {
		const reason = `the server accepts only TLS connections ("${message}"; Supabase: SSL enforcement is on)`;
		return finding(
			'db.unreachable',
			{where, reason},
			{
				suggestion:
					'Leave sslmode out or use sslmode=require (encrypted, not verified, as psql does); sslmode=verify-full ' +
					"with sslrootcert=<the project's CA from Database settings> also verifies it.",
			}
		);
	}
	// The dedicated pooler (6543) lives on the same IPv6-only host.
	const ref = shape?.kind === 'direct' || shape?.kind === 'dedicated' ? shape.ref : undefined;
	if (ref && ['ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL'].includes(code)) {
		const ipv6 =
			`Supabase's direct host db.${ref}.supabase.co has only an IPv6 address unless the project has the IPv4 add-on,` +
			' which a network without IPv6 can neither resolve nor reach (check the ref too).';
		return finding(
			'db.unreachable',
			{where, reason: `${networkReasons[code] ?? code}. ${ipv6}`},
			{
				suggestion:
					`Use the session pooler instead (IPv4 and IPv6, LISTEN works): postgresql://postgres.${ref}:<password>@aws-<n>-<region>.pooler.supabase.com:5432/postgres, ` +
					`with the exact host from ${sessionPoolerPage(ref)}.`,
			}
		);
	}
	return undefined;
}

/** Why a request failed, in words. */
export function failureReason(error: unknown): string {
	const driver = error as DriverError;
	// AbortSignal.timeout's error has a numeric DOMException code; its name is what says "timeout".
	return networkReasons[codeOf(driver)] ?? networkReasons[driver.name] ?? driver.message ?? String(error);
}

/** A refused or closed connection: the server is gone, not slow. */
export function isConnectionLost(error: unknown): boolean {
	return ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'].includes(codeOf(error as DriverError));
}

export function apiFailure(error: unknown, where: string): Finding {
	const reason = failureReason(error);
	return finding(
		'api.unreachable',
		{situation: 'unanswered', where, reason},
		{
			suggestion:
				'Check that PostgREST runs and that --api-url is its base URL (Supabase: https://<ref>.supabase.co/rest/v1).',
		}
	);
}

/**
 * Supabase's gateway answers some requests itself, before PostgREST: since 2026-03-11 GET /rest/v1/ (the OpenAPI
 * description, the doctor's view of the cache) only with a secret or service_role key, and 401 for a missing or
 * unknown key. Each is said with the key's kind (read from its shape) and where the right key is.
 */
export function gatewayRefusal(
	root: {status: number; gatewayMessage?: string},
	baseUrl: string,
	apiKey: string | undefined
): Finding | undefined {
	const message = root.gatewayMessage ?? '';
	const shape = apiKey ? keyShape(apiKey) : undefined;
	const key = shape ? keyReach(shape).name : 'no key';
	const ref = apiProjectRef(baseUrl) ?? (shape?.kind === 'jwt' ? shape.ref : undefined);
	const keysAt = ref
		? ` (${apiKeysPage(ref)})`
		: " (the dashboard's API keys page; self-hosted: SERVICE_ROLE_KEY in its .env)";
	const secretKey = `the project's secret key (sb_secret_…) or its legacy service_role key${keysAt}`;
	if (root.status === 403 && /access to schema is forbidden/i.test(message)) {
		return finding(
			'api.unauthorized',
			{situation: 'gateway forbids', where: baseUrl, key},
			{
				suggestion:
					shape && keyReach(shape).readsOpenApi
						? `This key should be let through: check that it is ${secretKey}, not revoked, and that --api-url ` +
							`is that project's.`
						: `Pass --api-key with ${secretKey}; it runs as service_role.`,
			}
		);
	}
	if (root.status === 401 && /no api key found/i.test(message)) {
		return finding(
			'api.unauthorized',
			{situation: 'gateway no key', where: baseUrl},
			{
				suggestion: `Pass --api-key (or PGRST_DOCTOR_API_KEY) with ${secretKey}.`,
			}
		);
	}
	if (root.status === 401 && /invalid api key/i.test(message)) {
		const expired = Boolean(shape && keyExpired(shape));
		return finding(
			'api.unauthorized',
			{situation: 'gateway invalid key', where: baseUrl, key, expired},
			{
				suggestion:
					`Use a current key of the project this URL names: ${secretKey}. A key of another project, or ` +
					`one rotated away, is refused.`,
			}
		);
	}
	return undefined;
}
