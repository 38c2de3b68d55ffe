// The database probe: one read-only transaction with a statement_timeout, returning plain catalog facts.
import type pg from 'pg';
import {openSession, pinSearchPathSql} from './session.js';
import type {ForeignKey} from './foreignKeys.js';

export type ServerFacts = {
	database: string;
	user: string;
	version: string;
	superuser: boolean;
	readAllStats: boolean;
};

export type EventTrigger = {
	name: string;
	event: string;
	/** pg_event_trigger.evtenabled: O (origin), D (disabled), R (replica), A (always). */
	enabled: 'O' | 'D' | 'R' | 'A';
	owner: string;
	tags: string[];
	functionSchema: string;
	functionName: string;
	source: string;
};

export type RoleSetting = {role: string | null; database: string | null; settings: string[]};

export type Session = {
	pid: number;
	database: string | null;
	user: string | null;
	applicationName: string | null;
	state: string | null;
	/** Null when the doctor's role may not see this session's query. */
	query: string | null;
	clientAddress: string | null;
};

export type CatalogTable = {schema: string; name: string; kind: string; columns: string[]};
export type FunctionArgument = {name: string; type: string; required: boolean; variadic: boolean};
export type CatalogFunction = {schema: string; name: string; signature: string; args: FunctionArgument[]};
/** foreignKeys: read beside the catalog (foreignKeys.ts); absent, relationships are not compared. */
export type Catalog = {
	schemas: string[];
	tables: CatalogTable[];
	functions: CatalogFunction[];
	foreignKeys?: ForeignKey[];
};

export type DatabaseFacts = {
	server: ServerFacts;
	eventTriggers: EventTrigger[];
	roleSettings: RoleSetting[];
	sessions: Session[];
	/** pg_notification_queue_usage() read twice, with PostgREST's probing in between; null where not readable. */
	queueUsage: Array<number | null>;
};

export type DatabaseSession = {
	/** Everything but the sessions, which are read by sessions() once PostgREST has been asked something. */
	facts(): Promise<Omit<DatabaseFacts, 'sessions'>>;
	sessions(): Promise<Session[]>;
	queueUsage(): Promise<number | null>;
	catalog(schemas: string[]): Promise<Catalog>;
	/** Another read in the same read-only transaction (for probes that keep their SQL beside them). */
	read<T extends pg.QueryResultRow>(sql: string, parameters: unknown[]): Promise<T[]>;
	close(): Promise<void>;
};

// The same pin inside the read-only transaction, which a transaction pooler keeps on one server connection.
const pinInTransactionSql = 'set local search_path to pg_catalog, pg_temp';
export const beginReadOnlySql = 'begin transaction read only';
const statementTimeoutSql = `select pg_catalog.set_config('statement_timeout', $1, true)`;

// Who we are and what we may see: one row.
const serverFactsSql = `
select pg_catalog.current_database() as database,
       current_user as "user",
       pg_catalog.current_setting('server_version') as version,
       coalesce((select rolsuper from pg_catalog.pg_roles where rolname = current_user), false) as superuser,
       pg_catalog.pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') as "readAllStats"`;

// Every event trigger with its function's body, so checks can read which channel and payload it sends.
const eventTriggersSql = `
select e.evtname as name, e.evtevent as event, e.evtenabled::text as enabled, e.evtowner::regrole::text as owner,
       coalesce(e.evttags, '{}') as tags, n.nspname as "functionSchema", p.proname as "functionName", p.prosrc as source
from pg_catalog.pg_event_trigger e
join pg_catalog.pg_proc p on p.oid = e.evtfoid
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
order by e.evtname`;

// ALTER ROLE / ALTER DATABASE settings that apply in this database (session_replication_role, pgrst.*).
const roleSettingsSql = `
select r.rolname as role, d.datname as database, s.setconfig as settings
from pg_catalog.pg_db_role_setting s
left join pg_catalog.pg_roles r on r.oid = s.setrole
left join pg_catalog.pg_database d on d.oid = s.setdatabase
where s.setdatabase = 0 or d.datname = pg_catalog.current_database()`;

// Every other client session on the server; query is null where our role may not read it (backend_type is null
// then too). pg_stat_activity is a per-transaction snapshot, so it is cleared first to see sessions opened since.
const sessionsSql = `
select pid, datname as database, usename as "user", application_name as "applicationName", state,
       case when query = '<insufficient privilege>' then null else query end as query,
       client_addr::text as "clientAddress"
from pg_catalog.pg_stat_activity, pg_catalog.pg_stat_clear_snapshot()
where pid <> pg_catalog.pg_backend_pid() and datname is not null and coalesce(backend_type, 'client backend') = 'client backend'`;

// Relations PostgREST caches: tables, views, materialized views, foreign tables and partitioned parents
// (not partitions) in the exposed schemas, with their live columns in order.
const tablesSql = `
select n.nspname as schema, c.relname as name, c.relkind::text as kind,
       coalesce(pg_catalog.array_agg(a.attname::text order by a.attnum) filter (where a.attnum is not null), '{}') as columns
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where n.nspname = any($1::text[]) and c.relkind in ('r', 'v', 'm', 'f', 'p') and not c.relispartition
group by n.nspname, c.relname, c.relkind
order by 1, 2`;

// Functions PostgREST caches, following its own query (ROWS FROM spells out what unqualified multi-argument
// unnest means, which PostgreSQL does not accept schema-qualified): plain functions (prokind f) not returning trigger,
// whose input arguments are all named or are one unnamed bytea/json/jsonb/text/xml argument.
const functionsSql = `
with arguments as (
  select oid,
         pg_catalog.json_agg(pg_catalog.json_build_object(
           'name', coalesce(name, ''),
           'type', type::regtype::text,
           'required', idx <= (pronargs - pronargdefaults),
           'variadic', coalesce(mode = 'v', false)) order by idx) as args,
         case pg_catalog.count(*) - pg_catalog.count(name)
           when 0 then true
           when 1 then (pg_catalog.array_agg(type order by idx))[1] in ('bytea'::regtype, 'json'::regtype,
               'jsonb'::regtype, 'text'::regtype, 'xml'::regtype)
           else false
         end as callable
  from pg_catalog.pg_proc, rows from (pg_catalog.unnest(proargnames), pg_catalog.unnest(proargtypes), pg_catalog.unnest(proargmodes))
         with ordinality as _ (name, type, mode, idx)
  where type is not null
  group by oid
)
select n.nspname as schema, p.proname as name, p.oid::regprocedure::text as signature, coalesce(a.args, '[]') as args
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
left join arguments a on a.oid = p.oid
where n.nspname = any($1::text[]) and p.prokind = 'f' and p.prorettype <> 'trigger'::regtype and coalesce(a.callable, true)
order by 1, 2, 3`;

// How full the NOTIFY queue is (0 to 1).
const queueUsageSql = 'select pg_catalog.pg_notification_queue_usage() as usage';

/** Every statement this module runs, for the test that plants look-alikes of what they call. */
export const databaseStatements = [
	pinSearchPathSql,
	beginReadOnlySql,
	pinInTransactionSql,
	statementTimeoutSql,
	serverFactsSql,
	eventTriggersSql,
	roleSettingsSql,
	sessionsSql,
	tablesSql,
	functionsSql,
	queueUsageSql,
];

export async function openDatabase(
	connectionString: string,
	timeoutMs: number,
	signal?: AbortSignal
): Promise<DatabaseSession> {
	// Pinned, and ended by cancelling, which rejects pending queries.
	const client = await openSession({connectionString, timeoutMs, signal});
	try {
		await client.query(beginReadOnlySql);
		await client.query(pinInTransactionSql);
		await client.query(statementTimeoutSql, [String(timeoutMs)]);
	} catch (error) {
		void client.end().catch(() => {});
		throw error;
	}
	const queueUsage = async () => {
		const [row] = (await client.query<{usage: number | null}>(queueUsageSql)).rows;
		return row?.usage ?? null;
	};
	return {
		async facts() {
			const [server] = (await client.query<ServerFacts>(serverFactsSql)).rows;
			return {
				server: server!,
				eventTriggers: (await client.query<EventTrigger>(eventTriggersSql)).rows,
				roleSettings: (await client.query<RoleSetting>(roleSettingsSql)).rows,
				queueUsage: [await queueUsage()],
			};
		},
		queueUsage,
		async sessions() {
			return (await client.query<Session>(sessionsSql)).rows;
		},
		async catalog(schemas) {
			return {
				schemas,
				tables: (await client.query<CatalogTable>(tablesSql, [schemas])).rows,
				functions: (await client.query<CatalogFunction>(functionsSql, [schemas])).rows,
			};
		},
		async read<T extends pg.QueryResultRow>(sql: string, parameters: unknown[]) {
			return (await client.query<T>(sql, parameters)).rows;
		},
		async close() {
			await client.query('rollback').catch(() => {});
			await client.end().catch(() => {});
		},
	};
}
