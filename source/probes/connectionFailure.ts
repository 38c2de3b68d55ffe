// The one place where driver and network errors become findings with a next step.
import {type Finding, finding} from '../findings.js';

type DriverError = Error & {code?: string; cause?: DriverError; errors?: DriverError[]};

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
	EPROTO: 'the TLS handshake failed',
};

export function databaseFailure(error: unknown, where: string): Finding {
	const driver = error as DriverError;
	const code = codeOf(driver);
	const message = driver.message ?? String(error);
	if (code === '28P01' || code === '28000' || /tenant or user not found|password authentication failed/i.test(message)) {
		return finding('db.auth_failed', `PostgreSQL at ${where} refused the login: ${message}`, {
			suggestion: 'Check the user and password in --db-url (on a Supabase pooler the user is postgres.<project-ref>).',
		});
	}
	if (code === '3D000') {
		return finding('db.unreachable', `PostgreSQL at ${where} has no such database: ${message}`, {suggestion: 'Fix the database name at the end of --db-url.'});
	}
	const reason = networkReasons[code] ?? (/timeout|timed out/i.test(message) ? 'the connection timed out' : message);
	const tls = /certificate|ssl|tls/i.test(`${code} ${message}`)
		? ' For a self-signed chain (Supabase) add sslmode=no-verify to the URL or use uselibpqcompat=true&sslmode=require.'
		: '';
	return finding('db.unreachable', `Could not connect to PostgreSQL at ${where}: ${reason}.`, {
		suggestion: `Check the host, port and network for --db-url.${tls}`,
	});
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
	return finding('api.unreachable', `Could not reach PostgREST at ${where}: ${reason}.`, {
		suggestion: 'Check that PostgREST runs and that --api-url is its base URL (Supabase: https://<ref>.supabase.co/rest/v1).',
	});
}
