// What an error means without a connection: the causes, most common first, and SQL to tell them apart.
// Names from the error appear in the SQL only as escaped string literals.
import {quoteIdentifier} from '../sql/quoteIdentifier.js';
import {literal} from '../sql/triggerSql.js';
import {privilegesByMethod} from './grants.js';
import type {ErrorKind, ParsedError} from './parseError.js';

export type Advice = {meaning: string; causes: Array<{cause: string; check?: string}>};

export function offlineAdvice(parsed: ParsedError): Advice {
	if (parsed.kind === 'permission_denied') return permissionAdvice(parsed);
	const table = literal(parsed.table ?? parsed.child ?? '');
	const column = literal(parsed.column ?? '');
	const fn = literal(parsed.function ?? '');
	const tableSchemas = `select table_schema, table_name from information_schema.tables where lower(table_name) = lower(${table});`;
	/** A bare 404 {} pasted with its request line: the request, as pasted. */
	const emptyAnswer =
		parsed.code === null && parsed.request ? `${parsed.request.method} ${parsed.request.path}` : undefined;
	const reload: Advice['causes'][number] = {
		cause: "PostgREST's schema cache is stale: the object was created or changed after its last reload",
		check: 'select evtname, evtenabled from pg_event_trigger; -- is there an auto-reload trigger? then: pgrst-doctor check',
	};
	const advice: Record<Exclude<ErrorKind, 'permission_denied'>, Advice> = {
		column_not_found: {
			meaning:
				`PostgREST does not know column ${parsed.column ?? '?'} of ${parsed.table ?? '?'}: writes (POST/PATCH) ` +
				`are checked against its schema cache.`,
			causes: [
				{
					cause: 'The client sends a column the table does not have (typo, or the wrong table)',
					check: `select column_name from information_schema.columns where table_name = ${table} order by ordinal_position;`,
				},
				{
					cause: 'Case folding: the column was created unquoted, so createdAt became createdat',
					check:
						`select column_name from information_schema.columns where table_name = ${table} and lower(column_name) ` +
						`= lower(${column});`,
				},
				reload,
				{
					cause: 'The app talks to another project or database than the migration ran on',
					check: "select current_database(), inet_server_addr(); -- compare with the app's settings",
				},
			],
		},
		table_not_found: emptyAnswer
			? {
					meaning:
						`PostgREST answered ${emptyAnswer} with 404 and an empty body {}: PostgREST 12 does that when ` +
						`a write names a table its schema cache does not have.`,
					causes: [
						reload,
						{
							cause: 'The table lives in a schema PostgREST does not expose, or the request lacks the profile header',
							check: tableSchemas,
						},
						{cause: 'Typo or case folding in the name', check: tableSchemas},
					],
				}
			: {
					meaning: `PostgREST does not know the table ${parsed.schema ? `${parsed.schema}.` : ''}${parsed.table ?? '?'}.`,
					causes: [
						{
							cause: 'The table lives in a schema PostgREST does not expose, or the request lacks the profile header',
							check: tableSchemas,
						},
						{cause: 'Typo or case folding in the name', check: tableSchemas},
						reload,
						{
							cause: 'The API role has no privileges on it (PostgreSQL then answers 42501)',
							check: `select grantee, privilege_type from information_schema.role_table_grants where table_name = ${table};`,
						},
					],
				},
		function_not_found: emptyAnswer
			? {
					meaning:
						`PostgREST answered ${emptyAnswer} with 404 and ` +
						`an empty body {}: its schema cache has no function ${parsed.function ?? '?'}.`,
					causes: [
						reload,
						{
							cause: 'The function is in a schema PostgREST does not expose',
							check: `select n.nspname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where p.proname = ${fn};`,
						},
					],
				}
			: {
					meaning:
						`PostgREST found no function ${parsed.function ?? '?'} ` +
						`taking exactly the arguments (${(parsed.args ?? []).join(', ')}): ` +
						`it matches functions by argument names.`,
					causes: [
						{
							cause: "The call's argument names differ from the function's (or camelCase names were folded to lower case)",
							check: `select p.oid::regprocedure, p.proargnames from pg_proc p where lower(p.proname) = lower(${fn});`,
						},
						{
							cause: 'The function is in a schema PostgREST does not expose',
							check: `select n.nspname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where p.proname = ${fn};`,
						},
						reload,
					],
				},
		function_ambiguous: {
			meaning: "Several overloads of the function match the call's argument names.",
			causes: [
				{
					cause: 'Overloads with the same argument names',
					check: `select p.oid::regprocedure from pg_proc p where p.proname = ${fn};`,
				},
			],
		},
		relationship_not_found: {
			meaning:
				`PostgREST knows no foreign key between ${parsed.parent ?? '?'} and ${parsed.child ?? '?'}, ` +
				`so it cannot embed one in the other.`,
			causes: [
				{
					cause: 'The foreign key points into a schema PostgREST does not expose (such as auth.users)',
					check:
						`select conrelid::regclass, confrelid::regclass, conname from pg_constraint where contype = ` +
						`'f' and (conrelid::regclass::text ilike '%' || ${table} || '%' or confrelid::regclass::text ` +
						`ilike '%' || ${table} || '%');`,
				},
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
				{
					cause: 'Locks or statement_timeout stop the cache queries',
					check: "select pid, wait_event_type, state, left(query, 80) from pg_stat_activity where wait_event_type = 'Lock';",
				},
			],
		},
		pool_timeout: {
			meaning: "PostgREST's connection pool was exhausted (PGRST003); not a schema cache problem.",
			causes: [
				{
					cause: 'Slow queries or a pool too small',
					check: 'select count(*), state from pg_stat_activity group by state;',
				},
			],
		},
		schema_not_exposed: {
			meaning: 'The request asked for a schema PostgREST does not expose.',
			causes: [
				{
					cause: 'The schema is missing from db-schemas (or an ALTER ROLE authenticator SET pgrst.db_schemas override wins)',
					check: "select rolname, rolconfig from pg_roles where rolconfig::text like '%pgrst.%';",
				},
			],
		},
		row_security: {
			meaning:
				`A row-level security policy on ${parsed.schema ? `${parsed.schema}.` : ''}${parsed.table ?? '?'} ` +
				`refused the row a write produced (its WITH CHECK, or USING for an update): the role has the ` +
				`privilege, no GRANT is missing, and the cache is not involved.`,
			causes: [
				{
					cause:
						'The row does not satisfy the policy for that command (often a user id column that must equal ' +
						"auth.uid() or the JWT's sub)",
					check: `select policyname, cmd, roles, qual, with_check from pg_policies where tablename = ${table};`,
				},
				{
					cause:
						'The request runs as another role than the policy is written for (anon instead of authenticated: ' +
						'no or an expired JWT)',
					check: `select policyname, roles from pg_policies where tablename = ${table};`,
				},
			],
		},
		unknown: {meaning: 'Not an error pgrst-doctor recognises.', causes: []},
	};
	return advice[parsed.kind];
}

/** The table privilege a request needs, by its method (grants.ts); SELECT without a request line. */
function privilegeFor(method: string | undefined): string {
	return (privilegesByMethod[method?.toUpperCase() ?? ''] ?? ['select'])
		.map(privilege => privilege.toUpperCase())
		.join(', ');
}

const role = 'anon';
const roleNote = `(${role} here; use the role the request runs as: authenticated for a signed-in user, or the JWT's role claim)`;
const qualify = (schema: string | undefined, name: string) =>
	(schema ? `${quoteIdentifier(schema)}.` : '') + quoteIdentifier(name);

/** 42501 offline: which privilege on which object, the GRANT that gives it, and SQL that shows who has it now. */
function permissionAdvice(parsed: ParsedError): Advice {
	const on = parsed.privilegeOn ?? 'object';
	const method = parsed.request?.method;
	const privilege = privilegeFor(method);
	const byMethod = method
		? `the ${method} request needs ${privilege}`
		: 'reads need SELECT, POST needs INSERT, PATCH UPDATE and DELETE DELETE';
	const inSchema = (column: string) => (parsed.schema ? ` and ${column} = ${literal(parsed.schema)}` : '');
	const meaning = (object: string) =>
		`PostgreSQL refused the role the request runs as on ${on} ${object} (42501 permission denied). ` +
		`This is a missing GRANT, not a stale schema cache: a reload cannot help.`;
	if (on === 'sequence') {
		const sequence = qualify(parsed.schema, parsed.sequence ?? '?');
		return {
			meaning:
				`${meaning(sequence)} An insert into a table with a serial column takes the next value of that ` +
				`column's sequence through its default (nextval), and that needs USAGE on the sequence as well ` +
				`as INSERT on the table. (An identity column's values are taken without that check: for one, ` +
				`look for a default, trigger or function that calls nextval() on the sequence by name.)`,
			causes: [
				{
					cause: `The API role lacks USAGE on the sequence: GRANT USAGE ON SEQUENCE ${sequence} TO ${role}; ${roleNote}`,
					check:
						`select grantee, privilege_type from information_schema.usage_privileges where object_type ` +
						`= 'SEQUENCE' and object_name = ${literal(parsed.sequence ?? '')}${inSchema('object_schema')};`,
				},
				{
					cause: 'The serial column that uses it (the insert sends no value for it, so its default calls nextval)',
					check:
						`select d.refobjid::regclass as "table", a.attname as "column" from pg_catalog.pg_depend d ` +
						`join pg_catalog.pg_class s on s.oid = d.objid join pg_catalog.pg_attribute a on a.attrelid ` +
						`= d.refobjid and a.attnum = d.refobjsubid where ` +
						`s.relkind = 'S' and s.relname = ${literal(parsed.sequence ?? '')};`,
				},
				{
					cause:
						`Tables created later get sequences of their own: ` +
						`ALTER DEFAULT PRIVILEGES IN SCHEMA ${quoteIdentifier(parsed.schema ?? 'public')} ` +
						`GRANT USAGE ON SEQUENCES TO ${role}; covers them`,
				},
			],
		};
	}
	if (on === 'schema') {
		const schema = quoteIdentifier(parsed.schema ?? '?');
		return {
			meaning:
				`${meaning(schema)} Exposing a schema (db-schemas) lets PostgREST route to it; using anything ` +
				`in it also needs USAGE on the schema.`,
			causes: [
				{
					cause: `The API role lacks USAGE on the schema: GRANT USAGE ON SCHEMA ${schema} TO ${role}; ${roleNote}`,
					check: `select nspname, nspacl from pg_catalog.pg_namespace where nspname = ${literal(parsed.schema ?? '')};`,
				},
				{
					cause:
						`With USAGE it still needs the privilege on each object: ${byMethod} (GRANT ${privilege} ON ` +
						`ALL TABLES IN SCHEMA ${schema} TO ${role}; for all of them)`,
				},
			],
		};
	}
	if (parsed.function) {
		const fn = qualify(parsed.schema, parsed.function);
		const signature = parsed.args ? `${fn}(${parsed.args.join(', ')})` : `${fn}(<argument types>)`;
		return {
			meaning:
				`${meaning(fn)} Functions are executable by PUBLIC unless that was revoked (REVOKE … FROM PUBLIC, ` +
				`or ALTER DEFAULT PRIVILEGES … REVOKE EXECUTE ON FUNCTIONS).`,
			causes: [
				{
					cause:
						`The API role lacks EXECUTE on the function: GRANT EXECUTE ON FUNCTION ${signature} TO ${role}; ` +
						`${roleNote}${parsed.args ? '' : ' — the argument types are in the check'}`,
					check:
						`select p.oid::regprocedure as signature, p.proacl from pg_catalog.pg_proc p where p.proname ` +
						`= ${literal(parsed.function)};`,
				},
			],
		};
	}
	if (parsed.table) {
		const table = qualify(parsed.schema, parsed.table);
		const tableGrants =
			`select grantee, privilege_type from information_schema.role_table_grants where table_name ` +
			`= ${literal(parsed.table)}${inSchema('table_schema')};`;
		const columnGrants =
			`select grantee, column_name, privilege_type from information_schema.column_privileges where ` +
			`table_name = ${literal(parsed.table)}${inSchema('table_schema')} order by grantee, column_name;`;
		if (on === 'column' && parsed.column) {
			return {
				meaning:
					`${meaning(`${table}.${quoteIdentifier(parsed.column)}`)} The role has privileges on some columns ` +
					`of the table only (a column-level GRANT), not on this one.`,
				causes: [
					{
						cause:
							`The API role lacks ${privilege} on the column: GRANT ${privilege} (${quoteIdentifier(parsed.column)}) ` +
							`ON ${table} TO ${role}; ${roleNote}`,
						check: columnGrants,
					},
				],
			};
		}
		const columns = parsed.request?.columns?.length
			? parsed.request.columns.map(quoteIdentifier).join(', ')
			: '<columns>';
		return {
			meaning: meaning(table),
			causes: [
				{
					cause:
						`The API role lacks ${privilege} on the ${on}: ` +
						`GRANT ${privilege} ON ${table} TO ${role}; ${roleNote}${method ? '' : ` — ${byMethod}`}`,
					check: tableGrants,
				},
				{
					cause:
						`Only some columns are granted (a column-level GRANT) and the request names others: GRANT ${privilege} ` +
						`(${columns}) ON ${table} TO ${role}; or grant the whole table`,
					check: columnGrants,
				},
				...(method === 'POST' || method === 'PATCH'
					? [
							{
								cause:
									`A write that returns the rows (supabase-js .insert(…).select(), Prefer: return=representation) ` +
									`also needs SELECT: GRANT SELECT ON ${table} TO ${role};`,
							},
						]
					: []),
			],
		};
	}
	return {
		meaning: meaning(parsed.object ?? '?'),
		causes: [
			{
				cause: `The API role lacks the privilege on ${on} ${parsed.object ?? '?'}: GRANT it to ${role} ${roleNote}`,
			},
		],
	};
}
