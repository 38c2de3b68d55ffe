import assert from 'node:assert/strict';
import {test} from 'node:test';
import {manualReloadSteps} from '../source/fixes/manualReload.js';
import {supabaseProjectRef} from '../source/settings/supabaseShape.js';
import {parseChannel} from '../source/sql/channel.js';

const ref = 'abcdefghijklmnopqrst';

test('finds the Supabase project ref in API hosts, direct hosts and pooler users', () => {
	assert.equal(supabaseProjectRef(`https://${ref}.supabase.co/rest/v1`), ref);
	assert.equal(supabaseProjectRef(undefined, `postgresql://postgres:pw@db.${ref}.supabase.co:5432/postgres`), ref);
	assert.equal(
		supabaseProjectRef(
			undefined,
			`postgresql://postgres.${ref}:pw@aws-1-eu-west-1.pooler.supabase.com:6543/postgres`
		),
		ref
	);
	assert.equal(supabaseProjectRef('http://localhost:3000', 'postgresql://app@db:5432/app'), undefined);
});

test('Supabase gets the SQL Editor deep link with the reload prefilled and the restart path, never a button', () => {
	const steps = manualReloadSteps(parseChannel('pgrst'), `https://${ref}.supabase.co/rest/v1`);
	assert.ok(
		steps[0]!.includes(
			`https://supabase.com/dashboard/project/${ref}/sql/new?content=${encodeURIComponent("NOTIFY pgrst, 'reload schema';")}`
		)
	);
	assert.match(steps.join('\n'), /Settings → General → Restart project/);
	assert.doesNotMatch(steps.join('\n'), /button/i);
});

test('self-hosted gets the NOTIFY and SIGUSR1 forms, and SIGHUP only as a warning', () => {
	const text = manualReloadSteps(parseChannel('Odd Chan'), 'http://localhost:3000').join('\n');
	assert.match(text, /NOTIFY "Odd Chan", 'reload schema';/);
	assert.match(text, /docker kill -s SIGUSR1 <container>/);
	assert.match(text, /systemctl kill -s SIGUSR1 postgrest/);
	assert.match(text, /kill -USR1 <pid>/);
	assert.match(text, /SIGHUP does not reload/);
});

test("supabase start gets its local database, Studio and the rest container, with the channel's own NOTIFY", () => {
	for (const [apiUrl, databaseUrl] of [
		['http://127.0.0.1:54321/rest/v1', undefined],
		[undefined, 'postgresql://postgres:pw@localhost:54322/postgres'],
	]) {
		const text = manualReloadSteps(parseChannel('Odd Chan'), apiUrl, databaseUrl).join('\n');
		assert.match(
			text,
			/psql -h 127\.0\.0\.1 -p 54322 -U postgres postgres\) or in Studio's SQL Editor \(http:\/\/127\.0\.0\.1:54323\): NOTIFY "Odd Chan", 'reload schema';/
		);
		assert.match(text, /docker kill -s SIGUSR1 supabase_rest_<project_id>/);
		assert.doesNotMatch(text, /supabase\.com\/dashboard/);
	}
	assert.doesNotMatch(
		manualReloadSteps(parseChannel('pgrst'), 'http://127.0.0.1:3000', 'postgresql://app@localhost:5432/app').join(
			'\n'
		),
		/supabase_rest/
	);
});
