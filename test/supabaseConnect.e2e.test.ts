// Issue 13 point 4, the interactive side: bare pgrst-doctor in a real terminal (tmux), in a folder with nothing to
// discover, a Supabase user types the project's database URL (postgres, sslmode=require), its /rest/v1 URL and the
// secret key into the connect screen, and diagnoses, heals and leaves through the Supabase-shaped bed.
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {cliPath} from './support/cli.js';
import {bedSecrets, keys, useSupabaseBed} from './support/supabaseStack.js';
import {tmuxWindow} from './support/tmuxWindow.js';

const bed = useSupabaseBed();

test('the connect screen through the bed: typed URLs and secret key diagnose a stale column as postgres over TLS, r heals it, q exits 0, no secret on screen', async t => {
	const project = await bed.project();
	await project.asAdmin('set session_replication_role = replica; alter table public.todos add column due date');
	const folder = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-empty-'));
	t.after(() => rmSync(folder, {recursive: true, force: true}));
	const window = tmuxWindow(
		`cd '${folder}' && '${process.execPath}' '${cliPath}'`,
		{columns: 100, rows: 40},
		{DATABASE_URL: '', PGRST_DOCTOR_API_KEY: ''}
	);
	try {
		await window.until('› Database URL');
		window.keys('-l', project.dbUrl);
		window.keys('Enter');
		await window.until('› PostgREST URL');
		window.keys('-l', project.restUrl);
		window.keys('Enter');
		await window.until('› API key');
		window.keys('-l', keys.secret);
		window.keys('Enter');
		await window.until('What next?', 30_000);
		const report = window.screen();
		assert.match(
			report,
			new RegExp(`postgres@127\\.0\\.0\\.1:${bed.pg.port}/${project.database}`),
			'connected as postgres, password not shown'
		);
		assert.match(report, /public\.todos\.due is in the database but not in/);
		assert.match(
			report,
			/pgrst_ddl_watch \(ddl_command_end\), pgrst_drop_watch \(sql_drop\)/,
			"Supabase's triggers recognised"
		);
		assert.ok(
			project.gateway.requests.some(request => request.path === '/rest/v1/' && request.status === 200),
			'the key reached the gateway and opened the OpenAPI root'
		);
		window.keys('r');
		await window.until(/DONE {2}PostgREST's cache matches the database \d+ ms after/, 30_000);
		await window.until(/Before → after[^]*What next\?/);
		window.keys('q');
		await window.until('EXIT:0');
		for (const secret of bedSecrets)
			assert.ok(!window.raw().includes(secret), 'no password, key or JWT secret reached the terminal');
	} finally {
		window.close();
	}
	assert.match(
		bed.pg.logs(),
		new RegExp(
			`connection authorized: user=postgres database=${project.database} application_name=pgrst-doctor SSL enabled`
		)
	);
});
