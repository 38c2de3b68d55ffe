// What the doctor was told, and where each value came from: flags, the environment, or a file it found. The
// provenance travels with the value to every renderer (plain, interactive, JSON), so no value is ever a guess.

/**
 * Where a value came from, as shown to the user: '--db-url', 'environment (DATABASE_URL)', '.env (DATABASE_URL)',
 * 'postgrest.conf (db-uri)'.
 */
export type Provenance = string;

export type Setting<T> = {readonly value: T; readonly from: Provenance};

/**
 * Every value discovery may find. Connection values (dbUrl, apiKey, jwtSecret) hold secrets: they are never shown
 * as such, only through a display form (a DatabaseTarget's display, a key's kind).
 */
export type Settings = {
	dbUrl?: Setting<string>;
	apiUrl?: Setting<string>;
	adminUrl?: Setting<string>;
	apiKey?: Setting<string>;
	/** PostgREST's own settings, as the files or the environment say (db-schemas, db-channel, …). */
	schemas?: Setting<string[]>;
	channel?: Setting<string>;
	channelEnabled?: Setting<boolean>;
	anonRole?: Setting<string>;
	jwtSecret?: Setting<string>;
	/**
	 * The database URL came from the folder's files (trusted less than flags and the environment): it connects with no
	 * password from this environment.
	 */
	dbUrlFromFolder?: true;
	/** Files found but not used, values ignored, and why: shown so that a silent fallback is never a surprise. */
	notes: string[];
};

/** One line of the report's settings list: a shown value (never a secret) and where it came from. */
export type ShownSetting = {name: string; value: string; from: Provenance};
