// The auto-reload trigger pgrst-doctor installs: PostgREST's fine-grained design (ddl_command_end with its
// command-tag list, plus sql_drop), in a schema of its own that PostgREST does not expose, with search_path pinned,
// ENABLE ALWAYS so session_replication_role = replica cannot silence it, and idempotent.
//
// What is pgrst-doctor's: the schema pgrst_doctor and the functions pgrst_doctor.notify_ddl() / notify_drop() when
// they carry the marker comment and a superuser owns them (a role that could redefine them must not own what every
// DDL runs), and an event trigger only when it has one of pgrst-doctor's names AND runs one of those functions.
// Anything else with those names is someone else's: installing refuses, uninstalling leaves it alone.
import {type Channel, channelIdentifier, channelLiteral} from './channel.js';
import {dollarQuote} from './dollarQuote.js';
import {quoteLiteral} from './quoteLiteral.js';
import {reloadSql} from './reloadSql.js';

export const doctorSchema = 'pgrst_doctor';
export const doctorTriggers = ['pgrst_doctor_ddl_watch', 'pgrst_doctor_drop_watch'] as const;
export const doctorMarker = 'Installed by pgrst-doctor; remove with: pgrst-doctor sql uninstall';

const marker = quoteLiteral(doctorMarker);

/** A string as a SQL literal (the name the explain advice imports). */
export const literal = quoteLiteral;

// pgrst-doctor's schema (oid), by the rule above.
const ourSchema = `
    select n.oid from pg_catalog.pg_namespace n join pg_catalog.pg_roles o on o.oid = n.nspowner
    where n.nspname = '${doctorSchema}' and pg_catalog.obj_description(n.oid, 'pg_namespace') = ${marker} and o.rolsuper`;

// pgrst-doctor's functions (oid, name), by the rule above.
const ourFunctions = `
    select p.oid, p.proname from pg_catalog.pg_proc p
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    join pg_catalog.pg_roles o on o.oid = p.proowner
    where n.nspname = '${doctorSchema}' and p.proname in ('notify_ddl', 'notify_drop') and p.pronargs = 0
      and pg_catalog.obj_description(p.oid, 'pg_proc') = ${marker} and o.rolsuper`;

// pgrst-doctor's event triggers: its names, running its functions (ddl watch → notify_ddl, drop watch → notify_drop).
const ourTriggers = `
    select e.oid, e.evtname from pg_catalog.pg_event_trigger e
    join (${ourFunctions}) f on f.oid = e.evtfoid
    where (e.evtname, f.proname) in (('${doctorTriggers[0]}', 'notify_ddl'), ('${doctorTriggers[1]}', 'notify_drop'))`;

/** One row per object that has one of pgrst-doctor's names but is not pgrst-doctor's, saying whose it looks like. */
export const collisionsSql = `
select pg_catalog.format('schema %I exists and was not created by pgrst-doctor', n.nspname) as reason
from pg_catalog.pg_namespace n
where n.nspname = '${doctorSchema}' and n.oid not in (select oid from (${ourSchema}) s)
union all
select pg_catalog.format('function %I.%I() exists and was not created by pgrst-doctor', n.nspname, p.proname)
from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
where n.nspname = '${doctorSchema}' and p.proname in ('notify_ddl', 'notify_drop') and p.pronargs = 0
  and p.oid not in (select oid from (${ourFunctions}) f)
union all
select pg_catalog.format('event trigger %I exists and runs %s, which is not pgrst-doctor''s', e.evtname, e.evtfoid::pg_catalog.regprocedure)
from pg_catalog.pg_event_trigger e
where e.evtname in ('${doctorTriggers[0]}', '${doctorTriggers[1]}') and e.oid not in (select oid from (${ourTriggers}) t)`;

/** Which of pgrst-doctor's objects exist (as its own): one row with the count of each kind (1, 2, 2 when installed). */
export const installedSql = `
select (select pg_catalog.count(*) from (${ourSchema}) s)::int as schemas,
       (select pg_catalog.count(*) from (${ourFunctions}) f)::int as functions,
       (select pg_catalog.count(*) from (${ourTriggers}) t)::int as triggers`;

export type Installed = {schemas: number; functions: number; triggers: number};

// Pasted into psql the script runs with the user's search_path; pinning it here protects that run like the
// doctor's own sessions (operators and casts included, which are not schema-qualified below).
const pinPath = 'set local search_path to pg_catalog, pg_temp;';

/** The install: refuses on a collision before it writes anything; the caller provides the transaction. */
/**
 * Step 1 of an install script: refuse, before anything is written, when a name is taken by an object pgrst-doctor did
 * not create. `collisions` is a query of (reason) rows; `hint` is our own text.
 */
export function refuseCollisions(collisions: string, hint: string): string {
	return `-- 1. Refuse, before anything is written, when one of the names is taken
--    by an object pgrst-doctor did not create.
do ${dollarQuote(`
declare collision text;
begin
  select c.reason into collision from (${collisions}
  ) c limit 1;
  if collision is not null then
    raise exception 'pgrst-doctor changed nothing: %', collision
      using hint = ${quoteLiteral(hint)};
  end if;
end `)};`;
}

export function installTriggerBody(channel: Channel): string {
	const notify = `perform pg_catalog.pg_notify(${channelLiteral(channel)}, 'reload schema');`;
	const ddlBody = `
begin
  if exists (
    select from pg_catalog.pg_event_trigger_ddl_commands() as cmd
    where cmd.command_tag in ('CREATE SCHEMA', 'ALTER SCHEMA',
      'CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE',
      'CREATE FOREIGN TABLE', 'ALTER FOREIGN TABLE',
      'CREATE VIEW', 'ALTER VIEW',
      'CREATE MATERIALIZED VIEW', 'ALTER MATERIALIZED VIEW',
      'CREATE FUNCTION', 'ALTER FUNCTION', 'CREATE TRIGGER',
      'CREATE TYPE', 'ALTER TYPE', 'CREATE RULE', 'COMMENT',
      'CREATE DOMAIN', 'ALTER DOMAIN')
      and cmd.schema_name is distinct from 'pg_temp'
  ) then
    ${notify}
  end if;
end `;
	const dropBody = `
begin
  if exists (
    select from pg_catalog.pg_event_trigger_dropped_objects() as obj
    where obj.object_type in ('schema', 'table', 'foreign table', 'view',
      'materialized view', 'function', 'trigger', 'type', 'rule', 'domain')
      and obj.is_temporary is false
  ) then
    ${notify}
  end if;
end `;
	return `${pinPath}
${refuseCollisions(collisionsSql, 'Rename or remove that object, or keep your own trigger and run pgrst-doctor wait after migrations.')}

-- 2. A schema of its own, which PostgREST does not expose,
--    so the functions never appear as /rpc/ endpoints.
create schema if not exists ${doctorSchema};
comment on schema ${doctorSchema} is
  ${marker};

-- 3. After CREATE/ALTER of anything PostgREST caches
--    (PostgREST docs' tag list), notify its channel.
create or replace function ${doctorSchema}.notify_ddl() returns event_trigger
language plpgsql set search_path = '' as ${dollarQuote(ddlBody)};

-- 4. After DROP of anything PostgREST caches, notify too
--    (ddl_command_end does not list dropped objects).
create or replace function ${doctorSchema}.notify_drop() returns event_trigger
language plpgsql set search_path = '' as ${dollarQuote(dropBody)};
comment on function ${doctorSchema}.notify_ddl() is
  ${marker};
comment on function ${doctorSchema}.notify_drop() is
  ${marker};

-- 5. The event triggers, created once, and ENABLE ALWAYS so that
--    session_replication_role = replica cannot bypass them
--    (step 1 made sure that triggers with these names are ours).
do ${dollarQuote(`
begin
  if not exists (select from pg_catalog.pg_event_trigger
                 where evtname = '${doctorTriggers[0]}') then
    create event trigger ${doctorTriggers[0]} on ddl_command_end
      execute procedure ${doctorSchema}.notify_ddl();
  end if;
  if not exists (select from pg_catalog.pg_event_trigger
                 where evtname = '${doctorTriggers[1]}') then
    create event trigger ${doctorTriggers[1]} on sql_drop
      execute procedure ${doctorSchema}.notify_drop();
  end if;
end `)};
alter event trigger ${doctorTriggers[0]} enable always;
alter event trigger ${doctorTriggers[1]} enable always;
`;
}

/** Removes only what is pgrst-doctor's; the caller provides the transaction. */
export function uninstallTriggerBody(): string {
	return `${pinPath}
-- 1. The event triggers that have its names and run its functions.
do ${dollarQuote(`
declare trigger_name name;
begin
  for trigger_name in select t.evtname from (${ourTriggers}
  ) t loop
    execute pg_catalog.format('drop event trigger %I', trigger_name);
  end loop;
end `)};

-- 2. Its functions (only those that carry its marker).
do ${dollarQuote(`
declare function_name name;
begin
  for function_name in select f.proname from (${ourFunctions}
  ) f loop
    execute pg_catalog.format('drop function %I.%I()', '${doctorSchema}', function_name);
  end loop;
end `)};

-- 3. Its schema, if it is its own and nothing else was put there
--    (no CASCADE).
do ${dollarQuote(`
begin
  if exists (${ourSchema}
  ) then
    drop schema ${doctorSchema};
  end if;
exception when dependent_objects_still_exist then
  raise notice 'schema ${doctorSchema} kept: it holds objects of others';
end `)};
`;
}

/** A script to paste: one transaction, so a refusal or an error leaves nothing half-done. */
function transaction(heading: string, body: string): string {
	return `${heading}\nbegin;\n${body}commit;\n`;
}

export function installTriggerSql(channel: Channel): string {
	return transaction(
		`-- pgrst-doctor: make PostgREST reload its schema cache after every DDL
-- (channel ${channelIdentifier(channel)}).`,
		installTriggerBody(channel)
	);
}

export function uninstallTriggerSql(): string {
	return transaction(
		`-- pgrst-doctor: remove exactly what "pgrst-doctor sql trigger" installed,
-- nothing else.`,
		uninstallTriggerBody()
	);
}

export function reloadScript(channel: Channel): string {
	return `-- pgrst-doctor: make PostgREST reload its schema cache now
-- (delivered when this transaction commits).
${reloadSql(channel)}
`;
}
