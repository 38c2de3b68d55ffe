// Where the doctor looks when it is not told: flags, then the environment, then files in the current directory
// (.env.local over .env, postgrest.conf, a Compose file, supabase/config.toml) or the ones --dotenv and --config
// name. Each value keeps where it came from; a value that does not parse is left out with a note, and two files
// that disagree are named in a note (never with a secret). Reading is bounded: fixed names in this directory and
// supabase/, no symbolic links, nothing over 1 MiB; only the files given by flag are read wherever they are.
//
// Trust has two tiers: yours (flags and the process environment) and the folder's (every file: .env, .env.local,
// postgrest.conf, compose, supabase/config.toml, and the files --config and --dotenv name, which may come from a
// cloned repository or a CI checkout). A secret of yours is never sent to a destination the folder's files chose
// (an API key to their API URL, PGPASSWORD or ~/.pgpass to their database URL), and a value of yours never becomes
// shown text through a file's interpolation ($(VAR), ${VAR}): see postgrestCandidates and applyTrust below.
import {lstatSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {parseEnv} from 'node:util';
import {parseChannel} from '../sql/channel.js';
import {UsageError, databaseTarget, hasPassword, httpTarget} from '../target.js';
import {withHttpScheme} from '../withHttpScheme.js';
import {servesLocally, supabaseApiUrl} from './supabaseShape.js';
import {ComposeSyntaxError, composeCandidates} from './composeFile.js';
import {localServiceKey} from './localServiceKey.js';
import {ConfSyntaxError, parsePostgrestConf} from './postgrestConf.js';
import {type Candidate, type Field, loopbackUrl, postgrestCandidates, variableCandidates} from './settingCandidates.js';
import type {Settings} from './settings.js';
import {type SupabaseLocal, TomlSyntaxError, supabaseLocal} from './supabaseConfig.js';

export type DiscoveryInput = {
	flags: {
		dbUrl?: string;
		apiUrl?: string;
		adminUrl?: string;
		apiKey?: string;
		schemas?: string;
		channel?: string;
		dotenv?: string;
		config?: string;
	};
	environment: Readonly<Record<string, string | undefined>>;
	/** The current directory. */
	directory: string;
};

export const maxFileBytes = 1024 * 1024;

export const composeFiles = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

const flagNames: Record<Field, string | undefined> = {
	dbUrl: '--db-url',
	apiUrl: '--api-url',
	adminUrl: '--admin-url',
	apiKey: '--api-key',
	schemas: '--schemas',
	channel: '--channel',
	channelEnabled: undefined,
	anonRole: undefined,
	jwtSecret: undefined,
};

/** folder: the value came from the folder's files (not from a file's reference to a variable of yours). */
type Sourced = Candidate & {tier: 'flag' | 'environment' | 'file'; group: string; folder: boolean};

export function discoverSettings(input: DiscoveryInput): Settings {
	const notes: string[] = [];
	const sourced: Sourced[] = [];
	for (const [field, flag] of Object.entries(flagNames) as Array<[Field, string | undefined]>) {
		const value = flag ? input.flags[field as keyof DiscoveryInput['flags']] : undefined;
		if (value !== undefined) sourced.push({field, value, from: flag!, tier: 'flag', group: 'flags', folder: false});
	}
	const fromEnvironment = variableCandidates(input.environment, name => `environment (${name})`);
	sourced.push(
		...fromEnvironment.candidates.map(candidate => ({
			...candidate,
			tier: 'environment' as const,
			group: 'environment',
			folder: false,
		}))
	);
	notes.push(...fromEnvironment.problems);
	const files = readFiles(input, notes);
	sourced.push(...files.candidates);
	const settings = merge(sourced, notes, input.environment);
	if (!settings.apiKey && files.supabase && servesLocally(settings.apiUrl?.value, files.supabase.local.apiPort)) {
		if (files.supabase.local.signingKeys) {
			notes.push(
				`${files.supabase.file} sets [auth] signing_keys_path, so supabase start's default service_role ` +
					`key does not apply: pass --api-key`
			);
		} else {
			settings.apiKey = {
				value: localServiceKey(files.supabase.local.jwtSecret),
				from: `${files.supabase.file} (supabase start's default service_role key)`,
			};
		}
	}
	return settings;
}

type FileCandidates = {candidates: Sourced[]; supabase?: {file: string; local: SupabaseLocal}};

/** The env files, then the config files, in the order they count. */
function readFiles(input: DiscoveryInput, notes: string[]): FileCandidates {
	const result: FileCandidates = {candidates: []};
	const add = (candidates: Candidate[], group: string) =>
		result.candidates.push(
			...candidates.map(candidate => ({...candidate, tier: 'file' as const, group, folder: !candidate.yours}))
		);
	const dotenvs =
		input.flags.dotenv !== undefined
			? [{file: input.flags.dotenv, given: '--dotenv'}]
			: ['.env.local', '.env'].map(file => ({file, given: undefined}));
	const dotEnv: Record<string, string> = {};
	for (const {file, given} of dotenvs) {
		const text = readBounded(input.directory, file, given, notes, '--dotenv');
		if (text === undefined) continue;
		const variables = parseEnv(text) as Record<string, string>;
		if (file === '.env') Object.assign(dotEnv, variables);
		const found = variableCandidates(variables, name => `${file} (${name})`);
		add(found.candidates, file);
		notes.push(...found.problems);
	}
	// Compose reads .env for its ${VAR}s; the environment wins over it, as in Compose.
	const variables = {...dotEnv, ...input.environment};
	const yours = (name: string) => input.environment[name] !== undefined;
	const configs =
		input.flags.config !== undefined
			? [{file: input.flags.config, given: '--config', kind: configKind(input.flags.config)}]
			: [
					{file: 'postgrest.conf', given: undefined, kind: 'postgrest' as const},
					...firstPresent(input.directory, composeFiles, notes).map(file => ({
						file,
						given: undefined,
						kind: 'compose' as const,
					})),
					{file: path.join('supabase', 'config.toml'), given: undefined, kind: 'supabase' as const},
				];
	for (const {file, given, kind} of configs) {
		const text = readBounded(input.directory, file, given, notes, '--config');
		if (text === undefined) continue;
		try {
			if (kind === 'postgrest') {
				const conf = parsePostgrestConf(text, input.environment);
				notes.push(...conf.problems.map(problem => `${file}: ${problem}`));
				const found = postgrestCandidates(conf.values, key => `${file} (${key})`, {
					publish: loopbackUrl,
					defaultPort: true,
					borrowed: key => conf.borrowed.get(key),
				});
				add(found.candidates, file);
				notes.push(...found.problems);
			} else if (kind === 'compose') {
				const found = composeCandidates(text, file, variables, yours);
				add(found.candidates, file);
				notes.push(...found.problems);
			} else {
				const local = supabaseLocal(text, file, variables);
				add(local.candidates, file);
				notes.push(...local.problems);
				result.supabase = {file, local};
			}
		} catch (error) {
			if (!(
				error instanceof ConfSyntaxError ||
				error instanceof ComposeSyntaxError ||
				error instanceof TomlSyntaxError
			))
				throw error;
			const refused = kind === 'postgrest' ? ' (PostgREST would refuse it too)' : '';
			notes.push(`${file} was not used: ${error.message}${refused}`);
		}
	}
	return result;
}

/** --config's format, by its name: TOML is Supabase's, YAML a Compose file, anything else PostgREST's own. */
function configKind(file: string): 'postgrest' | 'compose' | 'supabase' {
	if (/\.toml$/i.test(file)) return 'supabase';
	return /\.ya?ml$/i.test(file) ? 'compose' : 'postgrest';
}

/** The first name that is a regular file (a directory of that name hides nothing); a symbolic link is noted. */
function firstPresent(directory: string, names: string[], notes: string[]): string[] {
	const found = names.find(name => {
		try {
			const stat = lstatSync(path.join(directory, name));
			if (stat.isSymbolicLink())
				notes.push(
					`${name} is a symbolic link, which pgrst-doctor does not follow: pass it with --config ${name}`
				);
			return stat.isFile();
		} catch {
			return false;
		}
	});
	return found ? [found] : [];
}

/** A directory on the way to a file found here that is a symbolic link (supabase/ pointing elsewhere), if any. */
function linkedDirectory(directory: string, file: string): string | undefined {
	const parts = path.normalize(file).split(path.sep).slice(0, -1);
	for (let depth = 1; depth <= parts.length; depth++) {
		const part = parts.slice(0, depth).join(path.sep);
		try {
			if (lstatSync(path.join(directory, part)).isSymbolicLink()) return part;
		} catch {
			return undefined;
		}
	}
	return undefined;
}

/**
 * A file's text, or undefined when it is absent or not read (the reason noted). A file named by a flag must be
 * readable: otherwise it is a usage error, since the user asked for it.
 */
function readBounded(
	directory: string,
	file: string,
	given: string | undefined,
	notes: string[],
	flag: string
): string | undefined {
	const full = path.resolve(directory, file);
	const linked = given ? undefined : linkedDirectory(directory, file);
	if (linked) {
		notes.push(
			`${linked}${path.sep} is a symbolic link, which pgrst-doctor does not follow, so ${file} was ` +
				`not read: pass it with ${flag} ${file}`
		);
		return undefined;
	}
	try {
		const link = lstatSync(full);
		if (link.isSymbolicLink() && !given) {
			notes.push(`${file} is a symbolic link, which pgrst-doctor does not follow: pass it with ${flag} ${file}`);
			return undefined;
		}
		const stat = statSync(full);
		if (!stat.isFile()) {
			if (given) throw new UsageError(`${flag} ${file} is not a file.`);
			return undefined;
		}
		if (stat.size > maxFileBytes) {
			if (given)
				throw new UsageError(
					`${flag} ${file} is larger than 1 MiB; pgrst-doctor reads settings files up to 1 MiB.`
				);
			notes.push(`${file} is larger than 1 MiB, so it was not read`);
			return undefined;
		}
		return readFileSync(full, 'utf8');
	} catch (error) {
		if (error instanceof UsageError) throw error;
		const code = (error as NodeJS.ErrnoException).code;
		if (!given && (code === 'ENOENT' || code === 'ENOTDIR')) return undefined;
		if (given)
			throw new UsageError(
				`${flag} ${file} ${code === 'ENOENT' ? 'does not exist' : 'could not be read'}; give the path of a readable file.`
			);
		notes.push(`${file} could not be read (${code ?? 'error'}), so it was not used`);
		return undefined;
	}
}

/** same: what two sources must share to agree (for a database, where it is: a different user is no disagreement). */
type Checked = {
	value: unknown;
	shown?: string;
	same?: string;
	/** What the doctor added to the value, for its provenance. */ added?: string;
};

/** The first candidate of each field that parses wins; flags that do not parse are usage errors, others notes. */
function merge(sourced: Sourced[], notes: string[], environment: DiscoveryInput['environment']): Settings {
	const settings: Settings = {notes};
	const chosen = new Map<Field, Checked & Omit<Sourced, 'value'>>();
	for (const candidate of sourced) {
		let checked: Checked;
		try {
			checked = check(candidate);
		} catch (error) {
			if (candidate.tier === 'flag' || !(error instanceof UsageError)) throw error;
			notes.push(`${candidate.from} was not used: ${error.message}`);
			continue;
		}
		const winner = chosen.get(candidate.field);
		if (!winner) {
			chosen.set(candidate.field, {...candidate, ...checked});
			(settings as Record<string, unknown>)[candidate.field] = {
				value: checked.value,
				from: candidate.from + (checked.added ?? ''),
			};
			continue;
		}
		const differs =
			(winner.same ?? JSON.stringify(winner.value)) !== (checked.same ?? JSON.stringify(checked.value));
		if (
			differs &&
			winner.tier === candidate.tier &&
			winner.group !== candidate.group &&
			candidate.field !== 'apiKey'
		) {
			const values = winner.shown === undefined ? 'different values' : `${winner.shown} and ${checked.shown}`;
			notes.push(`${winner.from} and ${candidate.from} disagree (${values}); ${winner.from} was used`);
		}
	}
	applyTrust(settings, chosen, environment);
	return settings;
}

/**
 * Where the two tiers meet. An admin server from files is used only beside an API URL of the same file on the same
 * host (a file may not send the doctor to a third address); a key of yours goes only to addresses of yours; a
 * database URL of the folder's without a password is not given yours (PGPASSWORD, ~/.pgpass: see target.ts).
 */
function applyTrust(
	settings: Settings,
	chosen: Map<Field, Checked & Omit<Sourced, 'value'>>,
	environment: DiscoveryInput['environment']
): void {
	const {notes} = settings;
	const api = chosen.get('apiUrl');
	const admin = chosen.get('adminUrl');
	if (admin && admin.tier !== 'flag' && api && api.group !== admin.group) {
		notes.push(`${admin.from} was not used: it belongs to another source than the API URL (${api.from})`);
		delete settings.adminUrl;
	} else if (admin?.folder && api && new URL(String(admin.value)).hostname !== new URL(String(api.value)).hostname) {
		notes.push(
			`${admin.from} was not used: its host ${new URL(String(admin.value)).host} is not the API URL's ` +
				`(${new URL(String(api.value)).host}); pass --admin-url`
		);
		delete settings.adminUrl;
	}
	// The key goes only to the API (the admin server is asked without it).
	const key = chosen.get('apiKey');
	if (key && !key.folder && api?.folder) {
		notes.push(
			`the API key from ${key.from} was not sent to ${String(api.value)}, an address ${api.from} ` +
				`chose; pass --api-url ${String(api.value)} to send it there`
		);
		delete settings.apiKey;
	}
	const database = chosen.get('dbUrl');
	if (database?.folder) settings.dbUrlFromFolder = true;
	if (database?.folder && !hasPassword(String(database.value)) && environment.PGPASSWORD) {
		notes.push(
			`${database.from} has no password, so pgrst-doctor connects without one, not with PGPASSWORD ` +
				`from your environment; put the password in the URL or pass --db-url`
		);
	}
}

/** The value as the doctor will use it, and how it may be shown in a note (undefined: a secret). */
function check(candidate: Sourced): Checked {
	const {field, value} = candidate;
	switch (field) {
		case 'dbUrl': {
			// Only the URL used reads the TLS files it names (cli.tsx): a candidate's may be a FIFO or /dev/zero.
			const {display} = databaseTarget(value, {readFiles: false});
			return {value, shown: display, same: display.slice(display.lastIndexOf('@') + 1)};
		}
		case 'apiUrl':
		case 'adminUrl': {
			const what = candidate.from.startsWith('--')
				? candidate.from
				: field === 'apiUrl'
					? 'PostgREST URL'
					: 'admin server URL';
			// A Supabase project URL (or supabase start's API) serves PostgREST under /rest/v1.
			const supabase = field === 'apiUrl' ? supabaseApiUrl(withHttpScheme(value)) : {url: withHttpScheme(value)};
			const url = httpTarget(supabase.url, what).url;
			return {
				value: url,
				shown: url,
				...(supabase.note ? {added: ` (${supabase.note}: PostgREST is under /rest/v1)`} : {}),
			};
		}
		case 'apiKey':
			if (!/^[\u0021-\u007E]+$/.test(value))
				throw new UsageError('it is not an API key (a key has no spaces or control characters)');
			return {value};
		case 'jwtSecret':
			return {value};
		case 'schemas': {
			const names = value
				.split(',')
				.map(name => name.trim())
				.filter(Boolean);
			if (names.length === 0) throw new UsageError('it names no schema');
			return {value: names, shown: names.join(',')};
		}
		case 'channel':
			return {value: channelOf(candidate), shown: value};
		case 'channelEnabled':
			return {value: value === 'true', shown: value};
		case 'anonRole':
			if (Buffer.byteLength(value) > 63 || value.includes('\u0000'))
				throw new UsageError('it is not a role name (1 to 63 bytes)');
			return {value, shown: value};
	}
}

/** parseChannel speaks of --channel; a file's channel is named by its own key, in the note's provenance. */
function channelOf(candidate: Sourced): string {
	try {
		return parseChannel(candidate.value);
	} catch (error) {
		if (candidate.tier === 'flag' || !(error instanceof UsageError)) throw error;
		throw new UsageError(error.message.replace(/^--channel/, 'the channel'));
	}
}
