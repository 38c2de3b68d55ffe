// The interactive doctor's screens, frame by frame, at 60, 80 and 120 columns (ink-testing-library's way, with a
// window size): a fake engine over reports recorded from PostgreSQL 18 and PostgREST 12.0.2, so that every frame
// is exact and the whole file runs in about a second. test/doctorApp.e2e.test.tsx drives the real engine.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import React from 'react';
import {type DoctorEngine, DoctorApp} from '../source/ui/DoctorApp.js';
import {fakeEngine, healthyReport, staleReport, unreachableReport} from './support/fakeEngine.js';
import {renderAt} from './support/inkFrames.js';

const widths = [60, 80, 120];

function mount(engine: DoctorEngine, columns: number, rows = 40) {
	const exits: number[] = [];
	const app = renderAt(<DoctorApp engine={engine} onExit={code => exits.push(code)} />, columns, rows);
	return {...app, exits};
}

/** Waits (bounded) until `done` holds: Ink writes what is printed above the live part, and calls onExit, after effects. */
async function eventually(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
	for (let waited = 0; !done() && waited < timeoutMs; waited += 10)
		await new Promise(resolve => setTimeout(resolve, 10));
	assert.ok(done(), what);
}

/** Whether `text` was printed whole, wherever Ink's writes begin and end (a busy Ink merges frames). */
const printedWhole = (app: {frames: string[]}, text: string) => app.frames.join('').includes(text);

/** Lines of a frame as the terminal shows them. */
const lines = (frame: string) => frame.split('\n');

const proofFrames: Record<number, string> = {
	60: `✔ DONE  PostgREST's cache matches the database 182 ms after
        NOTIFY pgrst, 'reload schema'; (proved)
✔ PASS  Columns in the cache (was FAIL)
Healed (1):
  ✔ healed public.organizations.updated_by is in the
           database but not in PostgREST's schema cache
           (cache.column_missing)
Still there (1):
  ⚠ warning No event trigger reloads PostgREST after DDL
            (none runs NOTIFY pgrst, 'reload schema';), so
            every migration leaves its cache stale until
            someone reloads it (trigger.missing)
Before → after: 2 findings (1 error) → 1 finding (0 errors)

What next?
❯ [t] Install the auto-reload trigger (asks first)
  [s] Show the SQL to copy
  [p] Probe: send NOTIFY and watch PostgREST reload
  [a] Diagnose again
  [u] Change the URLs (connect screen)
  [q] Quit
↑↓ move · enter choose · or press a key · ctrl-c cancel`,
	80: `✔ DONE  PostgREST's cache matches the database 182 ms after NOTIFY pgrst,
        'reload schema'; (proved)
✔ PASS  Columns in the cache (was FAIL)
Healed (1):
  ✔ healed public.organizations.updated_by is in the database but not in
           PostgREST's schema cache (cache.column_missing)
Still there (1):
  ⚠ warning No event trigger reloads PostgREST after DDL (none runs NOTIFY
            pgrst, 'reload schema';), so every migration leaves its cache stale
            until someone reloads it (trigger.missing)
Before → after: 2 findings (1 error) → 1 finding (0 errors)

What next?
❯ [t] Install the auto-reload trigger (asks first)
  [s] Show the SQL to copy
  [p] Probe: send NOTIFY and watch PostgREST reload
  [a] Diagnose again
  [u] Change the URLs (connect screen)
  [q] Quit
↑↓ move · enter choose · or press a key · ctrl-c cancel`,
	120: `✔ DONE  PostgREST's cache matches the database 182 ms after NOTIFY pgrst, 'reload schema'; (proved)
✔ PASS  Columns in the cache (was FAIL)
Healed (1):
  ✔ healed public.organizations.updated_by is in the database but not in PostgREST's schema cache (cache.column_missing)
Still there (1):
  ⚠ warning No event trigger reloads PostgREST after DDL (none runs NOTIFY pgrst, 'reload schema';), so every migration
            leaves its cache stale until someone reloads it (trigger.missing)
Before → after: 2 findings (1 error) → 1 finding (0 errors)

What next?
❯ [t] Install the auto-reload trigger (asks first)
  [s] Show the SQL to copy
  [p] Probe: send NOTIFY and watch PostgREST reload
  [a] Diagnose again
  [u] Change the URLs (connect screen)
  [q] Quit
↑↓ move · enter choose · or press a key · ctrl-c cancel`,
};

const connectFrames: Record<number, string> = {
	60: `
Where are your database and PostgREST?
  Supabase cloud
    postgresql://postgres.<ref>:<pw>@<pooler>:5432/postgres
    https://<ref>.supabase.co/rest/v1
  Supabase local
    postgresql://postgres:postgres@127.0.0.1:54322/postgres
    http://127.0.0.1:54321/rest/v1
  Self-hosted
    postgresql://user:password@host:5432/db
    http://localhost:3000
  <pooler>: the session pooler host under Connect in the
  Supabase dashboard

  Database URL  postgresql://app…@db.example.com:5432/app
                from DATABASE_URL
› PostgREST URL e.g. http://localhost:3000
                ✖ Enter PostgREST's URL: without it the
                  schema cache cannot be compared.
  API key       optional: enter to skip
enter next · ↑↓ move · ctrl-c cancel`,
	80: `
Where are your database and PostgREST?
  Supabase cloud  postgresql://postgres.<ref>:<pw>@<pooler>:5432/postgres
                  https://<ref>.supabase.co/rest/v1
  Supabase local  postgresql://postgres:postgres@127.0.0.1:54322/postgres
                  http://127.0.0.1:54321/rest/v1
  Self-hosted     postgresql://user:password@host:5432/db
                  http://localhost:3000
  <pooler>: the session pooler host under Connect in the Supabase dashboard

  Database URL  postgresql://app:••••@db.example.com:5432/app
                from DATABASE_URL
› PostgREST URL e.g. http://localhost:3000
                ✖ Enter PostgREST's URL: without it the schema cache cannot be
                  compared.
  API key       optional: enter to skip
enter next · ↑↓ move · ctrl-c cancel`,
	120: `
Where are your database and PostgREST?
  Supabase cloud  postgresql://postgres.<ref>:<pw>@<pooler>:5432/postgres
                  https://<ref>.supabase.co/rest/v1
  Supabase local  postgresql://postgres:postgres@127.0.0.1:54322/postgres
                  http://127.0.0.1:54321/rest/v1
  Self-hosted     postgresql://user:password@host:5432/db
                  http://localhost:3000
  <pooler>: the session pooler host under Connect in the Supabase dashboard

  Database URL  postgresql://app:••••@db.example.com:5432/app
                from DATABASE_URL
› PostgREST URL e.g. http://localhost:3000
                ✖ Enter PostgREST's URL: without it the schema cache cannot be compared.
  API key       optional: enter to skip
enter next · ↑↓ move · ctrl-c cancel`,
};
for (const columns of widths) {
	test(`after r, the record shows the action's banner and its proof finding by finding, exactly, at ${columns} columns`, async () => {
		const {engine, calls} = fakeEngine();
		const app = mount(engine, columns);
		await app.until('What next?');
		await app.press('r');
		await app.until('Before → after');
		await app.until('What next?');
		const frame = app.lastFrame();
		assert.equal(frame.slice(frame.indexOf('✔ DONE')), proofFrames[columns]);
		assert.ok(frame.includes('✖ FAIL  Columns in the cache'), 'the diagnosis before stays above the proof');
		assert.deepEqual(calls, ['diagnose', 'fix reload', 'diagnose']);
		app.unmount();
	});

	test(`the connect screen starts from DATABASE_URL, says so, and refuses an empty PostgREST URL at once, exactly, at ${columns} columns`, async () => {
		const {engine} = fakeEngine({
			connected: false,
			known: {dbUrl: {value: 'postgresql://app:secret@db.example.com:5432/app', source: 'DATABASE_URL'}},
		});
		const app = mount(engine, columns);
		await app.until('Where are');
		await app.press('\r');
		await app.until('✖');
		assert.equal(app.lastFrame(), connectFrames[columns]);
		assert.ok(!app.frames.join('').includes('secret'), 'the password is never drawn');
		app.unmount();
	});

	test(`no line is wider than ${columns} columns, a wrapped line starts under its text, and no URL is cut`, async () => {
		const {engine} = fakeEngine({apiUrl: 'https://abcdefghijklmnopqrst.supabase.co/rest/v1'});
		const app = mount(engine, columns);
		await app.until('What next?');
		for (const key of ['d', 'r']) {
			await app.press(key);
			await app.until(key === 'd' ? 'How to reload by hand' : 'Before → after');
			await app.until('What next?');
		}
		const frame = app.lastFrame();
		// A URL wider than the window is left whole for the terminal to fold (copying it still gives the whole URL).
		for (const line of lines(frame))
			assert.ok([...line].length <= columns || /^ {4}https:\/\/\S+$/.test(line), `too wide: ${line}`);
		// A continuation of a check, finding or proof line starts exactly under the text of its first line.
		const shown = lines(frame);
		for (const [index, line] of shown.entries()) {
			const mark =
				/^(?:[✔✖⚠-] (?:PASS|FAIL|WARN|SKIP|DONE) {1,2}| {2}[✔✖⚠ℹ] (?:error|warning|info|healed) )/.exec(
					line
				)?.[0];
			const next = shown[index + 1];
			if (mark && next && /^ +\S/.test(next) && !/^ {2}[✔✖⚠ℹ•[]/.test(next))
				assert.equal(
					/^ */.exec(next)![0].length,
					mark.length,
					`continuation of "${line}" is not under its text: "${next}"`
				);
		}
		// Every URL the steps hold is on a line of its own, whole.
		const urls = engine
			.manualSteps()
			.join(' ')
			.match(/https:\/\/[^\s)]+/g)!
			.map(url => url.replace(/[.,;:]+$/, ''));
		assert.equal(urls.length, 2);
		for (const url of urls) assert.ok(shown.includes(`    ${url}`), `${url} is cut`);
		app.unmount();
	});
}

test('d shows the Supabase steps only for a Supabase target; elsewhere psql and SIGUSR1', async () => {
	const supabase = mount(fakeEngine({apiUrl: 'https://abcdefghijklmnopqrst.supabase.co/rest/v1'}).engine, 80);
	await supabase.until('What next?');
	assert.ok(supabase.lastFrame().includes('[d] How to reload by hand (Supabase SQL Editor, restart)'));
	await supabase.press('d');
	await supabase.until('How to reload by hand\n');
	assert.match(
		supabase.lastFrame(),
		/Open the SQL Editor with the reload prefilled and press Run:\n {4}https:\/\/supabase\.com\/dashboard\/project\/abcdefghijklmnopqrst\/sql\/new\?content=NOTIFY%20pgrst%2C%20'reload%20schema'%3B\n/
	);
	supabase.unmount();
	const selfHosted = mount(fakeEngine().engine, 80);
	await selfHosted.until('What next?');
	assert.ok(selfHosted.lastFrame().includes('[d] How to reload by hand (psql, SIGUSR1, restart)'));
	await selfHosted.press('d');
	await selfHosted.until('How to reload by hand\n');
	assert.doesNotMatch(selfHosted.lastFrame(), /supabase\.com|Supabase/);
	assert.match(selfHosted.lastFrame(), /kill -USR1 <pid>/);
	selfHosted.unmount();
});

test('s shows the reload first when the cache is stale, 2 the trigger, and c copies the SQL shown', async () => {
	const {engine} = fakeEngine();
	const app = mount(engine, 80);
	await app.until('What next?');
	await app.press('s');
	await app.until('SQL that fits: 1 reload the cache (shown) · 2 install the trigger');
	await eventually(() => printedWhole(app, engine.sql('reload')), 'the reload SQL was printed');
	await app.press('c');
	await app.until('Copied the SQL to reload the cache');
	const copied = () =>
		app.frames
			.map(frame => /\u001B\]52;c;([A-Za-z\d+/=]*)\u0007/.exec(frame)?.[1])
			.filter(Boolean)
			.map(payload => Buffer.from(payload!, 'base64').toString('utf8'));
	assert.deepEqual(copied(), [engine.sql('reload')]);
	await app.press('2');
	await app.until('2 install the trigger (shown)');
	await app.press('c');
	await app.until('Copied the SQL to install the trigger');
	assert.deepEqual(copied(), [engine.sql('reload'), engine.sql('trigger')]);
	await app.press('b');
	await app.until('What next?');
	app.unmount();
});

test('when the database did not answer there is no probe, and u reaches the connect screen and esc comes back', async () => {
	const {engine} = fakeEngine({
		reports: [unreachableReport],
		known: {
			dbUrl: {value: 'postgresql://app:pw@127.0.0.1:1/app', source: '--db-url'},
			apiUrl: {value: 'http://127.0.0.1:14631', source: '--api-url'},
		},
	});
	const app = mount(engine, 80);
	await app.until('What next?');
	assert.doesNotMatch(app.lastFrame(), /\[p\]/);
	assert.match(app.lastFrame(), /\[u\] Change the URLs \(connect screen\)/);
	await app.press('u');
	await app.until('› Database URL  postgresql://app:••••@127.0.0.1:1/app');
	assert.match(app.lastFrame(), /from --db-url/);
	assert.match(app.lastFrame(), /esc back/);
	await app.press('\u001B');
	await app.until('What next?');
	app.unmount();
});

test('u from the report: a corrected URL is connected to and diagnosed, and the record says so', async () => {
	const {engine, calls} = fakeEngine({
		known: {
			dbUrl: {value: 'postgresql://h/db', source: '--db-url'},
			apiUrl: {value: 'http://127.0.0.1:3000', source: '--api-url'},
		},
	});
	const app = mount(engine, 80);
	await app.until('What next?');
	await app.press('u');
	await app.until('› Database URL');
	await app.press('\r');
	await app.until('› PostgREST URL');
	await app.press('\u007F9\r\r');
	await app.until('Connected to');
	assert.ok(calls.includes('connect postgresql://h/db http://127.0.0.1:3009'), calls.join(', '));
	app.unmount();
});

test('a banner belongs to its action: after r and a, the DONE line is in the record once, not under the new diagnosis', async () => {
	const {engine} = fakeEngine();
	const app = mount(engine, 80);
	await app.until('What next?');
	await app.press('r');
	await app.until('Before → after');
	await app.press('a');
	await app.until(/Before → after[^]*\nDiagnosis\n[^]*What next\?/);
	const frame = app.lastFrame();
	assert.equal(frame.split('✔ DONE').length, 2, 'one banner');
	assert.ok(
		frame.lastIndexOf('✔ DONE') < frame.lastIndexOf('\nDiagnosis\n'),
		'the banner stays with the action above the new diagnosis'
	);
	app.unmount();
});

test('on a short window the menu is one line of keys, so the live part stays shorter than the window', async () => {
	const app = mount(fakeEngine().engine, 80, 12);
	await app.until('What next?');
	// A key and its word are held together (a no-break space), so a wrap never parts them.
	const frame = app.lastFrame().replaceAll('\u00A0', ' ');
	assert.match(
		frame,
		/What next\?\nr reload · t install · s show · d how · p probe · a diagnose · u change · q quit$/
	);
	assert.doesNotMatch(frame, /\[r\]/);
	app.unmount();
});

test('q leaves the exit code and a last line that says it; ctrl-c is 130', async () => {
	const first = mount(fakeEngine().engine, 80);
	await first.until('What next?');
	await first.press('q');
	await first.until('pgrst-doctor: exit 1 (problems found)');
	await eventually(() => first.exits.length > 0, 'the app left');
	assert.deepEqual(first.exits, [1]);
	first.unmount();
	const second = mount(fakeEngine({reports: [staleReport]}).engine, 80);
	await second.until('What next?');
	await second.press('\u0003');
	await second.until('pgrst-doctor: exit 130 (cancelled)');
	await eventually(() => second.exits.length > 0, 'the app left');
	assert.deepEqual(second.exits, [130]);
	second.unmount();
});

test('a target wider than the window is shortened in its middle in the record, never cut mid-token by a wrap', async () => {
	const {engine} = fakeEngine({
		known: {
			dbUrl: {value: 'postgresql://h/db', source: '--db-url'},
			apiUrl: {value: 'http://127.0.0.1:3000', source: '--api-url'},
		},
	});
	const long = 'postgres.abcdefghijklmnopqrst@aws-0-eu-central-1.pooler.supabase.com:5432/postgres';
	engine.target = () => `${long} · https://abcdefghijklmnopqrst.supabase.co/rest/v1`;
	const app = mount(engine, 60);
	await app.until('What next?');
	await app.press('u');
	await app.until('› Database URL');
	await app.press('\r\r\r');
	await app.until('Connected to');
	const connected = lines(app.lastFrame()).slice(
		lines(app.lastFrame()).indexOf('Connected to') + 1,
		lines(app.lastFrame()).indexOf('Connected to') + 3
	);
	assert.match(connected[0]!, /^ {2}postgres\.abcdefghijklm.*….*5432\/postgres$/);
	assert.ok(
		connected.every(line => line.length <= 60),
		connected.join('\n')
	);
	assert.equal(connected[1], '  https://abcdefghijklmnopqrst.supabase.co/rest/v1');
	app.unmount();
});

test('t shows the trigger SQL and asks first: n declines and changes nothing, y installs and proves it', async () => {
	const {engine, calls} = fakeEngine({reports: [staleReport, healthyReport]});
	const app = mount(engine, 80);
	await app.until('What next?');
	await app.press('t');
	await app.until('Run it? (y/N)');
	await eventually(() => printedWhole(app, engine.sql('trigger')), 'the trigger SQL was printed');
	const confirm = app.lastFrame();
	assert.equal(
		confirm.slice(confirm.lastIndexOf('\nThe SQL above') + 1),
		[
			'The SQL above writes to the database, in one transaction with lock_timeout.',
			'Run it? (y/N)',
			'y yes · n or enter no · q quit · ctrl-c cancel',
		].join('\n')
	);
	await app.press('n');
	await app.until('• Declined: nothing was changed.');
	await app.until('What next?');
	assert.deepEqual(calls, ['diagnose']);
	await app.press('t');
	await app.until('Run it? (y/N)');
	await app.press('y');
	await app.until('Before → after: 2 findings (1 error) → 0 findings (0 errors)');
	await app.until('What next?');
	assert.deepEqual(calls, ['diagnose', 'fix trigger', 'diagnose']);
	app.unmount();
});

test('a healthy diagnosis says so, offers no fix, and q leaves with 0', async () => {
	const app = mount(fakeEngine({reports: [healthyReport]}).engine, 80);
	await app.until('What next?');
	const frame = app.lastFrame();
	assert.ok(frame.includes("✔ Healthy: PostgREST's schema cache matches the database.\n"), frame);
	assert.equal(
		frame.slice(frame.indexOf('What next?')),
		`What next?
❯ [s] Show the SQL to copy
  [p] Probe: send NOTIFY and watch PostgREST reload
  [a] Diagnose again
  [u] Change the URLs (connect screen)
  [q] Quit
↑↓ move · enter choose · or press a key · ctrl-c cancel`
	);
	await app.press('q');
	await app.until('pgrst-doctor: exit 0 (healthy)');
	await eventually(() => app.exits.length > 0, 'the app left');
	assert.deepEqual(app.exits, [0]);
	app.unmount();
});
