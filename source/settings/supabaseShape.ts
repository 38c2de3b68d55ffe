// What Supabase's URLs and keys say about themselves: the project they name, the kind of connection, and whom a key
// lets requests run as. Read from their shape only: a key is never verified, sent anywhere or returned whole.

/** A project ref: the 20 lower-case letters of https://<ref>.supabase.co (Supabase's Management API's own rule). */
const refPattern = '[a-z]{20}';
const projectHost = new RegExp(`^(?:db\\.)?(${refPattern})\\.supabase\\.(?:co|in)$`);
const directHost = new RegExp(`^db\\.(${refPattern})\\.supabase\\.(?:co|in)$`);
/** Supavisor's shared pooler: aws-0-eu-central-1.pooler.supabase.com (newer projects aws-1-…). */
const sharedPoolerHost = /^[a-z0-9-]+\.pooler\.supabase\.com$/;
/** On the shared pooler the user names its project: postgres.<ref> (Supavisor's <user>.<tenant>). */
const poolerUser = new RegExp(`^[^.]+\\.(${refPattern})$`);
const postgresPoolerUser = new RegExp(`^postgres\\.(${refPattern})$`);
const localHosts = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** `supabase start`'s ports (pkg/config/templates/config.toml). */
export const localPorts = {api: 54321, database: 54322, pooler: 54329} as const;

export type ProjectRefs = {api?: string; key?: string; database?: string};

/**
 * How the doctor reaches the database. direct: db.<ref>.supabase.co:5432; session / transaction: Supavisor's shared
 * pooler on 5432 / 6543; dedicated: the paid PgBouncer on db.<ref>.supabase.co:6543 (transaction mode); local and
 * local-pooler: `supabase start`'s 54322 and 54329.
 */
export type ConnectionKind = 'direct' | 'session' | 'transaction' | 'dedicated' | 'local' | 'local-pooler';

export type DatabaseShape = {kind: ConnectionKind; host: string; port: number; user?: string; ref?: string};

export type KeyShape =
	| {kind: 'publishable'}
	| {kind: 'secret'}
	| {kind: 'jwt'; role?: string; ref?: string; iss?: string; exp?: number}
	| {kind: 'unknown'};

/** Whom requests with a key run as on Supabase, and whether its gateway lets the key read GET /rest/v1/ (the OpenAPI root). */
export type KeyReach = {role?: string; readsOpenApi?: boolean; name: string};

/** The project a host names: <ref>.supabase.co (the API) or db.<ref>.supabase.co (the direct database host). */
export function hostProjectRef(host: string): string | undefined {
	return projectHost.exec(hostName(host))?.[1];
}

/** The ref of the API URL's host; a custom domain names none. */
export function apiProjectRef(apiUrl: string | undefined): string | undefined {
	const url = parseUrl(apiUrl);
	return url ? hostProjectRef(url.hostname) : undefined;
}

/** What a database URL's host, port and user say; undefined when none of Supabase's shapes fits. */
export function databaseShape(databaseUrl: string | undefined): DatabaseShape | undefined {
	const url = parseUrl(databaseUrl);
	if (!url) return undefined;
	return connectionShape({
		host: url.hostname,
		port: url.port ? Number(url.port) : 5432,
		user: safeDecode(url.username),
	});
}

/** A host as DNS reads it: case does not count, and a final dot (the fully qualified form) names the same host. */
function hostName(host: string): string {
	return host.toLowerCase().replace(/\.$/, '');
}

export function connectionShape({
	host,
	port,
	user,
}: {
	host: string;
	port: number;
	user?: string;
}): DatabaseShape | undefined {
	const name = hostName(host);
	const direct = directHost.exec(name)?.[1];
	if (direct) return {kind: port === 6543 ? 'dedicated' : 'direct', host: name, port, user, ref: direct};
	if (sharedPoolerHost.test(name)) {
		return {
			kind: port === 6543 ? 'transaction' : 'session',
			host: name,
			port,
			user,
			ref: user ? poolerUser.exec(user)?.[1] : undefined,
		};
	}
	if (localHosts.has(name) && port === localPorts.database) return {kind: 'local', host: name, port, user};
	if (localHosts.has(name) && port === localPorts.pooler) return {kind: 'local-pooler', host: name, port, user};
	// A pooler user outside Supabase's host names (a proxy, an /etc/hosts entry) still names its project.
	const ref = user && postgresPoolerUser.exec(user)?.[1];
	return ref ? {kind: port === 6543 ? 'transaction' : 'session', host: name, port, user, ref} : undefined;
}

/** Whether a LISTEN on this connection hears notifications: not through a transaction-mode pooler. */
export function listensHere(kind: ConnectionKind): boolean {
	return kind !== 'transaction' && kind !== 'dedicated';
}

/**
 * Where the same database answers in session mode, without the password: the shared pooler's 5432 on the same host,
 * or the direct host for the dedicated pooler. What Supabase's CLI does for db push.
 */
export function sessionModeAddress(shape: DatabaseShape, database = 'postgres'): string | undefined {
	if (listensHere(shape.kind)) return undefined;
	const user = shape.user ? `${encodeURIComponent(shape.user)}@` : '';
	return `postgresql://${user}${shape.host}:5432/${encodeURIComponent(database)}`;
}

/**
 * What a database URL on a Supabase transaction pooler means for notifications, with the session-mode address to use
 * instead (no password); undefined for any other URL.
 */
export function transactionPoolerHint(databaseUrl: string): string | undefined {
	const shape = databaseShape(databaseUrl);
	if (!shape || listensHere(shape.kind)) return undefined;
	const database = safeDecode(parseUrl(databaseUrl)!.pathname.slice(1)) || 'postgres';
	const pooler = shape.kind === 'dedicated' ? 'dedicated PgBouncer' : 'shared pooler (Supavisor)';
	return (
		`the database URL uses ${shape.host}:6543, Supabase's ${pooler} in transaction mode, where ` +
		`a LISTEN never hears a notification; the same database in session mode is ${sessionModeAddress(shape, database)}`
	);
}

/** A Supabase project ref from https://<ref>.supabase.co, db.<ref>.supabase.co, or a pooler user postgres.<ref>. */
export function supabaseProjectRef(apiUrl?: string, databaseUrl?: string): string | undefined {
	return apiProjectRef(apiUrl) ?? apiProjectRef(databaseUrl) ?? databaseShape(databaseUrl)?.ref;
}

/** Whether the URLs are those of `supabase start`: its API on 54321 or its database (or pooler) on 54322 (54329). */
export function localSupabase(apiUrl?: string, databaseUrl?: string): boolean {
	return localApi(apiUrl) || localDatabase(databaseUrl);
}

/** What projectRefs says for `supabase start`'s URLs: never a ref (refs are 20 letters), so it differs from every cloud project. */
export const localProject = 'local (supabase start)';

/**
 * The projects the API URL, the API key's ref claim and the database URL name (each only when it names one);
 * `supabase start`'s URLs name localProject, so a cloud API beside a local database is two projects too.
 */
export function projectRefs(apiUrl?: string, apiKey?: string, databaseUrl?: string): ProjectRefs {
	const key = apiKey ? keyShape(apiKey) : undefined;
	return {
		api: apiProjectRef(apiUrl) ?? (localApi(apiUrl) ? localProject : undefined),
		key: key?.kind === 'jwt' ? key.ref : undefined,
		database: supabaseProjectRef(undefined, databaseUrl) ?? (localDatabase(databaseUrl) ? localProject : undefined),
	};
}

function localApi(apiUrl: string | undefined): boolean {
	return servesLocally(apiUrl, localPorts.api);
}

/** Whether a URL is this machine (127.0.0.1, localhost, ::1) at the port: where `supabase start` serves its stack. */
export function servesLocally(text: string | undefined, port: number): boolean {
	const url = parseUrl(text);
	return url !== undefined && localHosts.has(url.hostname) && Number(url.port) === port;
}

function localDatabase(databaseUrl: string | undefined): boolean {
	const kind = databaseShape(databaseUrl)?.kind;
	return kind === 'local' || kind === 'local-pooler';
}

/** Whether at least two of the sources name different projects; a source that names none (a custom domain) never differs. */
export function namesOtherProjects(refs: ProjectRefs): boolean {
	return new Set(Object.values(refs).filter(Boolean)).size > 1;
}

/** Recognises a key by its shape; a JWT's payload is decoded (never verified) for the claims Supabase puts there. */
export function keyShape(apiKey: string): KeyShape {
	const key = apiKey.trim();
	if (key.startsWith('sb_publishable_')) return {kind: 'publishable'};
	if (key.startsWith('sb_secret_')) return {kind: 'secret'};
	const payload = jwtPayload(key);
	if (!payload) return {kind: 'unknown'};
	const text = (name: string) => (typeof payload[name] === 'string' ? payload[name] : undefined);
	const exp = typeof payload.exp === 'number' && Number.isFinite(payload.exp) ? payload.exp : undefined;
	return {kind: 'jwt', role: text('role'), ref: text('ref'), iss: text('iss'), exp};
}

/** A string claim of the key's JWT (decoded, never verified, never printed). */
export function keyClaim(apiKey: string | undefined, claim: 'ref' | 'role' | 'iss'): string | undefined {
	const shape = apiKey ? keyShape(apiKey) : undefined;
	return shape?.kind === 'jwt' ? shape[claim] : undefined;
}

/**
 * The key in words and what it reaches on Supabase: publishable and legacy anon keys run as anon and, since
 * 2026-03-11, may not read the OpenAPI root; secret and service_role keys run as service_role (BYPASSRLS) and may.
 */
export function keyReach(shape: KeyShape): KeyReach {
	switch (shape.kind) {
		case 'publishable':
			return {role: 'anon', readsOpenApi: false, name: 'a publishable key (sb_publishable_…)'};
		case 'secret':
			return {role: 'service_role', readsOpenApi: true, name: 'a secret key (sb_secret_…)'};
		case 'unknown':
			return {name: 'a key that is neither a JWT nor an sb_… key'};
		case 'jwt': {
			if (shape.role === 'anon')
				return {role: 'anon', readsOpenApi: false, name: 'the legacy anon key (a JWT with role anon)'};
			if (shape.role === 'service_role')
				return {role: 'service_role', readsOpenApi: true, name: 'the legacy service_role key'};
			return {
				role: shape.role,
				name: shape.role ? `a JWT with role ${shape.role}` : 'a JWT without a role claim',
			};
		}
	}
}

/** Whether a JWT's exp claim lies in the past at `now` (milliseconds). */
export function keyExpired(shape: KeyShape, now = Date.now()): boolean {
	return shape.kind === 'jwt' && shape.exp !== undefined && shape.exp * 1000 < now;
}

/**
 * The PostgREST address behind a Supabase project URL: https://<ref>.supabase.co (the dashboard's "Project URL")
 * and `supabase start`'s http://127.0.0.1:54321 serve PostgREST under /rest/v1. Any other URL, or one with a path,
 * is left as it is.
 */
export function supabaseApiUrl(apiUrl: string): {url: string; note?: string} {
	const url = parseUrl(apiUrl);
	if (!url || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return {url: apiUrl};
	const project = hostProjectRef(url.hostname) !== undefined && !hostName(url.hostname).startsWith('db.');
	const local = localHosts.has(url.hostname) && Number(url.port) === localPorts.api;
	if (!project && !local) return {url: apiUrl};
	return {
		url: `${url.protocol}//${url.host}/rest/v1`,
		note: project ? 'a Supabase project URL' : "supabase start's API URL",
	};
}

/** The dashboard page with the project's API keys. */
export function apiKeysPage(ref: string): string {
	return `https://supabase.com/dashboard/project/${ref}/settings/api-keys`;
}

/** The dashboard's Connect dialog, opened on the session pooler's connection string. */
export function sessionPoolerPage(ref: string): string {
	return `https://supabase.com/dashboard/project/${ref}?showConnect=true&method=session`;
}

function jwtPayload(key: string): Record<string, unknown> | undefined {
	const parts = key.split('.');
	if (parts.length !== 3 || !/^[\w-]+$/.test(parts[1]!)) return undefined;
	try {
		const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
		return payload && typeof payload === 'object' && !Array.isArray(payload)
			? (payload as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

function parseUrl(text: string | undefined): URL | undefined {
	if (!text) return undefined;
	try {
		return new URL(text);
	} catch {
		return undefined;
	}
}

function safeDecode(text: string): string | undefined {
	if (!text) return undefined;
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}
