// The interactive doctor's screens and key paths (ink-testing-library), driving the real engine against real
// PostgreSQL and PostgREST 12.0.2: diagnose → reload → healed; decline; trigger install; Ctrl-C; connect screen;
// hostile names and channel drawn as escapes; the database password masked while typed.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import React from 'react';
import {doctorEngine} from '../source/commands/interactive.js';
import {databaseTarget, httpTarget} from '../source/target.js';
import {DoctorApp} from '../source/ui/DoctorApp.js';
import {useStack} from './support/e2e.js';
import {assertTerminalSafe, csi, forgedPass, osc0} from './support/hostileText.js';
import type {Scenario} from './support/scenario.js';
import {superPassword} from './support/stack.js';
import {parseChannel} from '../source/sql/channel.js';

const stack = useStack();

function options(item?: Scenario) {
	return {
		database: item ? databaseTarget(item.dbUrl) : undefined,
		api: item ? httpTarget(item.api.url, '--api-url') : undefined,
		channel: parseChannel('pgrst'),
		timeoutMs: 5000,
	};
}

function mount(item?: Scenario) {
	const exits: number[] = [];
	const app = render(<DoctorApp engine={doctorEngine(options(item))} onExit={code => exits.push(code)} />);
	const screen = () => app.frames.join('\n');
	// The newest frames: a raw write (the SQL) arrives as a frame of its own after the screen that caused it.
	const recent = () => app.frames.slice(-2).join('\n');
	const until = async (text: string | RegExp, timeoutMs = 15_000) => {
		const deadline = Date.now() + timeoutMs;
		while (!(typeof text === 'string' ? recent().includes(text) : text.test(recent()))) {
			if (Date.now() > deadline) throw new Error(`screen never showed ${text}; last frame:\n${app.lastFrame()}`);
			await new Promise(resolve => setTimeout(resolve, 25));
		}
	};
	return {app, exits, screen, until};
}

const press = async (app: ReturnType<typeof render>, keys: string) => {
	app.stdin.write(keys);
	await new Promise(resolve => setTimeout(resolve, 50));
};

/** Types into an @inkjs/ui text input: it listens once mounted, and Enter must come as its own keypress. */
async function type(
	app: ReturnType<typeof render>,
	until: (text: string) => Promise<void>,
	prompt: string,
	text: string,
	shown = text
) {
	await until(prompt);
	await new Promise(resolve => setTimeout(resolve, 300));
	app.stdin.write(text);
	if (shown) await until(shown);
	await press(app, '\r');
}

test('diagnose → reload → the cache is healed, with before → after and the proof', async () => {
	const item = await stack.setUp();
	await item.query('alter table public.organizations add column created_by text');
	const {app, until} = mount(item);
	await until('What next?');
	const frame = app.lastFrame()!;
	assert.match(frame, /✖ FAIL {2}Columns in the cache/);
	assert.match(frame, /public\.organizations\.created_by is in the database but not in PostgREST's schema cache/);
	assert.match(frame, /\[r\] Reload PostgREST's schema cache now/);
	await press(app, 'r');
	await until(/✔ DONE .*proved/s);
	await until('What next?');
	// The proof names what was healed and what remains, under the diagnosis before it (behaviour changed: not counts only).
	assert.match(
		app.lastFrame()!,
		/✔ PASS {2}Columns in the cache \(was FAIL\)\nHealed \(1\):\n {2}✔ healed public\.organizations\.created_by is in the database/
	);
	assert.match(app.lastFrame()!, /Still there \(1\):\n {2}⚠ warning No event trigger reloads PostgREST/);
	assert.match(app.lastFrame()!, /Before → after: 2 findings \(1 error\) → 1 finding \(0 errors\)/);
	assert.ok(
		app.lastFrame()!.indexOf('✖ FAIL  Columns in the cache') < app.lastFrame()!.indexOf('✔ DONE'),
		'the diagnosis before stays in the record'
	);
	app.unmount();
	const insert = await fetch(`${item.api.url}/organizations`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({id: 1, name: 'a', created_by: 'b'}),
	});
	assert.equal(insert.status, 201);
});

test('the trigger shows its SQL and asks; n declines and nothing is written; y installs and proves it', async () => {
	const item = await stack.setUp();
	const {app, until} = mount(item);
	await until('What next?');
	await press(app, 't');
	await until('Run it? (y/N)');
	await until('create event trigger pgrst_doctor_ddl_watch on ddl_command_end');
	await press(app, 'n');
	await until('Declined: nothing was changed.');
	assert.deepEqual(await item.query(`select evtname from pg_event_trigger`), []);
	await press(app, 't');
	await until('Run it? (y/N)');
	await press(app, 'y');
	await until(/✔ DONE {2}Installed pgrst_doctor_ddl_watch/);
	await until('What next?');
	assert.match(app.lastFrame()!, /✔ PASS {2}Auto-reload event trigger \(was WARN\)/);
	assert.match(app.lastFrame()!, /Healed \(1\):\n {2}✔ healed No event trigger reloads PostgREST after DDL/);
	assert.equal(
		(await item.query(`select count(*)::int as n from pg_event_trigger where evtname like 'pgrst_doctor%'`))[0]!.n,
		2
	);
	app.unmount();
});

test('the SQL screen prints copyable SQL and offers OSC 52; q quits with the diagnosis exit code; Ctrl-C exits 130', async () => {
	const item = await stack.setUp();
	await item.query('create table public.invoices (id int)');
	const first = mount(item);
	await first.until('What next?');
	await press(first.app, 's');
	await first.until('ready to paste');
	// The cache is stale: the reload comes first, then the trigger.
	await first.until('SQL that fits: 1 reload the cache (shown) · 2 install the trigger');
	await press(first.app, 'c');
	await first.until('Copied the SQL to reload the cache to the clipboard');
	assert.ok(
		first.app.frames.some(frame => frame.includes('\u001B]52;c;')),
		'OSC 52 sequence written'
	);
	await press(first.app, 'q');
	assert.deepEqual(first.exits, [1]);
	first.app.unmount();

	const second = mount(item);
	await second.until(/Diagnosing|What next\?/);
	await press(second.app, '\u0003');
	assert.deepEqual(second.exits, [130]);
	second.app.unmount();
});

test('without a connection it asks for the URLs, with examples, refuses a wrong one as it is entered, then diagnoses', async () => {
	const item = await stack.setUp();
	const {app, until, screen} = mount();
	await until('› Database URL');
	assert.match(screen(), /Supabase local {2}postgresql:\/\/postgres:postgres@127\.0\.0\.1:54322\/postgres/);
	// Refused at once, on the field itself: not after all three prompts (behaviour changed).
	await type(app, until, '› Database URL', 'not a url', '');
	await until('✖ The database URL is not a valid URL');
	assert.match(app.lastFrame()!, /› Database URL/);
	await press(app, '\u007F'.repeat('not a url'.length));
	await type(app, until, '› Database URL', item.dbUrl, item.dbUrl.slice(-20));
	await type(app, until, '› PostgREST URL', item.api.url);
	await type(app, until, '› API key', 'secret-key-typed', '*'.repeat(16));
	await until('What next?');
	assert.doesNotMatch(screen(), /secret-key-typed/, 'the key is masked');
	app.unmount();
});

test('hostile names, a hostile channel and the SQL and clipboard they reach are drawn as escapes', async () => {
	const table = `t${csi}red${osc0}`;
	const column = `x${forgedPass}`;
	const item = await stack.setUp();
	await item.query(
		`create table public."${table}" (id int); alter table public.organizations add column "${column}" text`
	);
	const exits: number[] = [];
	const app = render(
		<DoctorApp
			engine={doctorEngine({...options(item), channel: parseChannel(`ch${osc0}`)})}
			onExit={code => exits.push(code)}
		/>
	);
	const frames = () => app.frames.join('\n');
	const until = async (text: string) => {
		const deadline = Date.now() + 15_000;
		while (!app.frames.slice(-2).join('\n').includes(text)) {
			if (Date.now() > deadline) throw new Error(`screen never showed ${text}; last frame:\n${app.lastFrame()}`);
			await new Promise(resolve => setTimeout(resolve, 25));
		}
	};
	await until('What next?');
	// Names are shown as SQL would quote them: control characters as U&"…" escapes.
	assert.ok(
		frames().includes('U&"t\\001B[31mred\\001B]0;pwned\\0007"'),
		'the table name is shown with visible escapes'
	);
	assert.ok(frames().includes('U&"x\\000D\\000A✔ PASS  forged"'), 'the forged line stays inside its finding');
	await press(app, 's');
	await until('ready to paste');
	await press(app, 'c');
	await until('to the clipboard');
	// Our own OSC 52 write is the one escape sequence allowed; its payload is checked on its own.
	const clipboard = /\u001B\]52;c;([A-Za-z0-9+/=]*)\u0007/.exec(frames());
	assert.ok(clipboard, 'OSC 52 sequence written');
	assertTerminalSafe(Buffer.from(clipboard[1]!, 'base64').toString('utf8'), 'the clipboard payload');
	assertTerminalSafe(frames().replaceAll(clipboard[0], ''), 'the Ink frames');
	await press(app, 'q');
	app.unmount();
});

test('the connect screen masks the database password while it is typed, and connects with the value intact', async () => {
	const item = await stack.setUp();
	const {app, until, screen} = mount();
	await until('› Database URL');
	await new Promise(resolve => setTimeout(resolve, 300));
	const [head, rest] = [
		item.dbUrl.slice(0, item.dbUrl.indexOf(':', 'postgresql://'.length) + 1),
		item.dbUrl.slice(item.dbUrl.indexOf(':', 'postgresql://'.length) + 1),
	];
	await press(app, head);
	// Character by character, as a person types: no frame may show the password or any beginning of it.
	for (const character of rest) await press(app, character);
	await until('@127.0.0.1');
	assert.match(app.lastFrame()!, /postgresql:\/\/postgres:••••@127\.0\.0\.1:\d+\/scenario_/);
	const password = decodeURIComponent(rest.slice(0, rest.indexOf('@')));
	for (let end = 2; end <= password.length; end++)
		assert.ok(
			!screen().includes(`postgres:${password.slice(0, end)}`),
			`a frame showed ${end} characters of the password`
		);
	await press(app, '\r');
	await type(app, until, '› PostgREST URL', item.api.url);
	await type(app, until, '› API key', '', '');
	await until('What next?');
	assert.match(
		app.lastFrame()!,
		new RegExp(`postgres@127\\.0\\.0\\.1:${stack.pg.port}/${item.name}`),
		'connected with the URL as typed'
	);
	assert.ok(!screen().includes(superPassword), 'the password never reached a frame');
	app.unmount();
});
