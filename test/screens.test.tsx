// Each screen of the interactive app drawn alone from its props (no engine, no DoctorApp), and ReportView and
// ProofView over reports recorded from PostgreSQL 18 and PostgREST 12.0.2 (test/support/fakeEngine.ts says how):
// exact frames at a chosen window size, in milliseconds. test/doctorView.test.tsx drives the whole app over a fake
// engine; test/doctorApp.e2e.test.tsx drives it over the real one.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import React from 'react';
import {type FindingCode, findingCodes} from '../source/findings.js';
import type {Report} from '../source/report/buildReport.js';
import {painter, plainReport} from '../source/report/plainReport.js';
import {connectForm} from '../source/ui/connectForm.js';
import {type MenuItem, type PhaseState, menuFor, proofOf} from '../source/ui/doctorState.js';
import {ProofView, ReportView} from '../source/ui/ReportView.js';
import {ApplyingScreen} from '../source/ui/screens/ApplyingScreen.js';
import {ConfirmScreen} from '../source/ui/screens/ConfirmScreen.js';
import {ConnectScreen} from '../source/ui/screens/ConnectScreen.js';
import {DiagnosingScreen} from '../source/ui/screens/DiagnosingScreen.js';
import {FailedScreen} from '../source/ui/screens/FailedScreen.js';
import {LeavingScreen} from '../source/ui/screens/LeavingScreen.js';
import {ReportScreen} from '../source/ui/screens/ReportScreen.js';
import {SqlScreen} from '../source/ui/screens/SqlScreen.js';
import {healthyReport, reloadResult, reloadedReport, staleReport, unreachableReport} from './support/fakeEngine.js';
import {renderAt} from './support/inkFrames.js';

/** The frame an element draws at a window size, read before the spinner's first tick. */
function frame(element: React.ReactElement, columns: number, rows?: number): string {
	const app = renderAt(element, columns, rows);
	const drawn = app.lastFrame();
	app.unmount();
	return drawn;
}

/** An expected frame, written from the line after the backtick: that first newline is not part of it. */
function expected([text]: TemplateStringsArray): string {
	return text!.slice(1);
}

/** The proof of an action, as the record draws it under the action's banner. */
function Proof({before, after}: {readonly before: Report; readonly after: Report}): React.JSX.Element {
	return <ProofView proof={proofOf(before, after)} before={before} after={after} />;
}

const noChoice = (item: MenuItem) => {
	assert.fail(`nothing was chosen, yet ${item.key} was`);
};

const staleFrames: Record<number, string> = {
	60: expected`
✔ PASS  Database reachable: PostgreSQL 18.4, database
        scenario_21810_1, role postgres
✔ PASS  PostgREST reachable: PostgREST 12.0.2 at
        http://127.0.0.1:14631
✔ PASS  PostgREST serves this database: PostgREST ran
        pgrst-doctor's request in scenario_21810_1 as role
        authenticator from 127.0.0.1 (PostgREST 12.0.2); 2
        sessions of it here
✔ PASS  Schema cache loaded: PostgREST has a schema cache
✔ PASS  Tables and views in the cache: 3 relations in the
        database, all as PostgREST's cache has them (OpenAPI
        + probes)
✖ FAIL  Columns in the cache: 1 column difference between
        the database and PostgREST's cache
✔ PASS  Functions in the cache: 1 function in the database,
        all as PostgREST's cache has them (OpenAPI + probes)
✔ PASS  Relationships in the cache: 1 relationship in the
        database, all as PostgREST's cache has them (OpenAPI
        + probes)
⚠ WARN  Auto-reload event trigger: No event trigger reloads
        PostgREST after DDL
✔ PASS  PostgREST listens for reloads: PostgREST 12.0.2
        listens on "pgrst" in database scenario_21810_1 (pid
        21879)
- SKIP  NOTIFY reaches PostgREST: Not probed: press p to
        send NOTIFY pgrst, 'reload schema'; and watch
        PostgREST reload

Schema cache
  ✖ error public.organizations.updated_by is in the database
          but not in PostgREST's schema cache
          (cache.column_missing)

Auto-reload trigger
  ⚠ warning No event trigger reloads PostgREST after DDL
            (none runs NOTIFY pgrst, 'reload schema';), so
            every migration leaves its cache stale until
            someone reloads it (trigger.missing)`,
	80: expected`
✔ PASS  Database reachable: PostgreSQL 18.4, database scenario_21810_1, role
        postgres
✔ PASS  PostgREST reachable: PostgREST 12.0.2 at http://127.0.0.1:14631
✔ PASS  PostgREST serves this database: PostgREST ran pgrst-doctor's request in
        scenario_21810_1 as role authenticator from 127.0.0.1 (PostgREST
        12.0.2); 2 sessions of it here
✔ PASS  Schema cache loaded: PostgREST has a schema cache
✔ PASS  Tables and views in the cache: 3 relations in the database, all as
        PostgREST's cache has them (OpenAPI + probes)
✖ FAIL  Columns in the cache: 1 column difference between the database and
        PostgREST's cache
✔ PASS  Functions in the cache: 1 function in the database, all as PostgREST's
        cache has them (OpenAPI + probes)
✔ PASS  Relationships in the cache: 1 relationship in the database, all as
        PostgREST's cache has them (OpenAPI + probes)
⚠ WARN  Auto-reload event trigger: No event trigger reloads PostgREST after DDL
✔ PASS  PostgREST listens for reloads: PostgREST 12.0.2 listens on "pgrst" in
        database scenario_21810_1 (pid 21879)
- SKIP  NOTIFY reaches PostgREST: Not probed: press p to send NOTIFY pgrst,
        'reload schema'; and watch PostgREST reload

Schema cache
  ✖ error public.organizations.updated_by is in the database but not in
          PostgREST's schema cache (cache.column_missing)

Auto-reload trigger
  ⚠ warning No event trigger reloads PostgREST after DDL (none runs NOTIFY
            pgrst, 'reload schema';), so every migration leaves its cache stale
            until someone reloads it (trigger.missing)`,
	120: expected`
✔ PASS  Database reachable: PostgreSQL 18.4, database scenario_21810_1, role postgres
✔ PASS  PostgREST reachable: PostgREST 12.0.2 at http://127.0.0.1:14631
✔ PASS  PostgREST serves this database: PostgREST ran pgrst-doctor's request in scenario_21810_1 as role authenticator
        from 127.0.0.1 (PostgREST 12.0.2); 2 sessions of it here
✔ PASS  Schema cache loaded: PostgREST has a schema cache
✔ PASS  Tables and views in the cache: 3 relations in the database, all as PostgREST's cache has them (OpenAPI + probes)
✖ FAIL  Columns in the cache: 1 column difference between the database and PostgREST's cache
✔ PASS  Functions in the cache: 1 function in the database, all as PostgREST's cache has them (OpenAPI + probes)
✔ PASS  Relationships in the cache: 1 relationship in the database, all as PostgREST's cache has them (OpenAPI + probes)
⚠ WARN  Auto-reload event trigger: No event trigger reloads PostgREST after DDL
✔ PASS  PostgREST listens for reloads: PostgREST 12.0.2 listens on "pgrst" in database scenario_21810_1 (pid 21879)
- SKIP  NOTIFY reaches PostgREST: Not probed: press p to send NOTIFY pgrst, 'reload schema'; and watch PostgREST reload

Schema cache
  ✖ error public.organizations.updated_by is in the database but not in PostgREST's schema cache (cache.column_missing)

Auto-reload trigger
  ⚠ warning No event trigger reloads PostgREST after DDL (none runs NOTIFY pgrst, 'reload schema';), so every migration
            leaves its cache stale until someone reloads it (trigger.missing)`,
};

for (const columns of [60, 80, 120]) {
	test(`ReportView: the stale report, every check and the findings by area, exactly, at ${columns} columns`, () => {
		assert.equal(frame(<ReportView report={staleReport} />, columns), staleFrames[columns]);
	});
}

test('ReportView: the report after the reload, the column healed and the trigger still missing, exactly', () => {
	assert.equal(
		frame(<ReportView report={reloadedReport} />, 80),
		expected`
✔ PASS  Database reachable: PostgreSQL 18.4, database scenario_21810_1, role
        postgres
✔ PASS  PostgREST reachable: PostgREST 12.0.2 at http://127.0.0.1:14631
✔ PASS  PostgREST serves this database: PostgREST ran pgrst-doctor's request in
        scenario_21810_1 as role authenticator from 127.0.0.1 (PostgREST
        12.0.2); 2 sessions of it here
✔ PASS  Schema cache loaded: PostgREST has a schema cache
✔ PASS  Tables and views in the cache: 3 relations in the database, all as
        PostgREST's cache has them (OpenAPI + probes)
✔ PASS  Columns in the cache: 9 columns in the database, all as PostgREST's
        cache has them (OpenAPI + probes)
✔ PASS  Functions in the cache: 1 function in the database, all as PostgREST's
        cache has them (OpenAPI + probes)
✔ PASS  Relationships in the cache: 1 relationship in the database, all as
        PostgREST's cache has them (OpenAPI + probes)
⚠ WARN  Auto-reload event trigger: No event trigger reloads PostgREST after DDL
✔ PASS  PostgREST listens for reloads: PostgREST 12.0.2 listens on "pgrst" in
        database scenario_21810_1 (pid 21879)
- SKIP  NOTIFY reaches PostgREST: Not probed: press p to send NOTIFY pgrst,
        'reload schema'; and watch PostgREST reload

Auto-reload trigger
  ⚠ warning No event trigger reloads PostgREST after DDL (none runs NOTIFY
            pgrst, 'reload schema';), so every migration leaves its cache stale
            until someone reloads it (trigger.missing)`
	);
});

test('ReportView: a healthy report (trigger installed, nothing found) ends with the healthy line, exactly', () => {
	assert.equal(
		frame(<ReportView report={healthyReport} />, 80),
		expected`
✔ PASS  Database reachable: PostgreSQL 18.4, database scenario_5313_1, role
        postgres
✔ PASS  PostgREST reachable: PostgREST 12.0.2 at http://127.0.0.1:19758
✔ PASS  PostgREST serves this database: PostgREST ran pgrst-doctor's request in
        scenario_5313_1 as role authenticator from 127.0.0.1 (PostgREST 12.0.2);
        3 sessions of it here
✔ PASS  Schema cache loaded: PostgREST has a schema cache
✔ PASS  Tables and views in the cache: 3 relations in the database, all as
        PostgREST's cache has them (OpenAPI + probes)
✔ PASS  Columns in the cache: 7 columns in the database, all as PostgREST's
        cache has them (OpenAPI + probes)
✔ PASS  Functions in the cache: 1 function in the database, all as PostgREST's
        cache has them (OpenAPI + probes)
✔ PASS  Relationships in the cache: 1 relationship in the database, all as
        PostgREST's cache has them (OpenAPI + probes)
✔ PASS  Auto-reload event trigger: pgrst_doctor_ddl_watch (ddl_command_end),
        pgrst_doctor_drop_watch (sql_drop) send NOTIFY pgrst, 'reload schema';
✔ PASS  PostgREST listens for reloads: PostgREST 12.0.2 listens on "pgrst" in
        database scenario_5313_1 (pid 5402)
- SKIP  NOTIFY reaches PostgREST: Not probed: press p to send NOTIFY pgrst,
        'reload schema'; and watch PostgREST reload

✔ Healthy: PostgREST's schema cache matches the database.`
	);
});

test('ReportView: the database did not answer: the checks after it are skipped and the finding says why', () => {
	assert.equal(
		frame(<ReportView report={unreachableReport} />, 80),
		expected`
✖ FAIL  Database reachable: Could not connect to PostgreSQL at
        postgres@127.0.0.1:1/scenario_21810_1: the connection was refused
        (nothing listens on that port).
✔ PASS  PostgREST reachable: PostgREST 12.0.2 at http://127.0.0.1:14631
- SKIP  PostgREST serves this database: Skipped: database.connect did not pass
✔ PASS  Schema cache loaded: PostgREST has a schema cache
- SKIP  Tables and views in the cache: Skipped: database.connect did not pass
- SKIP  Columns in the cache: Skipped: database.connect did not pass
- SKIP  Functions in the cache: Skipped: database.connect did not pass
- SKIP  Relationships in the cache: Skipped: database.connect did not pass
- SKIP  Auto-reload event trigger: Skipped: database.connect did not pass
- SKIP  PostgREST listens for reloads: Skipped: api.database did not pass
- SKIP  NOTIFY reaches PostgREST: Skipped: database.connect did not pass

Database
  ✖ error Could not connect to PostgreSQL at
          postgres@127.0.0.1:1/scenario_21810_1: the connection was refused
          (nothing listens on that port). (db.unreachable)`
	);
});

test('ReportView: a code with more findings than a screenful lists 20 and counts the rest, as plain text does', () => {
	const [column, trigger] = staleReport.findings;
	const columns = Array.from({length: 23}, (_, index) => ({
		...column!,
		table: `t${index}`,
		message: `public.t${index}.updated_by is missing`,
	}));
	const checks = staleReport.checks.filter(check => check.id === 'cache.columns');
	const report: Report = {...staleReport, checks, findings: [...columns, trigger!]};
	const listed = Array.from({length: 20}, (_, index) => {
		return `  ✖ error public.t${index}.updated_by is missing (cache.column_missing)`;
	});
	assert.equal(
		frame(<ReportView report={report} />, 80),
		[
			'✖ FAIL  Columns in the cache: 1 column difference between the database and',
			"        PostgREST's cache",
			'',
			'Schema cache',
			...listed,
			'  … and 3 more cache.column_missing findings (--json lists all)',
			'',
			'Auto-reload trigger',
			'  ⚠ warning No event trigger reloads PostgREST after DDL (none runs NOTIFY',
			"            pgrst, 'reload schema';), so every migration leaves its cache stale",
			'            until someone reloads it (trigger.missing)',
		].join('\n')
	);
});

test('ReportView: text from outside is drawn with its control characters shown, never sent to the terminal', () => {
	const [column] = staleReport.findings;
	const hostile = {...column!, message: 'public.evil\u001B[2J\u0007 is in the database'};
	const checks = [{...staleReport.checks[0]!, summary: 'role \u001B]0;owned\u0007'}];
	const report: Report = {...staleReport, checks, findings: [hostile]};
	assert.equal(
		frame(<ReportView report={report} />, 80),
		[
			'✔ PASS  Database reachable: role \\x1b]0;owned\\x07',
			'',
			'Schema cache',
			'  ✖ error public.evil\\x1b[2J\\x07 is in the database (cache.column_missing)',
		].join('\n')
	);
});

test('ProofView: before → after the reload, what healed and what is still there, exactly', () => {
	const drawn = frame(<Proof before={staleReport} after={reloadedReport} />, 80);
	assert.equal(
		drawn,
		expected`
✔ PASS  Columns in the cache (was FAIL)
Healed (1):
  ✔ healed public.organizations.updated_by is in the database but not in
           PostgREST's schema cache (cache.column_missing)
Still there (1):
  ⚠ warning No event trigger reloads PostgREST after DDL (none runs NOTIFY
            pgrst, 'reload schema';), so every migration leaves its cache stale
            until someone reloads it (trigger.missing)
Before → after: 2 findings (1 error) → 1 finding (0 errors)`
	);
});

test('ProofView: a finding that appeared since the action is new, and a check that got worse says so', () => {
	const drawn = frame(<Proof before={reloadedReport} after={staleReport} />, 80);
	assert.equal(
		drawn,
		expected`
✖ FAIL  Columns in the cache (was PASS)
Still there (1):
  ⚠ warning No event trigger reloads PostgREST after DDL (none runs NOTIFY
            pgrst, 'reload schema';), so every migration leaves its cache stale
            until someone reloads it (trigger.missing)
New since the action (1):
  ✖ error public.organizations.updated_by is in the database but not in
          PostgREST's schema cache (cache.column_missing)
Before → after: 1 finding (0 errors) → 2 findings (1 error)`
	);
});

test('ProofView: installing the trigger heals the last finding: 1 finding → 0 findings', () => {
	const drawn = frame(<Proof before={reloadedReport} after={healthyReport} />, 80);
	assert.equal(
		drawn,
		expected`
✔ PASS  Auto-reload event trigger (was WARN)
Healed (1):
  ✔ healed No event trigger reloads PostgREST after DDL (none runs NOTIFY pgrst,
           'reload schema';), so every migration leaves its cache stale until
           someone reloads it (trigger.missing)
Before → after: 1 finding (0 errors) → 0 findings (0 errors)`
	);
});

test('plain text counts before and after an action as ProofView does: one count for both renderers', () => {
	const text = plainReport({...reloadedReport, fixesApplied: [reloadResult], before: staleReport}, painter(false));
	assert.ok(text.includes('\n  Before: 2 findings (1 error). After: 1 finding (0 errors).\n'), text);
	const drawn = frame(<Proof before={staleReport} after={reloadedReport} />, 80);
	assert.ok(drawn.endsWith('\nBefore → after: 2 findings (1 error) → 1 finding (0 errors)'), drawn);
});

const phases: PhaseState[] = [
	{phase: 'database', done: true, ms: 12},
	{phase: 'api', done: true, ms: 3004, failed: 'api.unreachable'},
	{phase: 'cache', done: false},
];

test('DiagnosingScreen: the first diagnosis, before any phase reported, has no b', () => {
	assert.equal(
		frame(<DiagnosingScreen phases={[]} probe={false} canGoBack={false} />, 80),
		expected`

⠋ Diagnosing…
u change the URLs · ctrl-c cancel`
	);
});

test("DiagnosingScreen: with the probe, each phase done, failed (in the API's words) or running, and b back", () => {
	assert.equal(
		frame(<DiagnosingScreen phases={phases} probe canGoBack />, 80),
		expected`

⠋ Diagnosing, with the NOTIFY probe…
✔ Database catalogs read (12 ms)
✖ PostgREST did not answer (3004 ms)
… Reading PostgREST's schema cache
b back · u change the URLs · ctrl-c cancel`
	);
});

test('DiagnosingScreen: a database phase that failed says the database could not be read', () => {
	const failed: PhaseState[] = [{phase: 'database', done: true, ms: 5, failed: 'db.unreachable'}];
	assert.equal(
		frame(<DiagnosingScreen phases={failed} probe={false} canGoBack={false} />, 80),
		expected`

⠋ Diagnosing…
✖ The database could not be read (5 ms)
u change the URLs · ctrl-c cancel`
	);
});

test("ApplyingScreen: the fix's own title over the diagnosis that proves it, and only ctrl-c", () => {
	assert.equal(
		frame(<ApplyingScreen fix="reload" phases={[{phase: 'database', done: true, ms: 9}]} />, 80),
		expected`

⠋ Reloading, then proving the cache matches…
✔ Database catalogs read (9 ms)
ctrl-c cancel`
	);
	assert.equal(
		frame(<ApplyingScreen fix="trigger" phases={[]} />, 80),
		expected`

⠋ Installing the trigger, then proving it fires…
ctrl-c cancel`
	);
	assert.equal(
		frame(<ApplyingScreen fix="uninstall-trigger" phases={[]} />, 80),
		expected`

⠋ Removing the trigger…
ctrl-c cancel`
	);
});

test("ReportScreen: the stale report's menu, fixes first, exactly", () => {
	assert.equal(
		frame(<ReportScreen menu={menuFor(staleReport)} onChoose={noChoice} />, 80),
		expected`

What next?
❯ [r] Reload PostgREST's schema cache now
  [t] Install the auto-reload trigger (asks first)
  [s] Show the SQL to copy
  [d] How to reload by hand (psql, SIGUSR1, restart)
  [p] Probe: send NOTIFY and watch PostgREST reload
  [a] Diagnose again
  [u] Change the URLs (connect screen)
  [q] Quit
↑↓ move · enter choose · or press a key · ctrl-c cancel`
	);
});

test('ReportScreen: when the database did not answer, only diagnose again, change the URLs and quit', () => {
	assert.equal(
		frame(<ReportScreen menu={menuFor(unreachableReport)} onChoose={noChoice} />, 80),
		expected`

What next?
❯ [a] Diagnose again
  [u] Change the URLs (connect screen)
  [q] Quit
↑↓ move · enter choose · or press a key · ctrl-c cancel`
	);
});

test('ReportScreen: on a short window, one line of keys under the notice, its control characters shown', () => {
	const notice = 'Copied\u001B[2J it';
	const drawn = frame(<ReportScreen menu={menuFor(staleReport)} rows={12} notice={notice} onChoose={noChoice} />, 60);
	assert.equal(
		drawn.replaceAll('\u00A0', ' '),
		expected`

Copied\\x1b[2J it
What next?
r reload · t install · s show · d how · p probe · a diagnose
· u change · q quit`
	);
});

test('ReportScreen: ↓ moves the pointer and enter chooses that item', async () => {
	const chosen: MenuItem[] = [];
	const menu = menuFor(staleReport);
	const app = renderAt(<ReportScreen menu={menu} onChoose={item => chosen.push(item)} />, 80);
	// Keys reach the Select once its input effect has run: wait for the first frame and a tick after it.
	await app.until('❯ [');
	await new Promise(resolve => setTimeout(resolve, 100));
	await app.press('\u001B[B');
	await app.until('❯ [t]');
	assert.deepEqual(chosen, [], 'moving chooses nothing');
	await app.press('\r');
	for (let waited = 0; chosen.length === 0 && waited < 5000; waited += 10)
		await new Promise(resolve => setTimeout(resolve, 10));
	assert.deepEqual(chosen, [menu[1]]);
	app.unmount();
});

test('ConfirmScreen: what the SQL above does and that nothing runs without y, exactly, at 60 columns', () => {
	assert.equal(
		frame(<ConfirmScreen />, 60),
		expected`
The SQL above writes to the database, in one transaction
with lock_timeout.
Run it? (y/N)
y yes · n or enter no · q quit · ctrl-c cancel`
	);
});

test('SqlScreen: one script that fits has no number keys', () => {
	assert.equal(
		frame(<SqlScreen script="reload" scripts={['reload']} />, 80),
		expected`
The SQL to reload the cache is printed above, ready to paste into psql or
Supabase's SQL Editor.
c copy the SQL shown · b back · q quit`
	);
});

test('SqlScreen: two scripts, the one shown marked, and the copy notice with its control characters shown', () => {
	const notice = [
		'Copied the SQL\u0007 to install the trigger to the clipboard',
		'(if your terminal supports OSC 52; otherwise select it above).',
	].join(' ');
	assert.equal(
		frame(<SqlScreen script="trigger" scripts={['reload', 'trigger']} notice={notice} />, 60),
		expected`
The SQL to install the trigger is printed above, ready to
paste into psql or Supabase's SQL Editor.
SQL that fits: 1 reload the cache · 2 install the trigger
(shown)
Copied the SQL\\x07 to install the trigger to the clipboard
(if your terminal supports OSC 52; otherwise select it
above).
1-2 show that SQL · c copy the SQL shown · b back · q quit`
	);
});

test('FailedScreen: b back only when there is a report to go back to', () => {
	assert.equal(
		frame(<FailedScreen canGoBack={false} />, 80),
		expected`

✖ The doctor could not finish that: see the record above.
a diagnose again · u change the URLs · q quit`
	);
	assert.equal(
		frame(<FailedScreen canGoBack />, 80),
		expected`

✖ The doctor could not finish that: see the record above.
a diagnose again · u change the URLs · b back · q quit`
	);
});

test('LeavingScreen: the exit code and what it means', () => {
	const said = [0, 1, 2, 130, 7].map(code => frame(<LeavingScreen code={code} />, 80));
	assert.deepEqual(said, [
		'pgrst-doctor: exit 0 (healthy)',
		'pgrst-doctor: exit 1 (problems found)',
		'pgrst-doctor: exit 2 (could not diagnose)',
		'pgrst-doctor: exit 130 (cancelled)',
		'pgrst-doctor: exit 7 (done)',
	]);
});

test('ConnectScreen: nothing known yet, the examples and every field, the cursor on the first, exactly', () => {
	assert.equal(
		frame(<ConnectScreen form={connectForm({})} canGoBack={false} />, 80),
		expected`

Where are your database and PostgREST?
  Supabase cloud  postgresql://postgres.<ref>:<pw>@<pooler>:5432/postgres
                  https://<ref>.supabase.co/rest/v1
  Supabase local  postgresql://postgres:postgres@127.0.0.1:54322/postgres
                  http://127.0.0.1:54321/rest/v1
  Self-hosted     postgresql://user:password@host:5432/db
                  http://localhost:3000
  <pooler>: the session pooler host under Connect in the Supabase dashboard

› Database URL  e.g. postgresql://user:password@host:5432/db
  PostgREST URL e.g. http://localhost:3000
  API key       optional: enter to skip
enter next · ↑↓ move · ctrl-c cancel`
	);
});

test('ConnectScreen: on a short window the examples go first; a known value says where it came from; esc back', () => {
	const form = connectForm({apiUrl: {value: 'http://127.0.0.1:3000', source: '--api-url'}}, true);
	assert.equal(
		frame(<ConnectScreen form={form} canGoBack />, 80, 12),
		expected`

Where are your database and PostgREST?

› Database URL  e.g. postgresql://user:password@host:5432/db
  PostgREST URL http://127.0.0.1:3000
                from --api-url
  API key       optional: enter to skip
enter next · ↑↓ move · esc back · ctrl-c cancel`
	);
});

test('ReportView heads every area of the vocabulary in words, never with its raw id', () => {
	const [column] = staleReport.findings;
	const areas = {
		'config.schemas_mismatch': 'PostgREST settings',
		'rls.rejected': 'Row-level security',
		'grant.missing': 'Privileges',
		'schema.not_exposed': 'Exposed schemas',
	};
	const codes = Object.keys(areas).filter(code => code in findingCodes);
	assert.equal(codes.length, 4, 'each is a code of the vocabulary');
	const findings = codes.map(code => ({...column!, code: code as FindingCode, key: code}));
	const drawn = frame(<ReportView report={{...staleReport, findings}} />, 120);
	for (const [code, title] of Object.entries(areas)) {
		assert.match(drawn, new RegExp(`^${title}$`, 'm'), `${code}'s area is headed "${title}"`);
		assert.doesNotMatch(drawn, new RegExp(`^${code.split('.')[0]}$`, 'm'));
	}
});
