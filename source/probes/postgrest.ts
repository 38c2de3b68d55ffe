// The PostgREST probe: what the server says about itself. Only GET requests; no judgement here.
import {
	bodyCaps,
	type HttpAnswer,
	type HttpTarget,
	mebibytes,
	type PostgrestError,
	parseJson,
	postgrestError,
	send,
} from './http.js';
import {type OpenApiTables, openApiReader, openApiTables} from './openApiTables.js';
import {parseSchemaCacheDump, type SchemaCacheDump} from './schemaCacheDump.js';
import {postgrestFeatures} from '../postgrestVersions.js';

export type ApiFacts = {
	isPostgrest: boolean;
	version: string | null;
	/**
	 * Status of GET / and what it carried: the OpenAPI description, a PostgREST error, where it redirects, or the
	 * message of a gateway's own JSON error (Supabase's Kong: {"message": "Invalid API key"}).
	 */
	root: {
		status: number;
		openApi?: OpenApiTables;
		error?: PostgrestError;
		location?: string;
		gatewayMessage?: string;
		tooLarge?: true;
	};
	/** The schemas PostgREST says it exposes (from its PGRST106 answer), first is the default. */
	exposedSchemas: string[] | null;
	admin: AdminFacts | null;
	/** Set when --api-url answers as PostgREST but is not its API root, so every path the doctor sends would miss. */
	offRoot?: OffRoot;
	/** Sources that could not be used and what the doctor did instead, for the report. */
	notes?: string[];
};

/**
 * Why the address is not PostgREST's API root, from the controls: status is what GET / answered, control what a
 * relation that cannot exist answered (PostgREST's root answers its "does not exist" error there, on every version).
 * admin: it answers /live or /ready, as only the admin server does. root: the root found above it, when one was.
 */
export type OffRoot = {status: number; control: number; admin: boolean; root?: string};

export type AdminFacts = {
	ready: number | null;
	live: number | null;
	/** The /schema_cache dump (PostgREST >= 12.2), null when absent, empty or not a dump. */
	schemaCache: SchemaCacheDump | null;
	error?: string;
};

/** A schema name PostgREST will never expose, to make it list the ones it does. */
const unexposedProfile = 'pgrst_doctor_unexposed_probe';
const missingRelation = 'pgrst_doctor_missing_probe';

/**
 * schemas: the --schemas flag, if given; GET / describes the default schema, whose relations are read only if asked for.
 * The exposed schemas are asked alongside GET /, which PostgREST answers only once it has written the whole OpenAPI
 * description; onExposedSchemas hears them as soon as they answer, before anything says this is PostgREST (they
 * count only once GET / or the control says so).
 */
export async function apiFacts(
	target: HttpTarget,
	adminUrl?: string,
	schemas?: string[],
	onExposedSchemas?: (answer: ExposedAnswer) => void
): Promise<ApiFacts> {
	const notes: string[] = [];
	// --concurrency 1 means one request at a time, these two included.
	const exposed = (target.concurrency ?? 2) > 1 ? probeExposedSchemas(target) : undefined;
	void exposed?.then(onExposedSchemas);
	// Without --schemas the default schema's relations are wanted, so the description is read as it arrives.
	const rootAnswer = await send(target, '/', {
		headers: {accept: 'application/openapi+json, application/json'},
		cap: 'document',
		...(schemas?.length ? {} : {read: () => openApiReader(true)}),
	});
	if (rootAnswer.tooLarge)
		notes.push(
			`GET / answered more than ${mebibytes(bodyCaps.document)}, so its OpenAPI description was not ` +
				`read; every relation was probed instead`
		);
	// Without --schemas the default schema is asked for, so its relations are read in the same walk; with --schemas
	// they are read only once the exposed schemas say it is asked for (a document may list 200,000 relations).
	const [identity, described] = describeRoot(rootAnswer, !schemas?.length);
	let version = serverVersion(rootAnswer) ?? identity.openApi?.version ?? null;
	let isPostgrest = version !== null || identity.error !== undefined || isPostgrestOpenApi(identity.openApi);
	let control: HttpAnswer | undefined;
	if (!isPostgrest && rootAnswer.status !== 401) {
		// Gateways (Supabase since 2026-03) may refuse GET / for some keys; a missing relation still reaches PostgREST.
		control = await sendControl(target);
		version = serverVersion(control);
		isPostgrest = version !== null || postgrestError(control) !== undefined;
	}
	const offRoot =
		isPostgrest && rootAnswer.status === 404 && !identity.error
			? await offRootControls(target, rootAnswer.status, control)
			: undefined;
	if (offRoot) return {isPostgrest, version, root: identity, exposedSchemas: null, admin: null, offRoot, notes};
	const [exposedSchemas, admin] = await Promise.all([
		isPostgrest ? (exposed ?? probeExposedSchemas(target)).then(answer => answer.schemas) : null,
		adminUrl ? adminFacts({...target, baseUrl: adminUrl, apiKey: undefined}, notes, version) : null,
	]);
	const asked = !schemas?.length || schemas.includes(exposedSchemas?.[0] ?? schemas[0]!);
	const root = asked && identity.openApi ? described() : identity;
	return {
		isPostgrest,
		version,
		root: rootAnswer.tooLarge ? {...root, tooLarge: true} : root,
		exposedSchemas,
		admin,
		notes,
	};
}

/**
 * GET / answered 404 without a PostgREST error: either the OpenAPI output is disabled, or the address is
 * not the root (`/rest/v1` appended to a self-hosted PostgREST, a path prefix, the admin port). The negative control
 * tells them apart: at the root, a relation that cannot exist answers PostgREST's error (42P01, PGRST205 from 13);
 * below it every path, cached or not, answers the same bare 404 (`{}` from 11.2.2 and 12.0.2, empty from the admin
 * server), so a diff would read every table as missing.
 */
async function offRootControls(target: HttpTarget, status: number, sent?: HttpAnswer): Promise<OffRoot | undefined> {
	const control = sent ?? (await sendControl(target));
	if (postgrestError(control)) return undefined;
	const [live, ready] = await Promise.all([send(target, '/live'), send(target, '/ready')]);
	const admin = live.status !== 404 || ready.status !== 404;
	return {status, control: control.status, admin, root: admin ? undefined : await rootAbove(target)};
}

/** The negative control: a relation that cannot exist, asked for as JSON (11.2.2 checks Accept before the cache). */
async function sendControl(target: HttpTarget): Promise<HttpAnswer> {
	return send(target, `/${missingRelation}`, {headers: {accept: 'application/json'}});
}

/** The nearest address above the given one whose negative control answers like PostgREST's root, at most four up. */
async function rootAbove(target: HttpTarget): Promise<string | undefined> {
	const url = new URL(target.baseUrl);
	const segments = url.pathname.split('/').filter(Boolean);
	for (let keep = segments.length - 1; keep >= Math.max(0, segments.length - 4); keep--) {
		const candidate = `${url.protocol}//${url.host}${segments
			.slice(0, keep)
			.map(segment => `/${segment}`)
			.join('')}`;
		const answer = await sendControl({...target, baseUrl: candidate}).catch(() => undefined);
		if (answer && postgrestError(answer)) return candidate;
	}
	return undefined;
}

/**
 * GET /'s answer twice: without the relations (to tell PostgREST apart, and for a schema not asked for), and with
 * them. The body is walked once: a description read whole also reads without its relations (what the reader checks
 * of them is more than it checks of a value it passes over), so only a body that fails whole is walked again.
 */
/** GET /'s answer without its relations, and a way to read them: at once when withTables, else only when asked. */
function describeRoot(
	answer: HttpAnswer & {read?: OpenApiTables},
	withTables: boolean
): [ApiFacts['root'], () => ApiFacts['root']] {
	if (answer.status >= 300 && answer.status < 400)
		return same({status: answer.status, location: answer.headers.location ?? ''});
	// A 200 is read as a document from its bytes: decoding and parsing a large body whole is what the reader avoids.
	if (answer.status === 200) {
		const described = (openApi: ReturnType<typeof openApiTables>): ApiFacts['root'] =>
			openApi ? {status: answer.status, openApi} : {status: answer.status};
		const whole = 'read' in answer ? answer.read : withTables ? openApiTables(answer.body, true) : undefined;
		const bare = whole ? {...whole, tables: []} : openApiTables(answer.body, false);
		return [described(bare), () => described(whole ?? openApiTables(answer.body, true))];
	}
	const error = postgrestError(answer);
	if (error) return same({status: answer.status, error});
	const gatewayMessage = answer.status >= 400 ? gatewayError(answer) : undefined;
	return same(gatewayMessage ? {status: answer.status, gatewayMessage} : {status: answer.status});
}

function same(root: ApiFacts['root']): [ApiFacts['root'], () => ApiFacts['root']] {
	return [root, () => root];
}

/** A gateway's error body {"message": "…", "hint"?: "…"}: no PostgREST code. Only read to be recognised, never shown. */
export function gatewayError(answer: Pick<HttpAnswer, 'text'>): string | undefined {
	const body = parseJson(answer.text);
	if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
	const {message} = body as Record<string, unknown>;
	return typeof message === 'string' ? message.slice(0, 200) : undefined;
}

function isPostgrestOpenApi(document: OpenApiTables | undefined): boolean {
	return Boolean(document?.description?.includes('PostgREST'));
}

/** `Server: postgrest/12.0.2` → `12.0.2`. */
export function serverVersion(answer: Pick<HttpAnswer, 'headers'>): string | null {
	return /^postgrest\/(\S+)/i.exec(answer.headers.server ?? '')?.[1] ?? null;
}

/** PGRST106's list of exposed schemas, and the version in the Server header of that answer. */
export type ExposedAnswer = {schemas: string[] | null; version: string | null};

async function probeExposedSchemas(target: HttpTarget): Promise<ExposedAnswer> {
	const answer = await send(target, '/', {headers: {'accept-profile': unexposedProfile}}).catch(() => undefined);
	const error = answer && postgrestError(answer);
	return {
		schemas: error?.code === 'PGRST106' ? parseExposedSchemas(error) : null,
		version: answer ? serverVersion(answer) : null,
	};
}

/** Both PGRST106 wordings: "The schema must be one of the following: a, b" (≤ 13.0.6) and the 13.0.7+ hint. */
export function parseExposedSchemas(error: PostgrestError): string[] | null {
	const text =
		/one of the following: (.+)$/.exec(error.message)?.[1] ??
		/schemas are exposed: (.+)$/.exec(error.hint ?? '')?.[1];
	return text
		? text
				.split(', ')
				.map(name => name.trim())
				.filter(Boolean)
		: null;
}

/**
 * /ready, /live and, where the API's PostgREST has one (12.2+), /schema_cache. A dump is a verdict on the whole cache,
 * so it is read only from a version that serves it: an admin address that answers one for a PostgREST without the
 * endpoint is not that PostgREST's admin server, and what it says is not its cache.
 */
async function adminFacts(target: HttpTarget, notes: string[], version: string | null): Promise<AdminFacts> {
	const status = async (path: string) => (await send(target, path)).status;
	const dumps = postgrestFeatures(version).adminEndpoints?.includes('/schema_cache') ?? false;
	try {
		const [ready, live, dump] = await Promise.all([
			status('/ready'),
			status('/live'),
			dumps ? send(target, '/schema_cache', {cap: 'document'}) : undefined,
		]);
		return {ready, live, schemaCache: dump ? schemaCacheOf(dump, notes) : null};
	} catch (error) {
		return {ready: null, live: null, schemaCache: null, error: (error as Error).message};
	}
}

/** The admin dump when it is one; a body that is not a dump is noted and the other sources are used instead. */
function schemaCacheOf(answer: HttpAnswer, notes: string[]): AdminFacts['schemaCache'] {
	const fallback = 'compared through OpenAPI and probes instead';
	if (answer.tooLarge) {
		notes.push(`The admin /schema_cache answered more than ${mebibytes(bodyCaps.document)}; ${fallback}`);
		return null;
	}
	if (answer.status !== 200 || !answer.text.trim()) return null;
	const dump = parseSchemaCacheDump(parseJson(answer.text));
	if (!dump) notes.push(`The admin /schema_cache answered a body that is not a schema cache dump; ${fallback}`);
	return dump ?? null;
}
