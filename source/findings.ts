// The public vocabulary: every finding code pgrst-doctor can report, with its severity and the readme's
// cause and cure. Codes are a stable contract: add new ones, never rename. Each code's message is one sentence in
// source/wording.ts.
import {say, type WordingParts} from './wording.js';

/** A code's area, its part before the dot: `cache` for `cache.column_missing`. */
export type FindingArea = AreaOf<FindingCode>;
type AreaOf<Code> = Code extends `${infer Area}.${string}` ? Area : never;

export type Severity = 'error' | 'warning' | 'info';

/** The public ids of the fixes a finding can point at (source/fixes/fixCatalog.ts says what each does). */
export type FixId =
	'reload' | 'trigger' | 'uninstall-trigger' | 'manual-reload' | 'reload-function' | 'uninstall-reload-function';

export type Finding = {
	code: FindingCode;
	/** Names this problem the same way across runs and versions: see findingKey. `--ignore <key>` accepts it on purpose. */
	key: string;
	severity: Severity;
	message: string;
	schema?: string;
	table?: string;
	column?: string;
	function?: string;
	/**
	 * The argument names of the function overload the finding is about (PostgREST tells overloads apart by them), in
	 * the catalog's order; absent when the finding is about every overload of the function.
	 */
	arguments?: string[];
	/** The foreign key constraint a relationship finding is about (one table can have several). */
	constraint?: string;
	suggestion?: string;
	fixes?: FixId[];
	/** The PostgREST instance (its --api-url, shown without credentials) the finding is about, when several were checked. */
	instance?: string;
	/** The id of the check that reported it (checks[].id). */
	check?: string;
};

type CodeInfo = {severity: Severity; cause: string; cure: string; blocksDiagnosis?: true};

export const findingCodes = {
	'db.unreachable': {
		severity: 'error',
		blocksDiagnosis: true,
		cause: 'The database did not answer: wrong host or port, a firewall, IPv6-only host, TLS required, or a timeout.',
		cure: 'Check --db-url (or DATABASE_URL). On Supabase use the session pooler (port 5432) when the direct host is IPv6-only.',
	},
	'db.auth_failed': {
		severity: 'error',
		blocksDiagnosis: true,
		cause: 'PostgreSQL refused the user or password in --db-url.',
		cure: 'Fix the credentials; on a Supabase pooler the user is postgres.<project-ref>.',
	},
	'api.unreachable': {
		severity: 'error',
		blocksDiagnosis: true,
		cause: 'Nothing answered at --api-url (refused, unknown host, timeout) or it answered with a server error.',
		cure: 'Check that PostgREST runs and that --api-url is its base URL (Supabase: https://<ref>.supabase.co/rest/v1).',
	},
	'api.unauthorized': {
		severity: 'error',
		blocksDiagnosis: true,
		cause: 'PostgREST rejected the request: missing, expired or wrongly signed JWT or API key.',
		cure: 'Pass --api-key (Supabase: the service_role or secret key lets the doctor read the OpenAPI description).',
	},
	'api.not_postgrest': {
		severity: 'error',
		blocksDiagnosis: true,
		cause: 'The server at --api-url is not PostgREST (no postgrest Server header, no PostgREST error shape).',
		cure: 'Point --api-url at PostgREST itself, e.g. http://localhost:3000 or https://<ref>.supabase.co/rest/v1.',
	},
	'cache.not_compared': {
		severity: 'error',
		blocksDiagnosis: true,
		cause:
			"PostgREST's schema cache was not compared with the database, because --api-url (or --db-url) " +
			'was not given: only one side could be read, so the doctor cannot say the cache is healthy.',
		cure:
			"Pass both: --db-url <the database> and --api-url <PostgREST's root URL> (self-hosted: http://localhost:3000; " +
			'Supabase: https://<ref>.supabase.co/rest/v1).',
	},
	'api.redirected': {
		severity: 'error',
		blocksDiagnosis: true,
		cause: '--api-url answered with a redirect (HTTP 3xx). The doctor never follows redirects, so it compared nothing.',
		cure: 'Use the address the finding names (where the redirect points) as --api-url.',
	},
	'api.wrong_base_url': {
		severity: 'error',
		blocksDiagnosis: true,
		cause:
			'--api-url answers as PostgREST but is not its API root (an extra /rest/v1 on a self-hosted ' +
			"PostgREST, a path prefix, or the admin server's port): every path would miss, so nothing was compared.",
		cure:
			"Use the URL the finding names as --api-url (the address whose GET / returns PostgREST's OpenAPI " +
			'description); give the admin server as --admin-url.',
	},
	'api.other_database': {
		severity: 'error',
		cause: 'PostgREST sessions exist only in another database than the one given with --db-url.',
		cure: "Compare PostgREST's db-uri with --db-url: migrations and the reload must go to the database PostgREST serves.",
	},
	'api.database_unconfirmed': {
		severity: 'error',
		blocksDiagnosis: true,
		cause:
			'No PostgREST session is in the database given, sessions calling themselves PostgREST are in ' +
			'another database of the same server, and the doctor could not confirm which one PostgREST ' +
			'serves: comparing its cache with this database would report every table as stale.',
		cure:
			"Point --db-url (or DATABASE_URL, a .env) at the database in PostgREST's db-uri. To let the " +
			'doctor confirm it, connect as a superuser or a role with pg_read_all_stats, with a table in ' +
			'the exposed schema.',
	},
	'cache.unloaded': {
		severity: 'error',
		cause: 'PostgREST has no schema cache at all (PGRST002): its cache query fails or times out.',
		cure:
			'Read PostgREST\'s log for "Failed to load the schema cache"; look for a missing schema in ' +
			'db-schemas, locks or statement_timeout.',
	},
	'cache.unverified': {
		severity: 'error',
		blocksDiagnosis: true,
		cause:
			"Some objects could not be compared with PostgREST's cache: probes failed, PostgREST answered " +
			'errors, stopped answering, or the time for probing (3 × --timeout) ran out.',
		cure:
			'Read the reasons in the finding; fix what PostgREST answers (its log), or rerun with a longer ' +
			'--timeout. Exit 0 needs every object compared.',
	},
	'cache.table_missing': {
		severity: 'error',
		cause: "A table or view exists in the database but not in PostgREST's schema cache (created after the last reload).",
		cure: "Reload the schema cache: NOTIFY pgrst, 'reload schema'; and install the auto-reload trigger so it does not recur.",
	},
	'cache.table_stale': {
		severity: 'error',
		cause: "PostgREST's cache still holds a table or view that is gone from the database (dropped or renamed).",
		cure: "Reload the schema cache: NOTIFY pgrst, 'reload schema';",
	},
	'cache.column_missing': {
		severity: 'error',
		cause: 'A column exists in the database but not in the cache: writes naming it fail with PGRST204.',
		cure: "Reload the schema cache: NOTIFY pgrst, 'reload schema';",
	},
	'cache.column_stale': {
		severity: 'error',
		cause: 'The cache still lists a column that was dropped or renamed in the database.',
		cure: "Reload the schema cache: NOTIFY pgrst, 'reload schema';",
	},
	'cache.function_missing': {
		severity: 'error',
		cause: 'A function PostgREST would expose is not in the cache: /rpc calls fail with PGRST202.',
		cure: "Reload the schema cache: NOTIFY pgrst, 'reload schema';",
	},
	'cache.function_stale': {
		severity: 'error',
		cause: 'The cache still holds a function that is gone from the database.',
		cure: "Reload the schema cache: NOTIFY pgrst, 'reload schema';",
	},
	'cache.function_signature': {
		severity: 'error',
		cause: 'The cache holds the function with other arguments than the database has now.',
		cure: "Reload the schema cache: NOTIFY pgrst, 'reload schema';",
	},
	'trigger.missing': {
		severity: 'warning',
		cause: "No event trigger sends NOTIFY on PostgREST's channel, so every migration leaves the cache stale.",
		cure: "Install the auto-reload trigger from PostgREST's docs, or run NOTIFY pgrst, 'reload schema' after every migration.",
	},
	'trigger.disabled': {
		severity: 'error',
		cause: 'The auto-reload event trigger exists but is disabled (ALTER EVENT TRIGGER ... DISABLE).',
		cure: 'ALTER EVENT TRIGGER <name> ENABLE;',
	},
	'trigger.incomplete': {
		severity: 'warning',
		cause:
			'The auto-reload trigger misses cases: no sql_drop coverage, another channel, a payload PostgREST ' +
			'ignores, or a tag filter that never matches.',
		cure: "Use the fine-grained pair from PostgREST's docs: ddl_command_end and sql_drop, NOTIFY <channel>, 'reload schema'.",
	},
	'trigger.bypassed': {
		severity: 'error',
		cause: 'session_replication_role = replica is set for the database or a role, so event triggers do not fire for that DDL.',
		cure: 'ALTER ROLE/DATABASE ... RESET session_replication_role, or ALTER EVENT TRIGGER <name> ENABLE ALWAYS.',
	},
	'listener.missing': {
		severity: 'error',
		cause: 'No PostgREST session in this database listens on the channel: NOTIFY reaches nobody.',
		cure: 'Enable db-channel-enabled, match db-channel, and connect PostgREST directly or through a session-mode pooler.',
	},
	'listener.unknown': {
		severity: 'info',
		cause: "The doctor's role cannot see other sessions' queries, so it cannot tell whether PostgREST listens.",
		cure: 'Connect as a superuser or a role with pg_read_all_stats (GRANT pg_read_all_stats TO <role>).',
	},
	'listener.pooled': {
		severity: 'error',
		cause:
			'PostgREST connects through a transaction-mode pooler (PgBouncer, Supavisor on 6543): LISTEN ' +
			'"succeeds" there, but notifications are dropped.',
		cure:
			"Point PostgREST's db-uri at a direct or session-mode connection (Supabase: the direct host " +
			'db.<ref>.supabase.co:5432 or the session pooler on port 5432, not 6543), or set db-channel-enabled=false ' +
			'and run pgrst-doctor wait after every migration.',
	},
	'listener.channel_mismatch': {
		severity: 'error',
		cause: 'PostgREST listens on another channel than the one NOTIFY (or the trigger) uses.',
		cure: 'Make db-channel and the NOTIFY channel the same (pgrst-doctor --channel <name> checks a custom one).',
	},
	'listener.channel_disabled': {
		severity: 'error',
		cause: 'PostgREST is connected but listens on no channel: db-channel-enabled is false.',
		cure:
			'Set db-channel-enabled=true (PGRST_DB_CHANNEL_ENABLED=true) and restart PostgREST, or reload ' +
			'with SIGUSR1 or pgrst-doctor wait after every migration.',
	},
	'notify.undelivered': {
		severity: 'error',
		cause: "pgrst-doctor --probe sent NOTIFY <channel>, 'reload schema' and PostgREST did not reload.",
		cure:
			'Follow the most likely cause named in the finding (pooler, channel, listener, queue); until ' +
			'then reload with SIGUSR1 or a restart.',
	},
	'notify.queue_stuck': {
		severity: 'error',
		cause:
			"PostgreSQL's notification queue is not being drained (pg_notification_queue_usage() > 0): " +
			'a listener is stuck, as in the known deaf-listener bug.',
		cure:
			'Run select pg_notification_queue_usage(); (it advances the queue), then NOTIFY again; PostgREST ' +
			'>= 14.11 does this by itself.',
	},
	'notify.delivered': {
		severity: 'info',
		cause: "pgrst-doctor --probe sent NOTIFY <channel>, 'reload schema' and saw PostgREST reload.",
		cure: 'Nothing to do: PostgREST hears reload notifications.',
	},
	'schema.not_exposed': {
		severity: 'error',
		cause:
			'The object lives in a schema PostgREST does not expose (db-schemas), or the request did not ' +
			'name the schema (Accept-Profile / Content-Profile).',
		cure:
			"Call it with the schema's profile (supabase-js: .schema('name')), or add the schema to db-schemas " +
			'(Supabase: Data API settings) and reload.',
	},
	'schema.missing': {
		severity: 'error',
		blocksDiagnosis: true,
		cause:
			"A schema the doctor was asked to compare (--schemas, or PostgREST's db-schemas) does not exist " +
			'in the database, so nothing in it was compared.',
		cure: 'Fix the name in --schemas (or db-schemas), or create the schema.',
	},
	'grant.missing': {
		severity: 'error',
		cause:
			'The API role lacks a privilege on the object: PostgreSQL answers 42501, which looks like a ' +
			'missing object but is not a cache problem.',
		cure: 'GRANT the privilege to the API role (the finding has the exact statement).',
	},
	'client.unknown_table': {
		severity: 'error',
		cause: 'The client asks for a table or view that does not exist in any schema (a typo or the wrong project).',
		cure: 'Use the existing name the finding suggests; a reload cannot help.',
	},
	'client.unknown_column': {
		severity: 'error',
		cause: 'The client sends a column the table does not have (a typo, or a column of another table).',
		cure: 'Use the existing column the finding suggests, or add the column in a migration; a reload cannot help.',
	},
	'client.unknown_function': {
		severity: 'error',
		cause: 'The client calls a function that does not exist in any schema.',
		cure: 'Use the existing function the finding suggests, or create it; a reload cannot help.',
	},
	'client.case_folded': {
		severity: 'error',
		cause: 'The name differs only by case: PostgreSQL folded an unquoted identifier to lower case (createdAt became createdat).',
		cure: 'Use the lower-case name in the client, or rename the object with a quoted identifier; a reload cannot help.',
	},
	'rpc.args_mismatch': {
		severity: 'error',
		cause: "The RPC call's argument names do not match any overload of the function: PostgREST selects functions by argument names.",
		cure: "Send exactly the function's argument names (the finding lists them); a reload cannot help.",
	},
	'rpc.ambiguous': {
		severity: 'error',
		cause:
			"The RPC call's argument names fit several overloads of the function (PGRST203): PostgREST " +
			'picks overloads by argument names, never by the types of the values sent.',
		cure: 'Give the overloads different argument names, or keep only one; a reload cannot help.',
	},
	'relationship.unexposed': {
		severity: 'error',
		cause: 'The foreign key points into a schema PostgREST does not expose (such as auth.users), so PostgREST cannot embed across it.',
		cure: 'Reference a table in an exposed schema (a profiles table, or a view), or use a computed relationship.',
	},
	'rls.rejected': {
		severity: 'error',
		cause:
			'A row-level security policy refused the row a write produced (42501 "new row violates row-level ' +
			'security policy"): the role has the privilege, so no GRANT and no reload can help.',
		cure: 'Send a row the policy accepts for that command and role (its WITH CHECK is in the finding), or change the policy.',
	},
	'relationship.missing': {
		severity: 'error',
		cause: 'There is no foreign key between the two tables, so there is no relationship to embed.',
		cure: 'Add the foreign key (then reload), or embed through the table that has one.',
	},
	'cache.inconsistent': {
		severity: 'error',
		cause:
			'Identical requests to one PostgREST address got different schema caches: the address balances ' +
			'over several PostgREST instances and at least one of them serves a stale cache, so one request ' +
			'in N fails (PGRST204, PGRST205, PGRST202).',
		cure:
			'Check each instance at its own address (repeat --api-url, one per instance) to name the stale ' +
			'one, then reload it (SIGUSR1 or a restart) and fix why it did not hear NOTIFY (a transaction ' +
			'pooler, a read replica, a dropped listener).',
	},
	'api.instance_unchecked': {
		severity: 'warning',
		cause:
			'The database shows more PostgREST instances (sessions told apart by client address, application ' +
			'name and login role) than the --api-url given reached: their caches were not compared.',
		cure:
			"Give every instance's own address with --api-url (repeatable, or a comma list); instances " +
			'on one host with one config look like one: give each its own application_name in db-uri.',
	},
	'cache.relationship_missing': {
		severity: 'error',
		cause: "The foreign key exists in the database but PostgREST's cache does not have the relationship yet.",
		cure: "Reload the schema cache: NOTIFY pgrst, 'reload schema';",
	},
	'config.project_mismatch': {
		severity: 'error',
		blocksDiagnosis: true,
		cause:
			'The API key, the API URL and the database URL belong to different Supabase projects: the migration ' +
			"went to one project, the app talks to another, and one project's cache compared with another's " +
			'database proves nothing.',
		cure: 'Use the URL and keys of one project everywhere (compare the project refs named in the finding).',
	},
	'config.listener_disabled': {
		severity: 'error',
		cause:
			"PostgREST's config found by the doctor (PGRST_DB_CHANNEL_ENABLED, postgrest.conf or a compose " +
			'file) sets db-channel-enabled = false: NOTIFY reloads cannot reach PostgREST, so after a migration ' +
			'only a restart, SIGUSR1 or pgrst-doctor wait reloads its cache.',
		cure:
			'Set db-channel-enabled = true and restart PostgREST; where the listener must stay off (a transaction ' +
			'pooler), reload after every migration with SIGUSR1 or pgrst-doctor wait.',
	},
	'config.channel_mismatch': {
		severity: 'error',
		cause:
			"PostgREST's config found by the doctor names another db-channel (or turns the listener off) " +
			'than the running PostgREST listens on: the server was not started with that config, or not ' +
			'restarted since it changed, and its next restart changes the channel under the trigger.',
		cure:
			'Make the file and the server agree (restart PostgREST with the file, or fix the file), then ' +
			'make the trigger notify that channel (pgrst-doctor check --fix trigger). The run uses the ' +
			'channel PostgREST listens on.',
	},
	'config.schemas_mismatch': {
		severity: 'warning',
		cause:
			"db-schemas in PostgREST's config found by the doctor differs from the schemas the running " +
			'PostgREST exposes: it runs another config, an in-database pgrst.db_schemas setting overrides ' +
			'the file, or its config was not reloaded since the file changed.',
		cure:
			"Fix db-schemas in the file, or reload PostgREST's config (NOTIFY pgrst, 'reload config', or " +
			'SIGUSR2); the doctor compares the schemas PostgREST exposes.',
	},
	'explain.not_reproduced': {
		severity: 'info',
		cause:
			"The object exists, is exposed and is in PostgREST's cache now: the error came from an earlier " +
			'state, another database, or another request.',
		cure: 'Retry the request; if it still fails, run pgrst-doctor check against the database and PostgREST the app uses.',
	},
	'explain.unrecognised': {
		severity: 'info',
		cause: 'The text is not an error pgrst-doctor recognises.',
		cure: "Paste PostgREST's JSON body or message (see pgrst-doctor explain --help for the recognised errors).",
	},
} as const satisfies Record<string, CodeInfo>;

export type FindingCode = keyof typeof findingCodes;

export type FindingAbout = Omit<Finding, 'code' | 'key' | 'severity' | 'message'>;

/** A finding, its message said by its code's one sentence (source/wording.ts) from the parts named here. */
export function finding<C extends FindingCode>(
	code: C,
	parts: WordingParts<C>,
	about: FindingAbout = {}
): Finding & {code: C} {
	const message = (say[code] as (named: WordingParts<C>) => string)(parts);
	return {code, key: findingKey(code, about), severity: findingCodes[code].severity, message, ...about};
}

/**
 * A finding's stable name, like splinter's cache_key: its code and the object it is about, never its message, so a
 * reworded message keeps the key. `cache.column_missing:public.todos.done`, `trigger.missing`; a function's overload
 * by its argument names in the catalog's order, `cache.function_missing:public.add(a;b)` (`;`, not `,`, which
 * separates keys in --ignore; `add()` for every overload, or none), a foreign key by its constraint after its table,
 * `cache.relationship_missing:public.links.links_a`; a finding about one of several instances ends in
 * `@<its --api-url>`. Each name is percent-encoded (encodeURIComponent, and . ( ) too, so also , ; and @), so a key
 * is printable ASCII, its dots only ever separate names and its one @ starts the instance.
 */
export function findingKey(
	code: FindingCode,
	about: Pick<FindingAbout, 'schema' | 'table' | 'column' | 'constraint' | 'function' | 'arguments' | 'instance'>
): string {
	const names = [about.schema, about.table, about.column, about.constraint]
		.filter(name => name !== undefined)
		.map(keyPart);
	if (about.function !== undefined) {
		names.push(`${keyPart(about.function)}(${(about.arguments ?? []).map(keyPart).join(';')})`);
	}
	const object = names.length > 0 ? `:${names.join('.')}` : '';
	const instance = about.instance === undefined ? '' : `@${keyPart(about.instance)}`;
	return `${code}${object}${instance}`;
}

/**
 * Whether an --ignore key names a finding: the same key, or the key without its `@<instance>` for a finding about any
 * one instance, so an allow-list entry holds whether one instance reports the finding or all of them do.
 */
export function keyMatches(ignoreKey: string, key: string): boolean {
	return ignoreKeysFor(key).includes(ignoreKey);
}

/** The --ignore keys that name the finding with this key: the key itself, and without its `@<instance>` if it has one. */
export function ignoreKeysFor(key: string): string[] {
	const at = key.indexOf('@');
	return at >= 0 ? [key, key.slice(0, at)] : [key];
}

/** A name in a key: percent-encoded, the separators . ( ) included, so that a key reads back one way. */
function keyPart(name: string): string {
	return encodeURIComponent(name).replace(
		/[.!~*'()]/g,
		character => `%${character.charCodeAt(0).toString(16).toUpperCase()}`
	);
}

export function blocksDiagnosis(code: FindingCode): boolean {
	return 'blocksDiagnosis' in findingCodes[code];
}
