// The PostgREST probe: what the server says about itself. Only GET requests; no judgement here.
import {type HttpAnswer, type HttpTarget, type PostgrestError, parseJson, postgrestError, send} from './http.js';

export type OpenApiDocument = {
	info?: {version?: string; description?: string};
	definitions?: Record<string, {properties?: Record<string, unknown>}>;
	swagger?: string;
};

export type ApiFacts = {
	isPostgrest: boolean;
	version: string | null;
	/** Status of GET / and what it carried: the OpenAPI description or a PostgREST error. */
	root: {status: number; openApi?: OpenApiDocument; error?: PostgrestError};
	/** The schemas PostgREST says it exposes (from its PGRST106 answer), first is the default. */
	exposedSchemas: string[] | null;
	admin: AdminFacts | null;
};

export type AdminFacts = {
	ready: number | null;
	live: number | null;
	/** The parsed /schema_cache dump (PostgREST >= 12.2), null when absent or empty. */
	schemaCache: unknown;
	error?: string;
};

/** A schema name PostgREST will never expose, to make it list the ones it does. */
const unexposedProfile = 'pgrst_doctor_unexposed_probe';
const missingRelation = 'pgrst_doctor_missing_probe';

export async function apiFacts(target: HttpTarget, adminUrl?: string): Promise<ApiFacts> {
	const rootAnswer = await send(target, '/', {headers: {accept: 'application/openapi+json, application/json'}});
	const root = describeRoot(rootAnswer);
	let version = serverVersion(rootAnswer) ?? root.openApi?.info?.version ?? null;
	let isPostgrest = version !== null || root.error !== undefined || isPostgrestOpenApi(root.openApi);
	if (!isPostgrest && rootAnswer.status !== 401) {
		// Gateways (Supabase since 2026-03) may refuse GET / for some keys; a missing relation still reaches PostgREST.
		const answer = await send(target, `/${missingRelation}`, {headers: {accept: 'application/json'}});
		version = serverVersion(answer);
		isPostgrest = version !== null || postgrestError(answer) !== undefined;
	}
	const [exposedSchemas, admin] = await Promise.all([
		isPostgrest ? probeExposedSchemas(target) : null,
		adminUrl ? adminFacts({...target, baseUrl: adminUrl, apiKey: undefined}) : null,
	]);
	return {isPostgrest, version, root, exposedSchemas, admin};
}

function describeRoot(answer: HttpAnswer): ApiFacts['root'] {
	const error = postgrestError(answer);
	if (error) return {status: answer.status, error};
	const body = parseJson(answer.text);
	if (answer.status === 200 && body && typeof body === 'object' && 'swagger' in body) return {status: answer.status, openApi: body as OpenApiDocument};
	return {status: answer.status};
}

function isPostgrestOpenApi(document: OpenApiDocument | undefined): boolean {
	return Boolean(document?.info?.description?.includes('PostgREST'));
}

/** `Server: postgrest/12.0.2` → `12.0.2`. */
export function serverVersion(answer: HttpAnswer): string | null {
	return /^postgrest\/(\S+)/i.exec(answer.headers.server ?? '')?.[1] ?? null;
}

async function probeExposedSchemas(target: HttpTarget): Promise<string[] | null> {
	const answer = await send(target, '/', {headers: {'accept-profile': unexposedProfile}}).catch(() => undefined);
	const error = answer && postgrestError(answer);
	return error?.code === 'PGRST106' ? parseExposedSchemas(error) : null;
}

/** Both PGRST106 wordings: "The schema must be one of the following: a, b" (≤ 13.0.6) and the 13.0.7+ hint. */
export function parseExposedSchemas(error: PostgrestError): string[] | null {
	const text = /one of the following: (.+)$/.exec(error.message)?.[1] ?? /schemas are exposed: (.+)$/.exec(error.hint ?? '')?.[1];
	return text ? text.split(', ').map(name => name.trim()).filter(Boolean) : null;
}

async function adminFacts(target: HttpTarget): Promise<AdminFacts> {
	const status = async (path: string) => (await send(target, path)).status;
	try {
		const [ready, live, dump] = await Promise.all([status('/ready'), status('/live'), send(target, '/schema_cache')]);
		const schemaCache = dump.status === 200 && dump.text.trim() ? parseJson(dump.text) ?? null : null;
		return {ready, live, schemaCache};
	} catch (error) {
		return {ready: null, live: null, schemaCache: null, error: (error as Error).message};
	}
}
