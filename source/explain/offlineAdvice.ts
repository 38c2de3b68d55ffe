// What an error means without a connection: the causes, most common first, and SQL to tell them apart.
// Names from the error appear in the SQL only as escaped string literals.
import {literal} from '../sql/triggerSql.js';
import type {ErrorKind, ParsedError} from './parseError.js';

export type Advice = {meaning: string; causes: Array<{cause: string; check?: string}>};

export function offlineAdvice(parsed: ParsedError): Advice {
	const table = literal(parsed.table ?? parsed.child ?? '');
	const column = literal(parsed.column ?? '');
	const fn = literal(parsed.function ?? '');
	const schema = parsed.schema ? literal(parsed.schema) : undefined;
	const tableSchemas = `select table_schema, table_name from information_schema.tables where lower(table_name) = lower(${table});`;
	const reload: Advice['causes'][number] = {
		cause: 'PostgREST\'s schema cache is stale: the object was created or changed after its last reload',
		check: 'select evtname, evtenabled from pg_event_trigger; -- is there an auto-reload trigger? then: pgrst-doctor check',
	};
	const advice: Record<ErrorKind, Advice> = {
		column_not_found: {
			meaning: `PostgREST does not know column ${parsed.column ?? '?'} of ${parsed.table ?? '?'}: writes (POST/PATCH) are checked against its schema cache.`,
			causes: [
				{cause: 'The client sends a column the table does not have (typo, or the wrong table)', check: `select column_name from information_schema.columns where table_name = ${table} order by ordinal_position;`},
				{cause: 'Case folding: the column was created unquoted, so createdAt became createdat', check: `select column_name from information_schema.columns where table_name = ${table} and lower(column_name) = lower(${column});`},
				reload,
				{cause: 'The app talks to another project or database than the migration ran on', check: 'select current_database(), inet_server_addr(); -- compare with the app\'s settings'},
			],
		},
		table_not_found: {
			meaning: `PostgREST does not know the table ${parsed.schema ? `${parsed.schema}.` : ''}${parsed.table ?? '?'}.`,
			causes: [
				{cause: 'The table lives in a schema PostgREST does not expose, or the request lacks the profile header', check: tableSchemas},
				{cause: 'Typo or case folding in the name', check: tableSchemas},
				reload,
				{cause: 'The API role has no privileges on it (PostgreSQL then answers 42501)', check: `select grantee, privilege_type from information_schema.role_table_grants where table_name = ${table};`},
			],
		},
		function_not_found: {
			meaning: `PostgREST found no function ${parsed.function ?? '?'} taking exactly the arguments (${(parsed.args ?? []).join(', ')}): it matches functions by argument names.`,
			causes: [
				{cause: 'The call\'s argument names differ from the function\'s (or camelCase names were folded to lower case)', check: `select p.oid::regprocedure, p.proargnames from pg_proc p where lower(p.proname) = lower(${fn});`},
				{cause: 'The function is in a schema PostgREST does not expose', check: `select n.nspname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where p.proname = ${fn};`},
				reload,
			],
		},
		function_ambiguous: {
			meaning: 'Several overloads of the function match the call\'s argument names.',
			causes: [{cause: 'Overloads with the same argument names', check: `select p.oid::regprocedure from pg_proc p where p.proname = ${fn};`}],
		},
		relationship_not_found: {
			meaning: `PostgREST knows no foreign key between ${parsed.parent ?? '?'} and ${parsed.child ?? '?'}, so it cannot embed one in the other.`,
			causes: [
				{cause: 'The foreign key points into a schema PostgREST does not expose (such as auth.users)', check: `select conrelid::regclass, confrelid::regclass, conname from pg_constraint where contype = 'f' and (conrelid::regclass::text ilike '%' || ${table} || '%' or confrelid::regclass::text ilike '%' || ${table} || '%');`},
				{cause: 'There is no foreign key between them'},
				reload,
			],
		},
		relationship_ambiguous: {
			meaning: 'More than one foreign key connects the two tables.',
			causes: [{cause: 'Several foreign keys: pick one with table!fk_name in select='}],
		},
		cache_unloaded: {
			meaning: 'PostgREST has no schema cache at all (PGRST002): its cache queries fail.',
			causes: [
				{cause: 'A schema listed in db-schemas does not exist', check: 'select nspname from pg_namespace;'},
				{cause: 'Locks or statement_timeout stop the cache queries', check: 'select pid, wait_event_type, state, left(query, 80) from pg_stat_activity where wait_event_type = \'Lock\';'},
			],
		},
		pool_timeout: {meaning: 'PostgREST\'s connection pool was exhausted (PGRST003); not a schema cache problem.', causes: [{cause: 'Slow queries or a pool too small', check: 'select count(*), state from pg_stat_activity group by state;'}]},
		schema_not_exposed: {
			meaning: 'The request asked for a schema PostgREST does not expose.',
			causes: [{cause: 'The schema is missing from db-schemas (or an ALTER ROLE authenticator SET pgrst.db_schemas override wins)', check: 'select rolname, rolconfig from pg_roles where rolconfig::text like \'%pgrst.%\';'}],
		},
		permission_denied: {
			meaning: 'PostgreSQL refused the API role (42501). This is a missing GRANT, not a stale cache.',
			causes: [{cause: 'The API role lacks the privilege', check: `select grantee, privilege_type from information_schema.role_table_grants where table_name = ${table}${schema ? ` and table_schema = ${schema}` : ''};`}],
		},
		unknown: {meaning: 'Not an error pgrst-doctor recognises.', causes: []},
	};
	return advice[parsed.kind];
}
