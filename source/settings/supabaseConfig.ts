// supabase/config.toml, as `supabase start` reads it for the local stack: the API (Kong) at 127.0.0.1:[api] port
// with PostgREST under /rest/v1, the database at 127.0.0.1:[db] port as postgres/postgres, [api] schemas; the
// ports default to 54321 and 54322 when the file leaves them out. Values written as "env(NAME)" come from the
// environment, as the Supabase CLI reads them.
import {createRequire} from 'node:module';
import type * as Toml from 'smol-toml'; // its types only: the module itself is loaded when needed (below)
import type {Candidate} from './settingCandidates.js';

// Loaded only when a file is there to parse: most runs have none, and loading it was a fifth of a check's start.
const toml = () => createRequire(import.meta.url)('smol-toml') as typeof Toml;

type Variables = Readonly<Record<string, string | undefined>>;

export class TomlSyntaxError extends Error {}

export type SupabaseLocal = {
	candidates: Candidate[];
	problems: string[];
	/** The API's port on this machine, to know whether an API URL is this local stack's. */
	apiPort: number;
	/** What signs the local stack's JWTs, when the file says (undefined: supabase start's default). */
	jwtSecret?: string;
	/** Asymmetric signing keys are configured: the default HS256 key does not work then. */
	signingKeys: boolean;
};

export const localApiPort = 54_321;
export const localDatabasePort = 54_322;

export function supabaseLocal(text: string, file: string, variables: Variables): SupabaseLocal {
	let document: Record<string, unknown>;
	try {
		document = toml().parse(text);
	} catch (error) {
		throw new TomlSyntaxError(`it is not valid TOML (${String((error as Error).message).split('\n')[0]})`);
	}
	const section = (name: string) => (isRecord(document[name]) ? document[name] : {});
	const api = section('api');
	const database = section('db');
	const auth = section('auth');
	const tls = isRecord(api.tls) ? api.tls : {};
	const problems: string[] = [];
	const candidates: Candidate[] = [];
	const apiPort = portOf(api.port, `${file} ([api] port)`, localApiPort, problems);
	const databasePort = portOf(database.port, `${file} ([db] port)`, localDatabasePort, problems);
	const said = (present: boolean, key: string) =>
		present ? `${file} (${key})` : `${file} (${key} not set: supabase start's default)`;
	if (api.enabled === false) {
		problems.push(`${file} turns the local API off ([api] enabled = false)`);
	} else {
		candidates.push({
			field: 'apiUrl',
			value: `${tls.enabled === true ? 'https' : 'http'}://127.0.0.1:${apiPort}/rest/v1`,
			from: `${said(api.port !== undefined, '[api] port').replace(/\)$/, '')} + /rest/v1)`,
		});
	}
	candidates.push({
		field: 'dbUrl',
		value: `postgresql://postgres:postgres@127.0.0.1:${databasePort}/postgres`,
		from: said(database.port !== undefined, '[db] port'),
	});
	if (Array.isArray(api.schemas) && api.schemas.every(item => typeof item === 'string') && api.schemas.length > 0) {
		candidates.push({field: 'schemas', value: api.schemas.join(','), from: `${file} ([api] schemas)`});
	}
	const secret = typeof auth.jwt_secret === 'string' ? fromEnvironment(auth.jwt_secret, variables) : undefined;
	if (typeof auth.jwt_secret === 'string' && secret === undefined)
		problems.push(
			`${file} ([auth] jwt_secret) names a variable that is not set, so supabase start's default secret was assumed`
		);
	return {candidates, problems, apiPort, jwtSecret: secret, signingKeys: typeof auth.signing_keys_path === 'string'};
}

/** "env(NAME)" is the variable's value (undefined when unset); anything else is the value itself. */
function fromEnvironment(text: string, variables: Variables): string | undefined {
	const named = /^env\((\w+)\)$/.exec(text.trim());
	return named ? variables[named[1]!] || undefined : text;
}

function portOf(value: unknown, from: string, fallback: number, problems: string[]): number {
	if (value === undefined) return fallback;
	if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65_535) return value;
	problems.push(`${from} is not a port number, so supabase start's default ${fallback} was assumed`);
	return fallback;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
