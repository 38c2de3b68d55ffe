// The names discovery reads, in the order they count: the application's variables (in the environment or in a .env
// file) and PostgREST's own settings (PGRST_* variables, postgrest.conf keys, PGRST_* of a compose service). Each
// becomes a candidate: a value as text with where it came from, checked later when the candidates are merged.
import type {Borrowing, ConfValue} from './postgrestConf.js';
import type {Provenance, Settings} from './settings.js';

export type Field = Exclude<keyof Settings, 'notes' | 'dbUrlFromFolder'>;

/** yours: a file's value that is wholly one process environment variable's (db-uri = "$(PGRST_DB_URI)"). */
export type Candidate = {field: Field; value: string; from: Provenance; yours?: true};

export const databaseVariables = [
	'DATABASE_URL',
	'SUPABASE_DB_URL',
	'PGRST_DB_URI',
	'DIRECT_URL',
	'POSTGRES_URL_NON_POOLING',
	'POSTGRES_URL',
];

/** A Supabase project URL (https://<ref>.supabase.co, http://127.0.0.1:54321): PostgREST answers at <url>/rest/v1. */
export const supabaseUrlVariables = [
	'SUPABASE_URL',
	'NEXT_PUBLIC_SUPABASE_URL',
	'VITE_SUPABASE_URL',
	'EXPO_PUBLIC_SUPABASE_URL',
];

/**
 * Secret keys first: Supabase's OpenAPI root answers only to a secret or service_role key. SERVICE_ROLE_KEY and
 * SECRET_KEY are the names `supabase status -o env` prints and self-hosted Supabase's .env uses.
 */
export const keyVariables = [
	'PGRST_DOCTOR_API_KEY',
	'SUPABASE_SERVICE_ROLE_KEY',
	'SUPABASE_SECRET_KEY',
	'SERVICE_ROLE_KEY',
	'SECRET_KEY',
	'SUPABASE_ANON_KEY',
	'SUPABASE_PUBLISHABLE_KEY',
	'NEXT_PUBLIC_SUPABASE_ANON_KEY',
	'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY',
	'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_OR_ANON_KEY',
	'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_DEFAULT_KEY',
	'VITE_SUPABASE_PUBLISHABLE_KEY',
	'VITE_SUPABASE_ANON_KEY',
	'EXPO_PUBLIC_SUPABASE_ANON_KEY',
];

/** Where a port PostgREST listens on is reached from here, or why it cannot be. */
export type Publish = (port: number, host: string | undefined) => {url: string; how?: string} | {problem: string};

/** PostgREST's server-host forms that mean "every interface": reached here on the loopback address. */
export function loopbackUrl(port: number, host: string | undefined): {url: string} {
	const any = host === undefined || ['!4', '*4', '*', '!6', '*6', '0.0.0.0', '::'].includes(host);
	const shown = any
		? host === '!6' || host === '*6' || host === '::'
			? '[::1]'
			: '127.0.0.1'
		: host.includes(':')
			? `[${host}]`
			: host;
	return {url: `http://${shown}:${port}`};
}

/** The environment or a .env file: the application's names, then PostgREST's PGRST_* names, in one order. */
export function variableCandidates(
	variables: Readonly<Record<string, string | undefined>>,
	from: (name: string) => Provenance
): {candidates: Candidate[]; problems: string[]} {
	const value = (name: string) =>
		variables[name] === undefined || variables[name] === '' ? undefined : variables[name];
	const postgrest = new Map<string, ConfValue>();
	for (const [name, text] of Object.entries(variables)) {
		if (name.startsWith('PGRST_') && !name.startsWith('PGRST_DOCTOR_') && text !== undefined)
			postgrest.set(name.slice(6).toLowerCase().replaceAll('_', '-'), text);
	}
	const found = postgrestCandidates(postgrest, key => from(`PGRST_${key.toUpperCase().replaceAll('-', '_')}`), {
		publish: loopbackUrl,
		defaultPort: false,
	});
	const candidates: Candidate[] = [];
	for (const name of databaseVariables) {
		// PGRST_DB_URI is read as PostgREST reads it (a @file is not followed), in its place in the list.
		if (name === 'PGRST_DB_URI')
			candidates.push(...found.candidates.filter(candidate => candidate.field === 'dbUrl'));
		else if (value(name) !== undefined) candidates.push({field: 'dbUrl', value: value(name)!, from: from(name)});
	}
	if (value('PGRST_DOCTOR_API_URL') !== undefined)
		candidates.push({field: 'apiUrl', value: value('PGRST_DOCTOR_API_URL')!, from: from('PGRST_DOCTOR_API_URL')});
	for (const name of supabaseUrlVariables) {
		const text = value(name);
		if (text === undefined) continue;
		const rest = restUrl(text);
		candidates.push({
			field: 'apiUrl',
			value: rest,
			from: rest === text ? from(name) : `${from(name).replace(/\)$/, '')} + /rest/v1)`,
		});
	}
	for (const name of keyVariables) {
		if (value(name) !== undefined) candidates.push({field: 'apiKey', value: value(name)!, from: from(name)});
	}
	return {
		candidates: [...candidates, ...found.candidates.filter(candidate => candidate.field !== 'dbUrl')],
		problems: found.problems,
	};
}

/** <url>/rest/v1 for a project URL written without a path; a URL that already has one is taken as it is. */
function restUrl(text: string): string {
	try {
		const url = new URL(text);
		return url.pathname === '/' ? `${text.replace(/\/+$/, '')}/rest/v1` : text;
	} catch {
		return text;
	}
}

/** As PostgREST reads a setting as text: a number or a boolean written bare counts, an empty string is unset. */
function confText(value: ConfValue | undefined): string | undefined {
	if (value === undefined || Array.isArray(value)) return undefined;
	const text = String(value);
	return text === '' ? undefined : text;
}

/** PostgREST's reading of a boolean: true/false in any case (letters only), else a whole number above 0 is true. */
export function confBoolean(value: ConfValue | undefined): boolean | undefined {
	if (typeof value === 'boolean') return value;
	if (typeof value === 'number') return undefined;
	const text = confText(value);
	if (text === undefined) return undefined;
	const letters = text.replace(/[^\p{L}]/gu, '').toLowerCase();
	if (letters === 'true' || letters === 'false') return letters === 'true';
	return /^[+-]?\d+$/.test(text) ? Number(text) > 0 : undefined;
}

type PostgrestReading = {
	/** How a port of PostgREST's is reached from here. */
	publish: Publish;
	/** A whole config file: server-port falls back to PostgREST's default 3000, as the server does. */
	defaultPort: boolean;
	/** A db-uri as seen from here (a compose service's host name is only known inside its network). */
	reachDatabase?: (uri: string) => {uri: string; how?: string} | {problem: string};
	/** What a key's value took from the process environment or other keys through interpolation. */
	borrowed?: (key: string) => Borrowing | undefined;
};

/** The keys read below besides db-uri and jwt-secret, and the flag that sets the same thing. */
const shownKeys: Record<string, string | undefined> = {
	'db-schemas': '--schemas',
	'db-schema': '--schemas',
	'db-channel': '--channel',
	'db-channel-enabled': undefined,
	'db-anon-role': undefined,
	'server-host': '--api-url',
	'server-port': '--api-url',
	'server-unix-socket': '--api-url',
	'admin-server-host': '--admin-url',
	'admin-server-port': '--admin-url',
};

/** PostgREST's own keys (db-uri, db-schemas, …) as candidates; from names the key as its source spells it. */
export function postgrestCandidates(
	given: ReadonlyMap<string, ConfValue>,
	from: (key: string) => Provenance,
	reading: PostgrestReading
): {candidates: Candidate[]; problems: string[]} {
	const candidates: Candidate[] = [];
	const problems: string[] = [];
	// Trust: the file is the folder's, the environment is yours. A value the file built from your environment (or
	// from another key, which may hold it) is never shown or used as a channel, schema, role or address: only the
	// references are named, never the value.
	const values = new Map(given);
	for (const [key, flag] of Object.entries(shownKeys)) {
		const borrowing = values.has(key) ? reading.borrowed?.(key) : undefined;
		if (!borrowing) continue;
		values.delete(key);
		problems.push(
			`${from(key)} takes its value from ${borrowing.references.join(', ')}, which is not used${flag ? `; pass ${flag}` : ''}`
		);
	}
	const text = (key: string) => confText(values.get(key));
	const uri = text('db-uri');
	const uriBorrowing = uri === undefined ? undefined : reading.borrowed?.('db-uri');
	if (uri?.startsWith('@') && !uriBorrowing) {
		problems.push(
			`${from('db-uri')} reads the URI from a file (@…), which pgrst-doctor does not follow, so it was not used`
		);
	} else if (uriBorrowing?.sole) {
		// Wholly one variable of yours: that variable's URL, as if read from the environment, where the file does not
		// get to move it (no service address is put in its place).
		candidates.push({
			field: 'dbUrl',
			value: uri!,
			from: `${from('db-uri').replace(/\)$/, '')} = ${uriBorrowing.references[0]})`,
			yours: true,
		});
	} else if (uriBorrowing) {
		problems.push(
			`${from('db-uri')} was not used: it would put your environment's value (${uriBorrowing.references.join(', ')}) ` +
				`into an address the file chose; pass --db-url`
		);
	} else if (uri !== undefined) {
		const reached = reading.reachDatabase?.(uri) ?? {uri};
		if ('uri' in reached)
			candidates.push({field: 'dbUrl', value: reached.uri, from: withHow(from('db-uri'), reached.how)});
		else problems.push(`${from('db-uri')} was not used: ${reached.problem}`);
	}
	const schemasKey = text('db-schemas') === undefined && text('db-schema') !== undefined ? 'db-schema' : 'db-schemas';
	if (text(schemasKey) !== undefined)
		candidates.push({field: 'schemas', value: text(schemasKey)!, from: from(schemasKey)});
	if (text('db-channel') !== undefined)
		candidates.push({field: 'channel', value: text('db-channel')!, from: from('db-channel')});
	if (values.has('db-channel-enabled')) {
		const enabled = confBoolean(values.get('db-channel-enabled'));
		if (enabled === undefined)
			problems.push(`${from('db-channel-enabled')} is not true or false, so it was not used`);
		else candidates.push({field: 'channelEnabled', value: String(enabled), from: from('db-channel-enabled')});
	}
	if (text('db-anon-role') !== undefined)
		candidates.push({field: 'anonRole', value: text('db-anon-role')!, from: from('db-anon-role')});
	const secret = text('jwt-secret');
	if (secret !== undefined && !secret.startsWith('@'))
		candidates.push({field: 'jwtSecret', value: secret, from: from('jwt-secret')});
	const host = text('server-host');
	const serverPort = port(text('server-port'));
	if (
		text('server-unix-socket') === undefined &&
		(serverPort !== undefined || (reading.defaultPort && text('server-port') === undefined))
	) {
		const published = reading.publish(serverPort ?? 3000, host);
		const source =
			serverPort === undefined
				? `${from('server-port').replace(/\)$/, '')} not set: PostgREST's default 3000)`
				: from('server-port');
		if ('url' in published)
			candidates.push({field: 'apiUrl', value: published.url, from: withHow(source, published.how)});
		else problems.push(published.problem);
	}
	const adminPort = port(text('admin-server-port'));
	if (adminPort !== undefined) {
		const published = reading.publish(adminPort, text('admin-server-host') ?? host);
		if ('url' in published)
			candidates.push({
				field: 'adminUrl',
				value: published.url,
				from: withHow(from('admin-server-port'), published.how),
			});
		else problems.push(published.problem);
	}
	if (text('server-port') !== undefined && serverPort === undefined)
		problems.push(`${from('server-port')} is not a port number, so it was not used`);
	return {candidates, problems};
}

function port(text: string | undefined): number | undefined {
	if (text === undefined || !/^\d{1,5}$/.test(text)) return undefined;
	const number = Number(text);
	return number >= 1 && number <= 65_535 ? number : undefined;
}

function withHow(from: Provenance, how: string | undefined): Provenance {
	return how ? `${from.replace(/\)$/, '')}, ${how})` : from;
}
