// The auto-reload trigger pgrst-doctor installs: PostgREST's fine-grained design (ddl_command_end with its
// command-tag list, plus sql_drop), in a schema of its own that PostgREST does not expose, with search_path pinned,
// ENABLE ALWAYS so session_replication_role = replica cannot silence it, and idempotent.
import {reloadSql} from './reloadSql.js';

export const doctorSchema = 'pgrst_doctor';
export const doctorTriggers = ['pgrst_doctor_ddl_watch', 'pgrst_doctor_drop_watch'] as const;
export const doctorMarker = 'Installed by pgrst-doctor; remove with: pgrst-doctor sql uninstall';

/** A string as a SQL literal. */
export function literal(text: string): string {
	return `'${text.replaceAll("'", "''")}'`;
}

export function installTriggerSql(channel: string): string {
	const notify = `perform pg_catalog.pg_notify(${literal(channel)}, 'reload schema');`;
	return `-- pgrst-doctor: make PostgREST reload its schema cache after every DDL
-- (channel ${literal(channel)}).
-- 1. A schema of its own, which PostgREST does not expose,
--    so the functions never appear as /rpc/ endpoints.
create schema if not exists ${doctorSchema};
comment on schema ${doctorSchema} is
  ${literal(doctorMarker)};

-- 2. After CREATE/ALTER of anything PostgREST caches
--    (PostgREST docs' tag list), notify its channel.
create or replace function ${doctorSchema}.notify_ddl() returns event_trigger
language plpgsql set search_path = '' as $pgrst_doctor$
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
end $pgrst_doctor$;

-- 3. After DROP of anything PostgREST caches, notify too
--    (ddl_command_end does not list dropped objects).
create or replace function ${doctorSchema}.notify_drop() returns event_trigger
language plpgsql set search_path = '' as $pgrst_doctor$
begin
  if exists (
    select from pg_catalog.pg_event_trigger_dropped_objects() as obj
    where obj.object_type in ('schema', 'table', 'foreign table', 'view',
      'materialized view', 'function', 'trigger', 'type', 'rule', 'domain')
      and obj.is_temporary is false
  ) then
    ${notify}
  end if;
end $pgrst_doctor$;
comment on function ${doctorSchema}.notify_ddl() is
  ${literal(doctorMarker)};
comment on function ${doctorSchema}.notify_drop() is
  ${literal(doctorMarker)};

-- 4. The event triggers, created once, and ENABLE ALWAYS so that
--    session_replication_role = replica cannot bypass them.
do $pgrst_doctor$
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
end $pgrst_doctor$;
alter event trigger ${doctorTriggers[0]} enable always;
alter event trigger ${doctorTriggers[1]} enable always;
`;
}

export function uninstallTriggerSql(): string {
	return `-- pgrst-doctor: remove exactly what "pgrst-doctor sql trigger" installed,
-- nothing else.
-- 1. The event triggers, only where they run pgrst-doctor's functions.
do $pgrst_doctor$
declare trigger_name name;
begin
  for trigger_name in
    select e.evtname from pg_catalog.pg_event_trigger e
    join pg_catalog.pg_proc p on p.oid = e.evtfoid
    join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    where n.nspname = '${doctorSchema}'
      and p.proname in ('notify_ddl', 'notify_drop')
  loop
    execute format('drop event trigger %I', trigger_name);
  end loop;
end $pgrst_doctor$;

-- 2. Its functions.
drop function if exists ${doctorSchema}.notify_ddl();
drop function if exists ${doctorSchema}.notify_drop();

-- 3. Its schema, unless something else was put there (no CASCADE).
do $pgrst_doctor$
begin
  drop schema if exists ${doctorSchema};
exception when dependent_objects_still_exist then
  raise notice 'schema ${doctorSchema} kept: it holds objects of others';
end $pgrst_doctor$;
`;
}

export function reloadScript(channel: string): string {
	return `-- pgrst-doctor: make PostgREST reload its schema cache now
-- (delivered when this transaction commits).
${reloadSql(channel)}
`;
}
