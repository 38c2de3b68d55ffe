// Issue 13: `pgrst-doctor` with no flags in a Supabase app's folder diagnoses without asking, through the
// Supabase-shaped bed (TLS, postgres not a superuser, a gateway that checks apikey): its .env.local holds the project
// URL, the anon and service-role keys and the database URL, as a Next.js app's does.
import assert from 'node:assert/strict';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {findingRows, runCli} from './support/cli.js';
import {bedSecrets, keys, useSupabaseBed} from './support/supabaseStack.js';

const bed = useSupabaseBed();

test('a Next.js app folder: the project URL means /rest/v1, the service-role key is used, each value says where it came from; stale, healed, healthy', async () => {
	const project = await bed.project();
	const folder = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-nextjs-'));
	writeFileSync(
		path.join(folder, '.env.local'),
		[
			`NEXT_PUBLIC_SUPABASE_URL=${project.restUrl.replace(/\/rest\/v1$/, '')}`,
			`NEXT_PUBLIC_SUPABASE_ANON_KEY=${keys.anon}`,
			`SUPABASE_SERVICE_ROLE_KEY=${keys.serviceRole}`,
			`DATABASE_URL=${project.dbUrl}`,
			'',
		].join('\n')
	);
	const doctor = async (...args: string[]) => {
		const run = await runCli(args, {}, undefined, undefined, folder);
		for (const secret of bedSecrets)
			assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), 'a secret of the bed leaked');
		return run;
	};
	const healthy = await doctor('--json');
	const from = Object.fromEntries(
		healthy.json.settings.map((row: {name: string; value: string; from: string}) => [
			row.name,
			`${row.value} | ${row.from}`,
		])
	);
	assert.equal(from['api-url'], `${project.restUrl} | .env.local (NEXT_PUBLIC_SUPABASE_URL + /rest/v1)`);
	assert.equal(from['api-key'], 'service_role key (JWT) | .env.local (SUPABASE_SERVICE_ROLE_KEY)');
	assert.match(from['db-url'], /^postgres@.* \| \.env\.local \(DATABASE_URL\)$/);
	assert.equal(healthy.code, 0, findingRows(healthy.json).join(', '));

	await project.asAdmin('set session_replication_role = replica; alter table public.todos add column due date');
	const stale = await doctor('--json');
	assert.ok(findingRows(stale.json).includes('cache.column_missing public todos due'));
	assert.equal(stale.code, 1);
	const healed = await doctor('check', '--json', '--fix', 'reload', '--yes');
	assert.equal(healed.json.fixesApplied[0].verified, true);
	assert.equal(healed.code, 0);
	const plain = await doctor('check');
	assert.match(plain.stdout, /api-url +\S+\/rest\/v1 +from \.env\.local \(NEXT_PUBLIC_SUPABASE_URL \+ \/rest\/v1\)/);
});
