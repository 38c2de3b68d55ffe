// The reload function: a safe way for an application without a database URL to ask PostgREST for a reload, by
// calling one SQL function through PostgREST itself. It is SECURITY DEFINER with search_path pinned, only the roles
// named may execute it (never PUBLIC, so never anon), and it sends at most one NOTIFY per interval: a burst of
// failing requests, or someone who learnt a key, cannot make PostgREST reload its cache over and over.
//
// What is pgrst-doctor's: the function <schema>.reload_schema_cache(), its state table
// <schema>.reload_schema_cache_state and a schema it created, each when it carries the marker comment. Anything else
// with those names is someone else's: installing refuses, uninstalling leaves it alone. Nothing here needs a
// superuser: the installing role owns what it installs.
import {type Channel, channelLiteral} from './channel.js';
import {dollarQuote} from './dollarQuote.js';
import {quoteIdentifier} from './quoteIdentifier.js';
import {quoteLiteral} from './quoteLiteral.js';
import type {SqlName} from './sqlName.js';
import {refuseCollisions} from './triggerSql.js';

/** Not exposed by PostgREST unless the user adds it to db-schemas (Supabase: Data API settings → Exposed schemas). */
export const reloadFunctionSchema = 'pgrst_doctor_reload' as SqlName;
export const reloadFunctionName = 'reload_schema_cache';
export const reloadStateName = 'reload_schema_cache_state';
export const reloadFunctionMarker =
	'Installed by pgrst-doctor (reload function); remove with: pgrst-doctor check --fix uninstall-reload-function --yes';
/** At most one NOTIFY per this many seconds, whoever calls. */
export const defaultReloadIntervalSeconds = 5;

/**
 * forbidden: roles that must never be able to call it (anon, PostgREST's anonymous role), also not by being members
 * of a role named.
 */
export type ReloadFunctionPlan = {
	schema: SqlName;
	roles: SqlName[];
	channel: Channel;
	intervalSeconds: number;
	forbidden: string[];
};

const marker = quoteLiteral(reloadFunctionMarker);
const pinPath = 'set local search_path to pg_catalog, pg_temp;';

/** The function's name as SQL, e.g. pgrst_doctor_reload.reload_schema_cache. */
export function reloadFunctionIdentifier(schema: SqlName): string {
	return `${quoteIdentifier(schema)}.${reloadFunctionName}`;
}

/** One row per object that has the reload function's names but is not pgrst-doctor's; $1 is the schema. */
export const reloadFunctionCollisionsSql = `
select pg_catalog.format('function %I.%I() exists and was not created by pgrst-doctor', n.nspname, p.proname) as reason
from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where n.nspname = $1 and p.proname = '${reloadFunctionName}' and p.pronargs = 0
  and pg_catalog.obj_description(p.oid, 'pg_proc') is distinct from ${marker}
union all
select pg_catalog.format('table %I.%I exists and was not created by pgrst-doctor', n.nspname, c.relname)
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = $1 and c.relname = '${reloadStateName}'
  and pg_catalog.obj_description(c.oid, 'pg_class') is distinct from ${marker}`;

/**
 * What is installed, as the proof reads it ($1 the schema, $2 the roles that must execute it, $3 the roles that must
 * not): whether the function is pgrst-doctor's, runs as its owner with search_path pinned, whether PUBLIC may run it,
 * and which of the roles asked about may.
 */
export const reloadFunctionStateSql = `
select p.prosecdef as "securityDefiner",
       coalesce('search_path=pg_catalog, pg_temp' = any (p.proconfig), false) as "pinnedPath",
       exists (select from pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
               where a.grantee = 0 and a.privilege_type = 'EXECUTE') as "publicExecutes",
       array(select r.rolname::text from pg_catalog.pg_roles r
             where r.rolname = any ($2::text[]) and pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE')
             order by r.rolname) as "allowed",
       array(select r.rolname::text from pg_catalog.pg_roles r
             where r.rolname = any ($3::text[]) and pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE')
             order by r.rolname) as "forbiddenAllowed",
       array(select r.rolname::text from pg_catalog.pg_roles r
             where not r.rolsuper and pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE')
             order by r.rolname) as "executors"
from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where n.nspname = $1 and p.proname = '${reloadFunctionName}' and p.pronargs = 0
  and pg_catalog.obj_description(p.oid, 'pg_proc') = ${marker}`;

/** executors: every role but the superusers that may execute it, as the catalog says. */
export type ReloadFunctionState = {
	securityDefiner: boolean;
	pinnedPath: boolean;
	publicExecutes: boolean;
	allowed: string[];
	forbiddenAllowed: string[];
	executors: string[];
};

/** A text[] literal of role names, each a quoted literal. */
function textArray(names: readonly string[]): string {
	return names.length === 0 ? `'{}'::text[]` : `array[${names.map(name => quoteLiteral(name)).join(', ')}]::text[]`;
}

/** The install; the caller provides the transaction. Refuses on a collision before anything is written. */
export function installReloadFunctionBody(plan: ReloadFunctionPlan): string {
	const schema = quoteIdentifier(plan.schema);
	const state = `${schema}.${reloadStateName}`;
	const fn = reloadFunctionIdentifier(plan.schema);
	const roles = plan.roles.map(role => quoteIdentifier(role)).join(', ');
	const interval = `interval '${Math.max(1, Math.round(plan.intervalSeconds))} seconds'`;
	const collisions = reloadFunctionCollisionsSql.replaceAll('$1', () => quoteLiteral(plan.schema));
	const fnLiteral = quoteLiteral(`${fn}()`);
	// The install's refusals, as RAISE needs them: one literal each (named here so the script's lines stay short).
	const anonymousMayExecute = quoteLiteral(
		'pgrst-doctor changed nothing: the anonymous role could execute the function: %. ' +
			'Name a role the anonymous role is not a member of.'
	);
	const othersMayExecute = quoteLiteral(
		'pgrst-doctor changed nothing: roles other than those named could still execute the function: %'
	);
	const publicMayExecute =
		'exists (select from pg_catalog.pg_proc p cross join lateral pg_catalog.aclexplode(p.proacl) a ' +
		'where p.oid = fn and a.grantee = 0)';
	const body = `
declare
  last_sent timestamptz;
  now_sent timestamptz := pg_catalog.clock_timestamp();
begin
  -- The row lock makes concurrent callers decide one after the other.
  select s.sent_at into last_sent from ${state} s for update;
  if last_sent is not null and now_sent < last_sent + ${interval} then
    return pg_catalog.json_build_object('sent', false, 'sent_at', last_sent,
      'retry_after_ms', pg_catalog.ceil(extract(epoch from (last_sent + ${interval} - now_sent)) * 1000));
  end if;
  update ${state} set sent_at = now_sent;
  perform pg_catalog.pg_notify(${channelLiteral(plan.channel)}, 'reload schema');
  return pg_catalog.json_build_object('sent', true, 'sent_at', now_sent);
end `;
	return `${pinPath}
${refuseCollisions(collisions, 'Rename or remove that object, or choose another schema with --function-schema.')}

-- 2. The schema, created (and marked as pgrst-doctor's) only when it does not exist.
do ${dollarQuote(`
begin
  if not exists (select from pg_catalog.pg_namespace where nspname = ${quoteLiteral(plan.schema)}) then
    create schema ${schema};
    comment on schema ${schema} is ${marker};
  end if;
end `)};

-- 3. When the last NOTIFY was sent: one row, readable by nobody but its owner.
create table if not exists ${state} (
  id boolean primary key default true check (id),
  sent_at timestamptz
);
comment on table ${state} is
  ${marker};
insert into ${state} (id) values (true) on conflict (id) do nothing;
revoke all on table ${state} from public;
do ${dollarQuote(`
declare grantee text;
begin
  for grantee in select distinct a.grantee::regrole::text
                 from pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
                 where c.oid = '${state.replaceAll("'", "''")}'::regclass and a.grantee not in (0, c.relowner) loop
    execute pg_catalog.format('revoke all on table %s from %s', '${state.replaceAll("'", "''")}', grantee);
  end loop;
end `)};

-- 4. The function: runs as its owner, search_path pinned, at most one NOTIFY per interval.
create or replace function ${fn}() returns json
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as ${dollarQuote(body)};
comment on function ${fn}() is
  ${marker};

-- 5. Only the roles named may call it: never PUBLIC, so never PostgREST's anonymous role.
revoke all on function ${fn}() from public;
grant usage on schema ${schema} to ${roles};
grant execute on function ${fn}() to ${roles};

-- 6. Default privileges (Supabase grants EXECUTE on new functions to anon and authenticated) may have given it to
-- others: every grant but the owner's and the named roles' is taken back. Then the catalog must show that no role
-- may execute it but superusers, the owner, the roles named and their members; and not anon or PostgREST's
-- anonymous role, not even as a member of a role named. Otherwise the whole install rolls back.
do ${dollarQuote(`
declare
  fn oid := ${fnLiteral}::pg_catalog.regprocedure;
  named text[] := ${textArray(plan.roles)};
  forbidden text[] := ${textArray(plan.forbidden)};
  grantee text;
  refused text;
begin
  for grantee in select distinct case when a.grantee = 0 then 'public' else pg_catalog.quote_ident(r.rolname) end
                 from pg_catalog.pg_proc p cross join lateral pg_catalog.aclexplode(p.proacl) a
                 left join pg_catalog.pg_roles r on r.oid = a.grantee
                 where p.oid = fn and a.grantee <> p.proowner and (a.grantee = 0 or r.rolname <> all (named)) loop
    execute pg_catalog.format('revoke all on function %s from %s', fn::pg_catalog.regprocedure, grantee);
  end loop;
  select pg_catalog.string_agg(pg_catalog.format('%I (a member of %s)', f.rolname,
           (select pg_catalog.string_agg(pg_catalog.quote_ident(n.rolname), ', ' order by n.rolname) from pg_catalog.pg_roles n
            where n.rolname = any (named) and pg_catalog.pg_has_role(f.oid, n.oid, 'USAGE'))), '; ' order by f.rolname)
    into refused
    from pg_catalog.pg_roles f
    where f.rolname = any (forbidden) and pg_catalog.has_function_privilege(f.oid, fn, 'EXECUTE');
  if refused is not null then
    raise exception ${anonymousMayExecute}, refused;
  end if;
  select pg_catalog.string_agg(pg_catalog.quote_ident(r.rolname), ', ' order by r.rolname) into refused
    from pg_catalog.pg_roles r, pg_catalog.pg_proc p
    where p.oid = fn and not r.rolsuper and pg_catalog.has_function_privilege(r.oid, fn, 'EXECUTE')
      and not pg_catalog.pg_has_role(r.oid, p.proowner, 'USAGE')
      and not exists (select from pg_catalog.pg_roles n where n.rolname = any (named) and pg_catalog.pg_has_role(r.oid, n.oid, 'USAGE'));
  if refused is not null or ${publicMayExecute} then
    raise exception ${othersMayExecute}, coalesce(refused, 'PUBLIC');
  end if;
end `)};
`;
}

/** Removes only what is pgrst-doctor's; the caller provides the transaction. */
export function uninstallReloadFunctionBody(schema: SqlName): string {
	const name = quoteLiteral(schema);
	return `${pinPath}
-- 1. The function, when it carries pgrst-doctor's marker.
do ${dollarQuote(`
begin
  if exists (select from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
             where n.nspname = ${name} and p.proname = '${reloadFunctionName}' and p.pronargs = 0
               and pg_catalog.obj_description(p.oid, 'pg_proc') = ${marker}) then
    execute pg_catalog.format('drop function %I.%I()', ${name}, '${reloadFunctionName}');
  end if;
end `)};

-- 2. Its state table, when it carries the marker.
do ${dollarQuote(`
begin
  if exists (select from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
             where n.nspname = ${name} and c.relname = '${reloadStateName}'
               and pg_catalog.obj_description(c.oid, 'pg_class') = ${marker}) then
    execute pg_catalog.format('drop table %I.%I', ${name}, '${reloadStateName}');
  end if;
end `)};

-- 3. The schema, if pgrst-doctor created it and nothing else was put there (no CASCADE).
do ${dollarQuote(`
begin
  if exists (select from pg_catalog.pg_namespace n where n.nspname = ${name}
             and pg_catalog.obj_description(n.oid, 'pg_namespace') = ${marker}) then
    execute pg_catalog.format('drop schema %I', ${name});
  end if;
exception when dependent_objects_still_exist then
  raise notice 'schema % kept: it holds objects of others', ${name};
end `)};
`;
}

function transaction(heading: string, body: string): string {
	return `${heading}\nbegin;\n${body}commit;\n`;
}

export function installReloadFunctionSql(plan: ReloadFunctionPlan): string {
	return transaction(
		`-- pgrst-doctor: a function apps may call through PostgREST to ask for a reload
-- (${reloadFunctionIdentifier(plan.schema)}(), executable by ${plan.roles.map(role => quoteIdentifier(role)).join(', ')};
-- at most one NOTIFY per ${plan.intervalSeconds} s). PostgREST serves it only if you add the schema to db-schemas.`,
		installReloadFunctionBody(plan)
	);
}

export function uninstallReloadFunctionSql(schema: SqlName): string {
	return transaction(
		`-- pgrst-doctor: remove exactly what "pgrst-doctor sql reload-function" installed, nothing else.`,
		uninstallReloadFunctionBody(schema)
	);
}
