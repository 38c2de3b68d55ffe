// A failure's next step says where the value it names came from, when no flag gave it: the user edits that file.
// Against addresses where nothing listens (two free ports), through the built CLI.
import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {runCli} from './support/cli.js';
import {freePort} from './support/stack.js';

test('values from supabase/config.toml that nothing answers: the steps name the file and ask whether supabase start runs', async () => {
	const directory = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-steps-'));
	mkdirSync(path.join(directory, 'supabase'));
	writeFileSync(
		path.join(directory, 'supabase', 'config.toml'),
		'project_id = "demo"\n[api]\nport = 54321\n[db]\nport = 54322\n'
	);
	const {code, json} = await runCli(['check', '--json', '--timeout', '2'], {}, undefined, undefined, directory);
	assert.equal(code, 2);
	const suggestion = (code: string) =>
		json.findings.find((found: {code: string}) => found.code === code)?.suggestion ?? '';
	for (const [code, what, from] of [
		['db.unreachable', 'database URL', 'supabase/config.toml ([db] port)'],
		['api.unreachable', 'PostgREST URL', 'supabase/config.toml ([api] port + /rest/v1)'],
	]) {
		assert.ok(suggestion(code!).includes(`This run's ${what} came from ${from}.`), suggestion(code!));
		assert.match(suggestion(code!), /Is the local stack running\? supabase start starts it/);
	}
});

test("a value from a flag keeps the flag's own step, with no source added", async () => {
	const port = await freePort();
	const {json} = await runCli([
		'check',
		'--json',
		'--timeout',
		'2',
		'--db-url',
		`postgresql://u:p@127.0.0.1:${port}/db`,
		'--api-url',
		`http://127.0.0.1:${port}`,
	]);
	for (const found of json.findings as Array<{suggestion?: string}>)
		assert.doesNotMatch(found.suggestion ?? '', /came from|supabase start/);
});
