// What the database knows about the objects an error names, in every schema, plus who may use them.
import type {Catalog, DatabaseSession} from './database.js';

export type ForeignKey = {schema: string; table: string; foreignSchema: string; foreignTable: string; name: string};
/**
 * One role's privileges on the object an error names; null where the object has no such privilege. columnSelect…:
 * on the named column (column-level GRANTs); sequenceUsage: on the named sequence (its schema's USAGE in
 * sequenceSchemaUsage, which may differ from the table's).
 */
export type Privileges = {
	role: string;
	usage: boolean;
	select: boolean | null;
	insert: boolean | null;
	update: boolean | null;
	delete: boolean | null;
	execute: boolean | null;
	columnSelect: boolean | null;
	columnInsert: boolean | null;
	columnUpdate: boolean | null;
	/** The relation's columns the role may read, by table or column GRANTs. */
	readableColumns: string[] | null;
	sequenceUsage: boolean | null;
	sequenceSchemaUsage: boolean | null;
};

/** A row-level security policy: its command, roles (public for everyone) and expressions as PostgreSQL prints them. */
export type Policy = {name: string; command: string; roles: string[]; check: string | null; using: string | null};

/** A view that reads a relation as its owner (no security_invoker) whose owner may not read it. */
export type DefinerView = {schema: string; name: string; owner: string};

/** A sequence an error names, with the column it fills (serial: owned by it; identity: its generator), if any. */
export type Sequence = {
	schema: string;
	name: string;
	tableSchema: string | null;
	table: string | null;
	column: string | null;
	identity: boolean;
};

export type ObjectLookup = {
	/** Tables and functions of every user schema, filtered the way PostgREST filters its cache. */
	everything: Catalog;
	foreignKeys: ForeignKey[];
	/**
	 * The roles requests may run as: anon/authenticated/service_role where they exist, the roles PostgREST's login
	 * role may become (a superuser may become any: then every role without LOGIN that may use an exposed schema), and --role.
	 */
	apiRoles: string[];
	sequences: Sequence[];
	/** For a row refused by row-level security: the table's policies for writes. */
	policies?: Policy[];
	/** For a denied relation: the views that read it as an owner who may not. */
	definerViews?: DefinerView[];
	privileges: Privileges[];
};

// Every schema but PostgreSQL's own.
const userSchemasSql = `
select nspname as name from pg_catalog.pg_namespace
where nspname not in ('pg_catalog', 'information_schema') and nspname !~ '^pg_(toast|temp)'`;

// Foreign keys that start or end at a relation with one of the names (any case).
const foreignKeysSql = `
select tn.nspname as schema, t.relname as "table", fn.nspname as "foreignSchema", f.relname as "foreignTable", c.conname as name
from pg_catalog.pg_constraint c
join pg_catalog.pg_class t on t.oid = c.conrelid join pg_catalog.pg_namespace tn on tn.oid = t.relnamespace
join pg_catalog.pg_class f on f.oid = c.confrelid join pg_catalog.pg_namespace fn on fn.oid = f.relnamespace
where c.contype = 'f' and (pg_catalog.lower(t.relname) = any($1::text[]) or pg_catalog.lower(f.relname) = any($1::text[]))`;

// Roles requests may run as: the usual API roles, the roles the given login roles may SET ROLE to, and extras. A
// superuser login may become any role: then the roles without LOGIN that may use one of the exposed schemas ($3).
const apiRolesSql = `
select distinct r.rolname as name from pg_catalog.pg_roles r
where r.rolname = any($2::text[]) or r.rolname in ('anon', 'authenticated', 'service_role')
   or r.oid in (select m.roleid from pg_catalog.pg_auth_members m join pg_catalog.pg_roles u on u.oid = m.member
       where u.rolname = any($1::text[]))
   or (exists (select from pg_catalog.pg_roles u where u.rolname = any($1::text[]) and u.rolsuper)
       and not r.rolcanlogin and not r.rolsuper and r.rolname !~ '^pg_'
       and exists (select from pg_catalog.pg_namespace n where n.nspname = any($3::text[]) and
           pg_catalog.has_schema_privilege(r.oid, n.oid, 'USAGE')))
order by 1`;

// Sequences with one of the names, and the column each fills: serial (an owned sequence, deptype a) or identity (i).
const sequencesSql = `
select sn.nspname as schema, s.relname as name, tn.nspname as "tableSchema", t.relname as "table", a.attname as column,
       coalesce(d.deptype = 'i', false) as identity
from pg_catalog.pg_class s
join pg_catalog.pg_namespace sn on sn.oid = s.relnamespace
left join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.objid = s.oid
     and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.deptype in ('a', 'i')
left join pg_catalog.pg_class t on t.oid = d.refobjid
left join pg_catalog.pg_namespace tn on tn.oid = t.relnamespace
left join pg_catalog.pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
where s.relkind = 'S' and s.relname = any($1::text[])
order by 1, 2`;

// The relations of schema $2 each role may use, decided the way PostgREST's OpenAPI output decides what to list for
// the request's role under openapi-mode follow-privileges: owned (by membership), any table privilege, or any
// column privilege.
const usableRelationsSql = `
select r.rolname as role,
       coalesce(pg_catalog.array_agg(c.relname::text order by c.relname) filter (where c.oid is not null), '{}'::text[]) as relations
from pg_catalog.pg_roles r
left join pg_catalog.pg_namespace n on n.nspname = $2
left join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relkind in ('r', 'v', 'm', 'f', 'p')
     and (pg_catalog.pg_has_role(r.oid, c.relowner, 'USAGE')
          or pg_catalog.has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
          or pg_catalog.has_any_column_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))
where r.rolname = any($1::text[])
group by r.rolname
order by 1`;

// The policies of relation $1.$2 that apply to writes (INSERT, UPDATE, ALL); role 0 in polroles means PUBLIC.
const policiesSql = `
select p.polname::text as name,
       case p.polcmd when 'a' then 'INSERT' when 'w' then 'UPDATE' else 'ALL' end as command,
       case when 0::pg_catalog.oid = any(p.polroles) then array['public']
            else array(select r.rolname::text from pg_catalog.pg_roles r where r.oid = any(p.polroles) order by 1) end as roles,
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as "check",
       pg_catalog.pg_get_expr(p.polqual, p.polrelid) as "using"
from pg_catalog.pg_policy p
where p.polrelid = pg_catalog.format('%I.%I', $1::text, $2::text)::pg_catalog.regclass and p.polcmd in ('a', 'w', '*')
order by 1`;

// Views that read relation $1.$2 with their owner's privileges (no security_invoker) and whose owner may not SELECT
// it: reading such a view is refused with "permission denied for table <$2>" whatever the caller may do.
const definerViewsSql = `
select distinct vn.nspname::text as schema, v.relname::text as name, o.rolname::text as owner
from pg_catalog.pg_depend d
join pg_catalog.pg_rewrite w on w.oid = d.objid
join pg_catalog.pg_class v on v.oid = w.ev_class
join pg_catalog.pg_namespace vn on vn.oid = v.relnamespace
join pg_catalog.pg_roles o on o.oid = v.relowner
where d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
  and d.refobjid = pg_catalog.format('%I.%I', $1::text, $2::text)::pg_catalog.regclass and v.oid <> d.refobjid and v.relkind = 'v'
  and not exists (select from pg_catalog.unnest(v.reloptions) as option
                  where pg_catalog.lower(option) in ('security_invoker=true', 'security_invoker=on',
                      'security_invoker=1', 'security_invoker=yes'))
  and not pg_catalog.has_table_privilege(v.relowner, d.refobjid, 'SELECT')
order by 1, 2`;

// One role's privileges on one relation, column, sequence or function; identifiers are quoted by format('%I'),
// never concatenated. $2 schema, $3 relation, $4 function signature, $5 column, $6/$7 sequence schema and name.
const privilegesSql = `
select r.rolname as role,
       pg_catalog.has_schema_privilege(r.oid, $2, 'USAGE') as usage,
       case when $3::text is null then null else
           pg_catalog.has_table_privilege(r.oid, pg_catalog.format('%I.%I', $2, $3), 'SELECT') end as select,
       case when $3::text is null then null else
           pg_catalog.has_table_privilege(r.oid, pg_catalog.format('%I.%I', $2, $3), 'INSERT') end as insert,
       case when $3::text is null then null else
           pg_catalog.has_table_privilege(r.oid, pg_catalog.format('%I.%I', $2, $3), 'UPDATE') end as update,
       case when $3::text is null then null else
           pg_catalog.has_table_privilege(r.oid, pg_catalog.format('%I.%I', $2, $3), 'DELETE') end as delete,
       case when $4::text is null then null else
           pg_catalog.has_function_privilege(r.oid, $4::pg_catalog.regprocedure, 'EXECUTE') end as execute,
       case when $3::text is null or $5::text is null then null else
           pg_catalog.has_column_privilege(r.oid, pg_catalog.format('%I.%I', $2, $3), $5::text, 'SELECT') end as "columnSelect",
       case when $3::text is null or $5::text is null then null else
           pg_catalog.has_column_privilege(r.oid, pg_catalog.format('%I.%I', $2, $3), $5::text, 'INSERT') end as "columnInsert",
       case when $3::text is null or $5::text is null then null else
           pg_catalog.has_column_privilege(r.oid, pg_catalog.format('%I.%I', $2, $3), $5::text, 'UPDATE') end as "columnUpdate",
       case when $3::text is null then null else array(
         select a.attname::text from pg_catalog.pg_attribute a
         where a.attrelid = pg_catalog.format('%I.%I', $2, $3)::pg_catalog.regclass and a.attnum > 0 and not a.attisdropped
           and pg_catalog.has_column_privilege(r.oid, a.attrelid, a.attnum, 'SELECT') order by a.attnum) end as "readableColumns",
       case when $7::text is null then null else
           pg_catalog.has_sequence_privilege(r.oid, pg_catalog.format('%I.%I', $6::text, $7::text), 'USAGE') end as "sequenceUsage",
       case when $7::text is null then null else pg_catalog.has_schema_privilege(r.oid, $6::text, 'USAGE') end as "sequenceSchemaUsage"
from pg_catalog.pg_roles r where r.rolname = any($1::text[])`;

/** Every statement this module runs, for the test that plants look-alikes of what they call. */
export const objectLookupStatements = [
	userSchemasSql,
	foreignKeysSql,
	apiRolesSql,
	sequencesSql,
	usableRelationsSql,
	policiesSql,
	definerViewsSql,
	privilegesSql,
];

export async function lookupObjects(
	session: DatabaseSession,
	request: {names: string[]; loginRoles: string[]; extraRoles: string[]; exposed: string[]}
): Promise<Omit<ObjectLookup, 'privileges'>> {
	const schemas = (await session.read<{name: string}>(userSchemasSql, [])).map(row => row.name);
	return {
		everything: await session.catalog(schemas),
		foreignKeys: await session.read<ForeignKey>(foreignKeysSql, [request.names.map(name => name.toLowerCase())]),
		apiRoles: (
			await session.read<{name: string}>(apiRolesSql, [request.loginRoles, request.extraRoles, request.exposed])
		).map(row => row.name),
		sequences: await session.read<Sequence>(sequencesSql, [request.names]),
	};
}

/** The object whose privileges an error is about: a schema alone, or a relation (and column), function or sequence in it. */
export type PrivilegeTarget = {
	schema: string;
	table?: string;
	column?: string;
	signature?: string;
	sequence?: {schema: string; name: string};
};

export async function privilegesOn(
	session: DatabaseSession,
	roles: string[],
	object: PrivilegeTarget
): Promise<Privileges[]> {
	return session.read<Privileges>(privilegesSql, [
		roles,
		object.schema,
		object.table ?? null,
		object.signature ?? null,
		object.column ?? null,
		object.sequence?.schema ?? null,
		object.sequence?.name ?? null,
	]);
}

/** For each role, the relations of `schema` it may use (see usableRelationsSql). */
export async function usableRelations(
	session: DatabaseSession,
	roles: string[],
	schema: string
): Promise<Map<string, string[]>> {
	const rows = await session.read<{role: string; relations: string[]}>(usableRelationsSql, [roles, schema]);
	return new Map(rows.map(row => [row.role, row.relations]));
}

export async function writePolicies(
	session: DatabaseSession,
	table: {schema: string; name: string}
): Promise<Policy[]> {
	return session.read<Policy>(policiesSql, [table.schema, table.name]);
}

export async function definerViews(
	session: DatabaseSession,
	table: {schema: string; name: string}
): Promise<DefinerView[]> {
	return session.read<DefinerView>(definerViewsSql, [table.schema, table.name]);
}
