// A Supabase-shaped test bed, all real parts: PostgreSQL 18 with TLS on (a certificate from the test's own CA) and
// Supabase's roles — supabase_admin the superuser, postgres demoted as on Supabase, authenticator, anon,
// authenticated, service_role —, the built-in pgrst_ddl_watch / pgrst_drop_watch event triggers owned by
// supabase_admin, PostgREST 12.0.2 connecting as authenticator with sslmode=require and a JWT secret, keys signed
// for anon and service_role (plus sb_publishable_ / sb_secret_ keys), and a gateway serving it under /rest/v1.
// One PostgreSQL per test file (useSupabaseBed); each project gets its own database, PostgREST and gateway.
import {createHmac, randomBytes} from 'node:crypto';
import {after, before} from 'node:test';
import pg from 'pg';
import {type Gateway, type GatewayKey, startGateway} from './supabaseGateway.js';
import {
	type Postgres,
	type Postgrest,
	type PostgrestOptions,
	authenticatorPassword,
	startOnFreePort,
	startPostgres,
	startPostgrest,
	superPassword,
} from './stack.js';

/** 20 lowercase letters, as Supabase's project refs are. */
export const projectRef = 'bedprojectrefabcdefg';
const jwtSecret = 'supabase-bed-jwt-secret-with-at-least-32-characters';

/** HS256 as Supabase signs its legacy keys: iss, ref and role claims, ten years long. */
export function signJwt(claims: Record<string, unknown>, secret = jwtSecret): string {
	const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
	const body = `${encode({alg: 'HS256', typ: 'JWT'})}.${encode(claims)}`;
	return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

const issuedAt = Math.floor(Date.now() / 1000);
const legacyKey = (role: 'anon' | 'service_role') =>
	signJwt({iss: 'supabase', ref: projectRef, role, iat: issuedAt, exp: issuedAt + 10 * 365 * 24 * 3600});

export type SupabaseKeys = {anon: string; serviceRole: string; publishable: string; secret: string};

export const keys: SupabaseKeys = {
	anon: legacyKey('anon'),
	serviceRole: legacyKey('service_role'),
	publishable: `sb_publishable_${randomBytes(16).toString('base64url')}`,
	secret: `sb_secret_${randomBytes(16).toString('base64url')}`,
};

/** What no output of the doctor may ever contain: every password, key and the JWT secret of the bed. */
export const bedSecrets = [
	superPassword,
	encodeURIComponent(superPassword),
	authenticatorPassword,
	jwtSecret,
	...Object.values(keys),
];

/**
 * Supabase's roles (cluster-wide, made once): postgres as Supabase demoted it (NOSUPERUSER CREATEDB CREATEROLE LOGIN
 * REPLICATION BYPASSRLS, pg_read_all_data, pg_monitor), and the API roles PostgREST switches to. stack.ts already
 * made authenticator (LOGIN NOINHERIT), anon and authenticated.
 */
const rolesSql = `
	alter role anon noinherit;
	alter role authenticated noinherit;
	create role service_role nologin noinherit bypassrls;
	grant service_role to authenticator;
	create role postgres nosuperuser createdb createrole login replication bypassrls password '${superPassword}';
	grant anon, authenticated, service_role to postgres;
	grant pg_read_all_data, pg_monitor to postgres;
`;

/**
 * What every Supabase database has, run as supabase_admin: the extensions schema with the reload triggers (bodies of
 * supabase/postgres migration 20220321174452, owned by supabase_admin), graphql_public, and public's grants and
 * default privileges for tables postgres creates.
 */
const projectSql = `
	create schema extensions;
	grant usage on schema extensions to postgres, anon, authenticated, service_role;
	create function extensions.pgrst_ddl_watch() returns event_trigger language plpgsql as $$
	declare
	  cmd record;
	begin
	  for cmd in select * from pg_event_trigger_ddl_commands()
	  loop
	    if cmd.command_tag in (
	      'CREATE SCHEMA', 'ALTER SCHEMA'
	    , 'CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE'
	    , 'CREATE FOREIGN TABLE', 'ALTER FOREIGN TABLE'
	    , 'CREATE VIEW', 'ALTER VIEW'
	    , 'CREATE MATERIALIZED VIEW', 'ALTER MATERIALIZED VIEW'
	    , 'CREATE FUNCTION', 'ALTER FUNCTION'
	    , 'CREATE TRIGGER'
	    , 'CREATE TYPE', 'ALTER TYPE'
	    , 'CREATE RULE'
	    , 'COMMENT'
	    )
	    -- don't notify in case of CREATE TEMP table or other objects created on pg_temp
	    and cmd.schema_name is distinct from 'pg_temp'
	    then
	      notify pgrst, 'reload schema';
	    end if;
	  end loop;
	end; $$;
	create function extensions.pgrst_drop_watch() returns event_trigger language plpgsql as $$
	declare
	  obj record;
	begin
	  for obj in select * from pg_event_trigger_dropped_objects()
	  loop
	    if obj.object_type in (
	      'schema'
	    , 'table'
	    , 'foreign table'
	    , 'view'
	    , 'materialized view'
	    , 'function'
	    , 'trigger'
	    , 'type'
	    , 'rule'
	    )
	    and obj.is_temporary is false -- no pg_temp objects
	    then
	      notify pgrst, 'reload schema';
	    end if;
	  end loop;
	end; $$;
	create event trigger pgrst_ddl_watch on ddl_command_end execute procedure extensions.pgrst_ddl_watch();
	create event trigger pgrst_drop_watch on sql_drop execute procedure extensions.pgrst_drop_watch();
	create schema graphql_public;
	grant usage on schema graphql_public to anon, authenticated, service_role;
	grant all on schema public to postgres;
	grant usage on schema public to anon, authenticated, service_role;
	alter default privileges for role postgres in schema public grant all on tables to anon, authenticated, service_role;
	alter default privileges for role postgres in schema public grant all on functions to anon, authenticated, service_role;
	alter default privileges for role postgres in schema public grant all on sequences to anon, authenticated, service_role;
`;

/** A user's app, created by postgres as the dashboard or a migration would: the default privileges expose it. */
export const supabaseApp = `
	create table public.todos (id bigint generated by default as identity primary key, task text not null, done
		boolean not null default false);
	create table public.profiles (id bigint primary key, username text);
	create function public.open_todos() returns bigint language sql stable as 'select count(*) from public.todos where not done';
`;

export type SupabaseProject = {
	/** The project's database (every project of a bed has its own). */
	database: string;
	/** The database as a Supabase user connects: as postgres, with sslmode=require. */
	dbUrl: string;
	/** /rest/v1 on the gateway. */
	restUrl: string;
	postgrest: Postgrest;
	gateway: Gateway;
	/** SQL as supabase_admin, the superuser Supabase keeps for itself. */
	asAdmin(sql: string): Promise<Array<Record<string, unknown>>>;
	/** SQL as postgres, the role a Supabase user has (dashboard, migrations). */
	asPostgres(sql: string): Promise<Array<Record<string, unknown>>>;
	/**
	 * A fresh PostgREST (same gateway): reads the schema cache again, as Supabase's "Restart project" does; options
	 * change its configuration.
	 */
	restartPostgrest(options?: Partial<PostgrestOptions>): Promise<void>;
	stop(): Promise<void>;
};

export type SupabaseBed = {
	readonly pg: Postgres;
	/** A new project: its database set up as Supabase's, the app created by postgres, PostgREST and the gateway started. */
	project(app?: string): Promise<SupabaseProject>;
	/** Grants or revokes pg_monitor from postgres (Supabase grants it; without it other roles' queries are hidden). */
	monitor(granted: boolean): Promise<void>;
};

let counter = 0;

async function runAs(connectionString: string, sql: string): Promise<Array<Record<string, unknown>>> {
	const client = new pg.Client({connectionString});
	await client.connect();
	try {
		const result = await client.query(sql);
		return (Array.isArray(result) ? result.at(-1)! : result).rows;
	} finally {
		await client.end();
	}
}

async function startProject(server: Postgres, app: string): Promise<SupabaseProject> {
	const database = `project_${process.pid}_${++counter}`;
	await server.createDatabase(database);
	const adminUrl = server.url(database);
	const postgresUrl = server.url(database, 'postgres');
	// Supabase's postgres may create schemas in its database (the dashboard does), so a fix fails where Supabase's would.
	await runAs(adminUrl, `${projectSql}; grant create, temporary on database ${database} to postgres`);
	await runAs(postgresUrl, app);
	const start = async (options: Partial<PostgrestOptions> = {}) =>
		startPostgrest({
			dbUri: `${server.url(database, 'authenticator', authenticatorPassword)}?sslmode=require`,
			schemas: 'public,graphql_public',
			jwtSecret,
			anonRole: 'anon',
			...options,
		});
	let postgrest = await start();
	const mapped = new Map<string, GatewayKey>([
		[keys.anon, {role: 'anon', jwt: keys.anon}],
		[keys.publishable, {role: 'anon', jwt: keys.anon}],
		[keys.serviceRole, {role: 'service_role', jwt: keys.serviceRole}],
		[keys.secret, {role: 'service_role', jwt: keys.serviceRole}],
	]);
	const gateway = await startOnFreePort(async port => startGateway(() => postgrest.url, mapped, port));
	return {
		database,
		dbUrl: `${postgresUrl}?sslmode=require`,
		restUrl: gateway.restUrl,
		get postgrest() {
			return postgrest;
		},
		gateway,
		asAdmin: async sql => runAs(adminUrl, sql),
		asPostgres: async sql => runAs(postgresUrl, sql),
		async restartPostgrest(options) {
			await postgrest.stop();
			postgrest = await start(options);
		},
		async stop() {
			await gateway.stop();
			await postgrest.stop();
		},
	};
}

/** The bed for one test file: PostgreSQL started before its tests and everything stopped after them. */
export function useSupabaseBed(): SupabaseBed {
	let server: Postgres | undefined;
	const projects: SupabaseProject[] = [];
	before(async () => {
		server = await startPostgres({
			superuser: 'supabase_admin',
			tls: {},
			captureLog: true,
			postgresFlags: ['-c', 'log_connections=on'],
		});
		await server.query(rolesSql);
	});
	after(async () => {
		await Promise.all(projects.map(async project => project.stop()));
		await server?.stop();
	});
	return {
		get pg() {
			return server!;
		},
		async project(app = supabaseApp) {
			const project = await startProject(server!, app);
			projects.push(project);
			return project;
		},
		async monitor(granted) {
			await server!.query(granted ? 'grant pg_monitor to postgres' : 'revoke pg_monitor from postgres');
		},
	};
}
