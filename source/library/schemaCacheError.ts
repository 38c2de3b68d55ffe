// Which error responses are about PostgREST's schema cache, and which of those PostgREST gives before the request
// reaches the database. Pure: the recovering fetch reads the response and asks here.
import {type ParsedError, parseError} from '../explain/parseError.js';

/**
 * The codes whose requests PostgREST rejects while planning them from its schema cache, before it opens a
 * transaction: a retry after the reload cannot run the request twice. Each is proved on PostgreSQL with PostgREST
 * 11.2.2 and 12.0.2 by test/recoveringFetch.e2e.test.ts (a side-effect counter that stays 0, and a control that
 * moves once the cache is fresh). '404 {}' is PostgREST 11 and 12's answer to a write on a table its cache lacks.
 */
export const unexecutedCodes = ['PGRST204', 'PGRST202', 'PGRST200', '404 {}'] as const;

/**
 * Schema-cache errors that are recovered (reloaded) but never retried: PGRST205 is PostgREST 13's, and the test
 * servers here (11.2.2, 12.0.2) cannot prove that it is given before the database.
 */
export const reloadOnlyCodes = ['PGRST205'] as const;

export type SchemaCacheCode = (typeof unexecutedCodes)[number] | (typeof reloadOnlyCodes)[number];

export type SchemaCacheError = {
	code: SchemaCacheCode;
	/** Whether a request answered with it provably did not run, so it may be sent again once. */
	unexecuted: boolean;
	/** The error as explain reads it: the request line (method, URL, status) and the body. */
	text: string;
	parsed: ParsedError;
};

const writes = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** The code a response's body and status declare, when it is one of the schema cache's. */
function declaredCode(method: string, url: URL, status: number, body: string): SchemaCacheCode | undefined {
	if (status === 404 && body.trim() === '{}' && writes.has(method) && /^\/[^/]+\/?$/.test(routedPath(url)))
		return '404 {}';
	const code = /"code"\s*:\s*"(PGRST20[0245])"/.exec(body.slice(0, 4096))?.[1];
	const expected: Record<string, number> = {PGRST204: 400, PGRST202: 404, PGRST205: 404, PGRST200: 400};
	return code && expected[code] === status ? (code as SchemaCacheCode) : undefined;
}

/** The path PostgREST routes: without Supabase's /rest/v1 prefix. */
export function routedPath(url: URL): string {
	return url.pathname.replace(/^.*?\/rest\/v1(?=\/|$)/, '') || '/';
}

export function schemaCacheError(method: string, url: URL, status: number, body: string): SchemaCacheError | undefined {
	const code = declaredCode(method.toUpperCase(), url, status, body);
	if (!code) return undefined;
	const text = `${method.toUpperCase()} ${url.href} ${status}\n${body.slice(0, 16 * 1024)}`;
	return {code, unexecuted: (unexecutedCodes as readonly string[]).includes(code), text, parsed: parseError(text)};
}

/** Errors about the same object share one recovery: a burst of 100 is one verdict, one reload and one wait. */
export function recoveryKey(error: SchemaCacheError): string {
	const {parsed} = error;
	return JSON.stringify([
		error.code,
		parsed.schema,
		parsed.table,
		parsed.column,
		parsed.function,
		parsed.args,
		parsed.parent,
		parsed.child,
	]);
}
