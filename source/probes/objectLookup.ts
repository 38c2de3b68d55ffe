// What the database knows about the objects an error names, in every schema, plus who may use them.
import type {Catalog, DatabaseSession} from './database.js';

export type ForeignKey = {schema: string; table: string; foreignSchema: string; foreignTable: string; name: string};
export type Privileges = {role: string; usage: boolean; select: boolean | null; insert: boolean | null; update: boolean | null; delete: boolean | null; execute: boolean | null};

export type ObjectLookup = {
	/** Tables and functions of every user schema, filtered the way PostgREST filters its cache. */
	everything: Catalog;
	foreignKeys: ForeignKey[];
	/** The roles requests run as: anon/authenticated/service_role where they exist, the roles PostgREST's login role may become, and --role. */
	apiRoles: string[];
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

// Roles requests may run as: the usual API roles, the roles the given login roles may SET ROLE to, and extras.
const apiRolesSql = `
select distinct r.rolname as name from pg_catalog.pg_roles r
where r.rolname = any($2::text[]) or r.rolname in ('anon', 'authenticated', 'service_role')
   or r.oid in (select m.roleid from pg_catalog.pg_auth_members m join pg_catalog.pg_roles u on u.oid = m.member where u.rolname = any($1::text[]))
order by 1`;

// One role's privileges on one relation or function; identifiers are quoted by format('%I'), never concatenated.
const privilegesSql = `
select r.rolname as role,
       pg_catalog.has_schema_privilege(r.oid, $2, 'USAGE') as usage,
       case when $3::text is null then null else pg_catalog.has_table_privilege(r.oid, pg_catalog.format('%I.%I', $2, $3), 'SELECT') end as select,
       case when $3::text is null then null else pg_catalog.has_table_privilege(r.oid, pg_catalog.format('%I.%I', $2, $3), 'INSERT') end as insert,
       case when $3::text is null then null else pg_catalog.has_table_privilege(r.oid, pg_catalog.format('%I.%I', $2, $3), 'UPDATE') end as update,
       case when $3::text is null then null else pg_catalog.has_table_privilege(r.oid, pg_catalog.format('%I.%I', $2, $3), 'DELETE') end as delete,
       case when $4::text is null then null else pg_catalog.has_function_privilege(r.oid, $4::regprocedure, 'EXECUTE') end as execute
from pg_catalog.pg_roles r where r.rolname = any($1::text[])`;

/** Every statement this module runs, for the test that plants look-alikes of what they call. */
export const objectLookupStatements = [userSchemasSql, foreignKeysSql, apiRolesSql, privilegesSql];

export async function lookupObjects(session: DatabaseSession, request: {names: string[]; loginRoles: string[]; extraRoles: string[]}): Promise<Omit<ObjectLookup, 'privileges'>> {
	const schemas = (await session.read<{name: string}>(userSchemasSql, [])).map(row => row.name);
	return {
		everything: await session.catalog(schemas),
		foreignKeys: await session.read<ForeignKey>(foreignKeysSql, [request.names.map(name => name.toLowerCase())]),
		apiRoles: (await session.read<{name: string}>(apiRolesSql, [request.loginRoles, request.extraRoles])).map(row => row.name),
	};
}

export async function privilegesOn(session: DatabaseSession, roles: string[], object: {schema: string; table?: string; signature?: string}): Promise<Privileges[]> {
	return session.read<Privileges>(privilegesSql, [roles, object.schema, object.table ?? null, object.signature ?? null]);
}
