// How pgrst-doctor words things: one sentence (equation) per finding code, like PostgREST's Error.hs has one message
// per error constructor. A check or explain names the parts (the table, the reason, the server's answer); the
// sentence around them lives here, once. findings.ts's `finding(code, parts)` is the only way to make a finding.
import type {FindingCode, FixId} from './findings.js';
import type {Channel} from './sql/channel.js';
import {quoteIdentifier} from './sql/quoteIdentifier.js';
import {reloadSql} from './sql/reloadSql.js';

/** "1 finding", "3 findings": a count and its noun, the noun taking an s unless the count is one. */
export function plural(count: number, noun: string): string {
	return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** schema.name for messages, quoted the way SQL would need it. */
export function label(object: {schema: string; name: string}): string {
	return `${quoteIdentifier(object.schema)}.${quoteIdentifier(object.name)}`;
}

/** pg_class.relkind in words: what kind of relation the cache lacks. */
function relationKind(kind: string): string {
	return {v: 'View', m: 'Materialized view', f: 'Foreign table', p: 'Partitioned table'}[kind] ?? 'Table';
}

/** The cure every stale-cache finding shares: the reload fix, and the statement that does it by hand. */
export function reloadCure(channel: Channel): {fixes: FixId[]; suggestion: string} {
	return {fixes: ['reload'], suggestion: `Reload the schema cache: ${reloadSql(channel)}`};
}

type InstancesUnchecked = {database: string; total: number; list: string; through: string; notes: readonly string[]};

/** A list that always has a first item: a sentence that names "the most likely" or "one of" never names none. */
type NonEmpty<T> = readonly [T, ...T[]];

/** What PostgREST's API said when it has no session in the database (see checks/listenerEvidence.ts). */
type Absence = 'unreachable' | 'answered' | 'unusable' | 'not asked';
type Relation = {schema: string; table: string};
type Column = Relation & {column: string};

const inDatabaseOnly = (object: string) => `${object} is in the database but not in PostgREST's schema cache`;
const inCacheOnly = (object: string) => `${object} is in PostgREST's schema cache but no longer in the database`;
const relation = ({schema, table}: Relation) => label({schema, name: table});
const column = (parts: Column) => `${relation(parts)}.${quoteIdentifier(parts.column)}`;
/** What PostgREST exposes instead, when it said (an empty list: it did not, so the sentence names none). */
const exposedOnly = (exposed: readonly string[], notThere: string) =>
	exposed.length > 0 ? `PostgREST exposes only ${exposed.join(', ')}` : `PostgREST does not expose ${notThere}`;
const didYouMean = (near: string | undefined) => (near ? `; did you mean ${near}?` : '');
const caseFolded = 'unquoted names are folded to lower case';
const noVerdictNow = ': nothing is stale now';

const schemaList = (schemas: readonly string[]) => (schemas.length > 0 ? schemas.join(',') : '""');

/** Where PostgREST's root check went wrong: the two answers that show the URL is not its API root. */
const offRootControls = ({status, control}: {status: number; control: number}) =>
	`GET / answered HTTP ${status} without PostgREST's OpenAPI description, and a relation that cannot exist answered` +
	` HTTP ${control} without the "does not exist" error PostgREST's root gives, so every table would read as missing`;

export const say = {
	'db.unreachable': (parts: {where: string; reason: string} | {where: string; missingDatabase: string}) =>
		'missingDatabase' in parts
			? `PostgreSQL at ${parts.where} has no such database: ${parts.missingDatabase}`
			: `Could not connect to PostgreSQL at ${parts.where}: ${parts.reason}`,
	'db.auth_failed': ({where, answer, pooler}: {where: string; answer: string; pooler?: true}) =>
		pooler
			? `Supabase's pooler at ${where} does not know this user: "${answer}"`
			: `PostgreSQL at ${where} refused the login: ${answer}`,
	'api.unreachable': (
		parts:
			| {situation: 'unanswered'; where: string; reason: string}
			| {situation: 'server error'; where: string; status: number; detail: string}
			| {situation: 'stopped'; where?: string; reason: string}
	) => {
		switch (parts.situation) {
			case 'unanswered':
				return `Could not reach PostgREST at ${parts.where}: ${parts.reason}.`;
			case 'server error':
				return (
					`PostgREST at ${parts.where} answered GET / with a server error (HTTP ${parts.status}, ${parts.detail}),` +
					' so its cache could not be read'
				);
			case 'stopped':
				return `PostgREST${parts.where ? ` at ${parts.where}` : ''} stopped answering during the check: ${parts.reason}`;
			default:
				return unreachable(parts);
		}
	},
	'api.unauthorized': (
		parts:
			| {situation: 'gateway forbids'; where: string; key: string}
			| {situation: 'gateway no key'; where: string}
			| {situation: 'gateway invalid key'; where: string; key: string; expired: boolean}
			| {situation: 'jwt unverifiable'; where: string; status: number; answer: string}
			| {situation: 'refused'; where: string; detail: string}
	) => {
		switch (parts.situation) {
			case 'gateway forbids':
				return (
					`Supabase's gateway at ${parts.where} refuses GET / to ${parts.key} (403 "Access to schema is forbidden"):` +
					' since 2026-03-11 only a secret key may read the OpenAPI description of the schema cache, so the cache' +
					' could not be compared'
				);
			case 'gateway no key':
				return `Supabase's gateway at ${parts.where} refused the request: 401 "No API key found in request"`;
			case 'gateway invalid key':
				return (
					`Supabase's gateway at ${parts.where} does not accept ${parts.key}` +
					`${parts.expired ? ' (its exp claim has passed)' : ''}: 401 "Invalid API key"`
				);
			case 'jwt unverifiable':
				return (
					`PostgREST at ${parts.where} cannot verify the API key: it answers every request that carries one with` +
					` ${parts.status} PGRST300 "${parts.answer}"`
				);
			case 'refused':
				return `PostgREST at ${parts.where} refused the request (${parts.detail})`;
			default:
				return unreachable(parts);
		}
	},
	'api.not_postgrest': ({where, status}: {where: string; status: number}) =>
		`The server at ${where} does not look like PostgREST (HTTP ${status}, no PostgREST Server header or error shape)`,
	'cache.not_compared': ({missing}: {missing: 'api' | 'database'}) =>
		"PostgREST's schema cache was not compared with the" +
		(missing === 'api'
			? " database: no --api-url was given, so only the database side (the trigger, PostgREST's sessions) was checked"
			: ' database: no database URL was given, so only PostgREST was checked'),
	'api.redirected': ({where, status, target}: {where: string; status: number; target: string}) =>
		`${where} answered HTTP ${status}, a redirect to ${target}; the doctor does not follow redirects, so nothing was compared`,
	'api.wrong_base_url': (
		parts: {where: string; postgrest: string; status: number; control: number} & ({admin: true} | {root?: string})
	) =>
		'admin' in parts
			? `${parts.where} is ${parts.postgrest}'s admin server, not the API: it answers /live and /ready, and` +
				` ${offRootControls(parts)}; nothing was compared`
			: `${parts.where} answers as ${parts.postgrest} but is not its API root: ${offRootControls(parts)}` +
				`${parts.root ? `; PostgREST's root answers at ${parts.root}` : ''}; nothing was compared`,
	'api.other_database': ({serving, who, given}: {serving: string; who: string; given: string}) =>
		`PostgREST is connected to database ${serving} (it ran pgrst-doctor's request there as ${who}), not to ${given}:` +
		' migrations and NOTIFY sent here never reach it',
	'api.database_unconfirmed': ({database, where, reason}: {database: string; where: string; reason: string}) =>
		`No PostgREST session is in database ${database}, ${where}, and which database PostgREST serves could not be` +
		` confirmed (${reason}): its cache was not compared with ${database}`,
	'cache.unloaded': (parts: {answer: string} | {explained: true}) =>
		'answer' in parts
			? `PostgREST answers every request with PGRST002 "${parts.answer}": it could not load its schema cache`
			: 'PostgREST has no schema cache: every request gets PGRST002 until its cache query succeeds',
	'cache.unverified': ({objects, reasons}: {objects: string; reasons: readonly string[]}) =>
		`${objects} could not be compared with PostgREST's schema cache: ${reasons.join('; ')}`,
	'cache.table_missing': (parts: Relation & {kind: string}) =>
		inDatabaseOnly(`${relationKind(parts.kind)} ${relation(parts)}`),
	'cache.table_stale': (parts: Relation) => `${inCacheOnly(relation(parts))} (dropped or renamed)`,
	'cache.column_missing': (parts: Column) => inDatabaseOnly(column(parts)),
	'cache.column_stale': (parts: Column) => `${inCacheOnly(column(parts))} (dropped or renamed)`,
	'cache.function_missing': ({signature}: {signature: string}) => inDatabaseOnly(signature),
	'cache.function_stale': ({schema, name}: {schema: string; name: string}) =>
		inCacheOnly(`${label({schema, name})}()`),
	'cache.function_signature': ({signature, cached}: {signature: string; cached: string}) =>
		`${signature} changed: PostgREST's schema cache still has ${cached}`,
	'trigger.missing': ({reload}: {reload: string}) =>
		`No event trigger reloads PostgREST after DDL (none runs ${reload}),` +
		' so every migration leaves its cache stale until someone reloads it',
	'trigger.disabled': ({trigger, event, state}: {trigger: string; event: string; state: string}) =>
		`Event trigger ${trigger} (${event}) would reload PostgREST but is ${state}`,
	'trigger.incomplete': (
		parts:
			| {situation: 'no reload'; trigger: string; problems: readonly string[]}
			| {situation: 'problem'; trigger: string; problem: string}
			| {situation: 'no ddl_command_end'}
			| {situation: 'no sql_drop'; triggers: readonly string[]}
	) => {
		switch (parts.situation) {
			case 'no reload':
				return `Event trigger ${parts.trigger} sends NOTIFY but will not reload PostgREST: ${parts.problems.join('; ')}`;
			case 'problem':
				return `Event trigger ${parts.trigger}: ${parts.problem}`;
			case 'no ddl_command_end':
				return 'No ddl_command_end trigger reloads PostgREST: CREATE and ALTER leave the cache stale';
			case 'no sql_drop':
				return (
					`${parts.triggers.join(', ')} only looks at pg_event_trigger_ddl_commands(), which reports no DROP, and no` +
					' sql_drop trigger reloads PostgREST: dropped tables, columns and functions stay in the cache'
				);
			default:
				return unreachable(parts);
		}
	},
	'trigger.bypassed': ({scope, triggers}: {scope: string; triggers: readonly string[]}) =>
		`session_replication_role = replica is set for ${scope}: DDL run there does not fire ${triggers.join(', ')}`,
	'listener.missing': (
		parts:
			| {situation: 'not listening'; database: string; channel: string; adminDown: boolean}
			| {situation: 'absent'; database: string; apiUrl?: string; api: Absence}
			| {situation: 'elsewhere'; database: string; channel: string}
			| {situation: 'no LISTEN'; database: string; channel: string}
			| {situation: 'instance'; instance: string; database: string; channel: string}
			| {situation: 'nobody'; database: string; apiUrl?: string; api: Absence; channel: string}
	) => {
		switch (parts.situation) {
			case 'not listening':
				return (
					`no PostgREST session in ${parts.database} listens on "${parts.channel}"` +
					`${parts.adminDown ? ' (its admin /ready answers 503: the listener is down)' : ''}`
				);
			case 'absent':
				return absence(parts);
			case 'elsewhere':
				return `Nothing listens on "${parts.channel}" in ${parts.database}: NOTIFY ${parts.channel} reaches nobody`;
			case 'no LISTEN':
				return (
					`PostgREST is connected to ${parts.database} but no session runs LISTEN "${parts.channel}": NOTIFY` +
					` ${parts.channel} reaches nobody (db-channel-enabled=false, or a transaction pooler that took the LISTEN:` +
					' --probe tells more)'
				);
			case 'instance':
				return (
					`The PostgREST instance ${parts.instance} has no session that runs LISTEN "${parts.channel}" in` +
					` ${parts.database}: NOTIFY ${parts.channel} reaches the other instances, not this one`
				);
			case 'nobody': {
				const why = absence(parts);
				return (
					`${why[0]!.toUpperCase()}${why.slice(1)}, and nothing listens on "${parts.channel}": NOTIFY` +
					` ${parts.channel} reaches nobody`
				);
			}
			default:
				return unreachable(parts);
		}
	},
	'listener.unknown': (
		parts: {role: string; channel: string} & (
			{sessions: number; roles: string; names: string; database: string} | {hidden: number}
		)
	) => {
		const hidden = `role ${parts.role} may not read other roles' queries (it has neither pg_monitor nor pg_read_all_stats)`;
		return 'hidden' in parts
			? `${hidden}, so PostgREST's LISTEN "${parts.channel}" can be neither confirmed nor ruled out` +
					` (${plural(parts.hidden, 'hidden session')})`
			: `${plural(parts.sessions, 'session')} of ${parts.roles} (${parts.names}) ${parts.sessions === 1 ? 'is' : 'are'}` +
					` connected to ${parts.database}, but ${hidden}, so whether one of them runs LISTEN "${parts.channel}" can be` +
					' neither confirmed nor ruled out';
	},
	'listener.pooled': ({signs}: {signs: readonly string[]}) =>
		'PostgREST connects through a transaction-mode pooler, which accepts LISTEN but drops notifications' +
		`${signs.length > 0 ? ` (${signs.join('; ')})` : ''}`,
	'listener.channel_mismatch': (
		parts: {heard: string; sent: string} | {notified: readonly string[]; heard: string}
	) =>
		'sent' in parts
			? `PostgREST listens on "${parts.heard}", not on "${parts.sent}"`
			: `The auto-reload trigger notifies "${parts.notified.join('", "')}" but PostgREST listens on "${parts.heard}"`,
	'listener.channel_disabled': ({database}: {database: string}) =>
		`PostgREST is connected to ${database} but listens on no channel: db-channel-enabled is most likely false`,
	'notify.undelivered': (parts: {sent: string; who: string; likely: NonEmpty<string>; others: readonly string[]}) => {
		const {sent, who, likely, others} = parts;
		const most =
			likely.length > 1
				? `Most likely one of these, which look alike from the database: ${likely.join('; or ')}`
				: `Most likely: ${likely[0]}`;
		const also = others.length > 0 ? ` Also possible: ${others.join('; ')}.` : '';
		return `Sent ${sent} and ${who}. ${most}.${also}`;
	},
	// usage null: the last reading of the queue failed, though earlier ones showed it filling.
	'notify.queue_stuck': ({usage}: {usage: number | null}) =>
		"PostgreSQL's notification queue is not being drained" +
		` (pg_notification_queue_usage() ${usage === null ? '> 0' : `= ${usage}`})`,
	'notify.delivered': (parts: {latencyMs?: number; sent: string; evidence?: string; instances?: number}) => {
		const {latencyMs, sent, evidence, instances} = parts;
		const seen = evidence === undefined ? '' : ` (seen through ${evidence})`;
		const after = `${latencyMs === undefined ? '' : `${latencyMs} ms `}after ${sent}${seen}`;
		if (instances === undefined || instances === 1) {
			const who = instances === undefined ? 'PostgREST' : 'The one PostgREST instance the database shows';
			return (
				`${who} reloaded ${after}; the cache was compared before this reload, so run the check again to see` +
				' the cache after it'
			);
		}
		return (
			`Each of the ${instances} PostgREST instances the database shows reloaded, the last ${after}; the caches` +
			' were compared before this reload, so run the check again to see them after it'
		);
	},
	'schema.not_exposed': (
		parts:
			| {situation: 'requested'; schema?: string; exposed: readonly string[]}
			| {situation: 'named'; schema: string; exposed: readonly string[]}
			| {situation: 'found there'; object: string; exposed: readonly string[]}
	) => {
		switch (parts.situation) {
			case 'requested':
				return (
					`The request named schema ${parts.schema ?? '(unknown)'}, but` +
					` ${exposedOnly(parts.exposed, 'it')}`
				);
			case 'named':
				return (
					`Schema ${parts.schema} is not exposed by PostgREST` +
					`${parts.exposed.length > 0 ? ` (it exposes ${parts.exposed.join(', ')})` : ''}`
				);
			case 'found there':
				return `${parts.object} exists, but ${exposedOnly(parts.exposed, 'its schema')}`;
			default:
				return unreachable(parts);
		}
	},
	'schema.missing': ({schema, source}: {schema: string; source: string}) =>
		`Schema ${quoteIdentifier(schema)} (from ${source}) does not exist in the database, so nothing in it was compared`,
	'grant.missing': (
		parts:
			| {situation: 'lacking'; roles: readonly string[]; object: string; what: string; notes: string}
			| {situation: 'view owner'; view: string; table: string; owner: string}
			| {situation: 'another role'; checked: string; what: string; notes: string}
	) => {
		switch (parts.situation) {
			case 'lacking':
				return (
					`${parts.roles.join(', ')} may not use ${parts.object}: ${parts.roles.length === 1 ? 'it lacks' : 'they lack'}` +
					` ${parts.what} (PostgreSQL answers 42501 permission denied — not a cache problem).${parts.notes}`
				);
			case 'view owner':
				return (
					`The request read ${parts.view}, a view without security_invoker, so PostgreSQL reads ${parts.table} under` +
					` it with the privileges of the view's owner, ${parts.owner}, who may not SELECT it (42501 — not a cache` +
					` problem). Granting the API role would not help, and would open ${parts.table} itself to it.`
				);
			case 'another role':
				return (
					`The same read, made now as the API's role, is still refused (42501), but none of the roles checked` +
					` (${parts.checked}) lacks ${parts.what}: requests run as another role.${parts.notes}`
				);
			default:
				return unreachable(parts);
		}
	},
	'client.unknown_table': ({name, near}: {name: string; near?: string}) =>
		`No table or view named "${name}" exists in any schema${didYouMean(near)}`,
	'client.unknown_column': (
		parts: {name: string} | {table: string; name: string; near?: string; columns: readonly string[]}
	) =>
		'table' in parts
			? `${parts.table} has no column "${parts.name}"${didYouMean(parts.near)} (its columns: ${parts.columns.join(', ')})`
			: `Column "${parts.name}" does not exist`,
	'client.unknown_function': ({name, near}: {name: string; near?: string}) =>
		`No function named "${name}" exists in an exposed schema${didYouMean(near)}`,
	'client.case_folded': (
		parts:
			| {situation: 'table'; sent: string; actual: string}
			| {situation: 'column'; sent: string; actual: string}
			| {situation: 'function'; sent: string; actual: string}
			| {situation: 'arguments'; sent: readonly string[]; actual: string}
	) => {
		switch (parts.situation) {
			case 'table':
				return `The client asks for "${parts.sent}" but the table is ${parts.actual}: ${caseFolded}`;
			case 'column':
				return `The client sends "${parts.sent}" but the column is ${parts.actual}: ${caseFolded}`;
			case 'function':
				return `The client calls "${parts.sent}" but the function is ${parts.actual}: ${caseFolded}`;
			case 'arguments':
				return (
					`The call sends ${parts.sent.join(', ')} but ${parts.actual} has lower-case argument names:` +
					' unquoted names are folded'
				);
			default:
				return unreachable(parts);
		}
	},
	'rpc.args_mismatch': ({sent, name, takes}: {sent: readonly string[]; name: string; takes: NonEmpty<string>}) =>
		`The call sends (${sent.join(', ') || 'no arguments'}) but ${name} takes ${takes.join(' or ')} (? = optional):` +
		' PostgREST picks functions by argument names',
	'rpc.ambiguous': ({signatures}: {signatures: readonly string[]}) =>
		`PostgREST cannot choose between ${signatures.join(', ')}: the call's argument names fit all of them, and PostgREST` +
		' picks an overload by argument names (one unnamed argument by the Content-Type), never by the types of the values' +
		' sent',
	'relationship.unexposed': ({
		foreignKey,
		from,
		to,
		hidden,
	}: {
		foreignKey: string;
		from: string;
		to: string;
		hidden: string;
	}) =>
		`The foreign key ${foreignKey} connects ${from} with ${to}, and ${hidden} is in a schema PostgREST does not expose`,
	'rls.rejected': ({table, policies}: {table: string; policies: string}) =>
		`A row-level security policy on ${table} refused the row the request wrote: the role has the privilege, so no GRANT` +
		` is missing and the cache is not involved.${policies}`,
	'relationship.missing': ({between}: {between: readonly [string, string]}) =>
		`No foreign key connects ${between[0]} and ${between[1]}, so there is no relationship to embed`,
	'cache.inconsistent': (parts: {
		url: string;
		disagreeing: number;
		answers: number;
		majority: number;
		unanswered: string;
		differences: string;
	}) =>
		`${parts.disagreeing} of ${parts.answers} identical requests for PostgREST's OpenAPI description through ${parts.url}` +
		` (each on a new connection) described another schema cache than the other ${parts.majority}${parts.unanswered}:` +
		` ${parts.differences}. At least one PostgREST instance behind this address serves a stale cache, so some requests` +
		' fail and others succeed',
	'api.instance_unchecked': (parts: InstancesUnchecked) => {
		const instances = plural(parts.total, 'PostgREST instance');
		const notes = parts.notes.length > 0 ? `: ${parts.notes.join('; ')}` : '';
		return (
			`The database ${parts.database} shows ${instances} (${parts.list}), and ${parts.through} did not reach` +
			` each of them at its own address${notes}, so their caches were not compared one by one`
		);
	},
	'cache.relationship_missing': (
		parts: {foreignKey: string; from: string; to: string} | {foreignKey: string; between: readonly [string, string]}
	) =>
		'between' in parts
			? `The foreign key ${parts.foreignKey} between ${parts.between[0]} and ${parts.between[1]} exists; if PostgREST still` +
				' cannot find the relationship, its cache is stale'
			: `The foreign key ${parts.foreignKey} from ${parts.from} to ${parts.to} is in the database but PostgREST's schema` +
				' cache has no relationship for it, so embedding fails (PGRST200)',
	'config.project_mismatch': (parts: {who: string} | {named: string}) =>
		'who' in parts
			? `${parts.who}: these are different Supabase projects, and one project's schema cache says nothing about another` +
				" project's database, so the doctor gives no verdict"
			: `These belong to different Supabase projects: ${parts.named}`,
	'config.listener_disabled': ({from}: {from: string}) =>
		`PostgREST's config turns the listener off (db-channel-enabled = false, from ${from}): NOTIFY reloads cannot reach` +
		' it, so the cache is reloaded only by a restart, SIGUSR1 or pgrst-doctor wait',
	'config.channel_mismatch': (parts: {from: string; heard: string} & ({database: string} | {configured: string})) =>
		'database' in parts
			? `${parts.from} sets db-channel-enabled = false, but the running PostgREST listens on "${parts.heard}" in` +
				` ${parts.database}: it was not started with this setting, and will stop hearing NOTIFY when it is restarted with it`
			: `${parts.from} says db-channel = "${parts.configured}", but the running PostgREST listens on "${parts.heard}": it` +
				' was not started with this setting (or not restarted since it changed). This run used' +
				` "${parts.heard}", the channel PostgREST hears`,
	// The lists as db-schemas writes them (comma-separated, no space); an empty one as the empty string it is.
	'config.schemas_mismatch': (parts: {
		from: string;
		configured: readonly string[];
		exposed: readonly string[];
		override: string;
	}) =>
		`${parts.from} says db-schemas = ${schemaList(parts.configured)}, but the running PostgREST exposes` +
		` ${schemaList(parts.exposed)}${parts.override}`,
	'explain.not_reproduced': (
		parts:
			| {situation: 'fine now'; what: string}
			| {situation: 'pool'}
			| {situation: 'nothing denied'; roles: string; object: string; readNow: boolean; other: string}
	) => {
		switch (parts.situation) {
			case 'fine now':
				return `${parts.what}${noVerdictNow}`;
			case 'pool':
				return (
					"PGRST003 is not about the schema cache: PostgREST's connection pool was exhausted (slow queries, too" +
					' small db-pool, or a pooler limit)'
				);
			case 'nothing denied':
				return (
					`Every role requests may run as (${parts.roles}) has what ${parts.object} needs now` +
					`${parts.readNow ? " and the same read, made now as the API's role, succeeds" : ''}: nothing is denied` +
					` now.${parts.other}`
				);
			default:
				return unreachable(parts);
		}
	},
	'explain.unrecognised': (parts: {recognised: readonly string[]} | {bare: true}) =>
		'recognised' in parts
			? `Not an error pgrst-doctor recognises. It understands: ${parts.recognised.join('; ')}`
			: 'This is not an error pgrst-doctor recognises',
} as const satisfies Record<FindingCode, (parts: never) => string>;

/** The named parts a code's sentence is made of. */
export type WordingParts<C extends FindingCode> = Parameters<(typeof say)[C]>[0];

/** Why PostgREST has no session here, in the words of what its API said. */
function absence({database, apiUrl, api}: {database: string; apiUrl?: string; api: Absence}): string {
	switch (api) {
		case 'unreachable':
			return (
				`PostgREST is not running or not connected to ${database}: it did not answer at ${apiUrl} and has no session` +
				` in ${database}`
			);
		case 'answered':
			return (
				`PostgREST answers at ${apiUrl} but has no session in ${database}: it is connected to another database or` +
				' server'
			);
		case 'unusable':
			return (
				`PostgREST has no session in ${database}: it is not running or not connected to this database (${apiUrl}` +
				' could not be used as its API)'
			);
		case 'not asked':
			return `no PostgREST session is connected to ${database}: PostgREST is not running or not connected to this database`;
		default:
			return unreachable(api);
	}
}

function unreachable(value: never): never {
	throw new Error(`Unhandled wording case: ${JSON.stringify(value)}`);
}
