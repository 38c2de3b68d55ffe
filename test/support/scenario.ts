// One broken-or-healthy setup per test: its own database with a small app schema and its own PostgREST.
import {type Postgres, type Postgrest, type PostgrestOptions, authenticatorPassword, startPostgrest} from './stack.js';

export const appSchema = `
	create table public.organizations (id int primary key, name text not null);
	create table public.members (id int primary key, organization_id int references public.organizations (id), email text);
	create view public.organization_names as select id, name from public.organizations;
	create function public.member_count(organization int) returns bigint language sql stable
		as 'select count(*) from public.members where organization_id = organization';
	grant select, insert, update, delete on public.organizations, public.members, public.organization_names to anon;
	grant execute on function public.member_count(int) to anon;
`;

export type Scenario = {
	name: string;
	dbUrl: string;
	api: Postgrest;
	query(sql: string, parameters?: unknown[]): Promise<Array<Record<string, unknown>>>;
	stop(): Promise<void>;
};

let counter = 0;

export async function scenario(
	pg: Postgres,
	setup = appSchema,
	options: Partial<PostgrestOptions> & {apiDatabase?: string} = {}
): Promise<Scenario> {
	const name = `scenario_${process.pid}_${++counter}`;
	await pg.createDatabase(name);
	await pg.query(setup, [], name);
	const api = await startPostgrest({
		dbUri: pg.url(options.apiDatabase ?? name, 'authenticator', authenticatorPassword),
		...options,
	});
	return {
		name,
		dbUrl: pg.url(name),
		api,
		query: async (sql, parameters) => pg.query(sql, parameters, name),
		stop: async () => api.stop(),
	};
}

/** The trigger pair from PostgREST's docs ("Automatic Schema Cache Reloading"), in a schema PostgREST does not expose. */
export const docsTriggers = `
	create schema doctor_test_watch;
	create function doctor_test_watch.pgrst_ddl_watch() returns event_trigger language plpgsql as $$
	declare cmd record;
	begin
	  for cmd in select * from pg_event_trigger_ddl_commands() loop
	    if cmd.command_tag in ('CREATE SCHEMA', 'ALTER SCHEMA', 'CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE',
	        'CREATE FOREIGN TABLE', 'ALTER FOREIGN TABLE', 'CREATE VIEW', 'ALTER VIEW', 'CREATE MATERIALIZED VIEW',
	        'ALTER MATERIALIZED VIEW', 'CREATE FUNCTION', 'ALTER FUNCTION', 'CREATE TRIGGER', 'CREATE TYPE', 'ALTER TYPE',
	        'CREATE RULE', 'COMMENT')
	       and cmd.schema_name is distinct from 'pg_temp' then
	      notify pgrst, 'reload schema';
	    end if;
	  end loop;
	end; $$;
	create function doctor_test_watch.pgrst_drop_watch() returns event_trigger language plpgsql as $$
	declare obj record;
	begin
	  for obj in select * from pg_event_trigger_dropped_objects() loop
	    if obj.object_type in ('schema', 'table', 'foreign table', 'view', 'materialized view', 'function', 'trigger', 'type', 'rule')
	       and obj.is_temporary is false then
	      notify pgrst, 'reload schema';
	    end if;
	  end loop;
	end; $$;
	create event trigger pgrst_ddl_watch on ddl_command_end execute procedure doctor_test_watch.pgrst_ddl_watch();
	create event trigger pgrst_drop_watch on sql_drop execute procedure doctor_test_watch.pgrst_drop_watch();
`;

/**
 * Counts side effects: a table, public.count_effect(what) that records one, and public.count_statement(), a trigger
 * function recording `label` (an SQL expression over tg_*). Both run as their owner, so a call made as any role —
 * anon through PostgREST included — is counted whatever that role may do.
 */
export function sideEffectCounter(label = `'trigger on ' || tg_table_name`): string {
	return `
	create table public.side_effects (what text);
	create function public.count_effect(what text) returns void language sql security definer
		as 'insert into public.side_effects values (what)';
	create function public.count_statement() returns trigger language plpgsql security definer
		as $$ begin perform public.count_effect(${label}); return null; end $$;`;
}
