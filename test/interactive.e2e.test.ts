// The built CLI in a real pseudo-terminal (script(1), and tmux for what a person sees and scrolls back to), typed at
// like a person, against real PostgreSQL and PostgREST 12.0.2: it must choose the interactive doctor, heal the
// cache, exit with the right code, and leave the terminal's scrollback and a readable record behind.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {test} from 'node:test';
import {cliPath} from './support/cli.js';
import {tmuxWindow} from './support/tmuxWindow.js';
import {useStack} from './support/e2e.js';
import {bel, csi, forgedPass, osc0, osc52} from './support/hostileText.js';
import type {Scenario} from './support/scenario.js';
import {authenticatorPassword, superPassword} from './support/stack.js';

const stack = useStack();

function terminal(item: Scenario, env: Record<string, string> = {}) {
	const command =
		`stty cols 80 rows 60; exec '${process.execPath}' '${cliPath}' check --db-url '${item.dbUrl}' ` +
		`--api-url '${item.api.url}'`;
	// A person's terminal: none of the variables that make Ink (and pgrst-doctor) assume CI.
	const person = Object.fromEntries(
		Object.entries(process.env).filter(
			([name]) => name !== 'CI' && name !== 'CONTINUOUS_INTEGRATION' && !name.startsWith('CI_')
		)
	);
	const child = spawn('script', ['-qfec', command, '/dev/null'], {
		env: {...person, TERM: 'xterm-256color', ...env},
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const exited = new Promise<number | null>(resolve => child.on('close', resolve));
	const plain = () => output.replace(/\u001B\[[0-9;?]*[A-Za-z]|\u001B\][^\u0007]*\u0007/g, '');
	const until = async (text: string | RegExp, timeoutMs = 20_000) => {
		const deadline = Date.now() + timeoutMs;
		while (!(typeof text === 'string' ? plain().includes(text) : text.test(plain()))) {
			if (Date.now() > deadline) throw new Error(`the terminal never showed ${text}:\n${plain().slice(-2000)}`);
			await new Promise(resolve => setTimeout(resolve, 50));
		}
	};
	return {child, exited, until, raw: () => output, plain, type: (keys: string) => child.stdin.write(keys)};
}

test('in a terminal, pgrst-doctor check is interactive: r heals the cache, q exits with the new verdict', async () => {
	const item = await stack.setUp();
	await item.query('alter table public.organizations add column created_by text');
	const session = terminal(item);
	await session.until('What next?');
	assert.match(session.plain(), /public\.organizations\.created_by is in the database but not in/);
	session.type('r');
	await session.until(/DONE {2}PostgREST's cache matches the database \d+ ms after/);
	await session.until(/Before → after: 2 findings \(1 error\) → 1 finding \(0 errors\)/);
	session.type('q');
	assert.equal(await session.exited, 0, 'healthy after the fix (the missing trigger is only a warning)');
	for (const secret of [superPassword, authenticatorPassword])
		assert.ok(!session.raw().includes(secret), 'no secret on screen');
	const insert = await fetch(`${item.api.url}/organizations`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({id: 1, name: 'a', created_by: 'b'}),
	});
	assert.equal(insert.status, 201);
});

test('Ctrl-C exits 130 at once, and NO_COLOR leaves no colour codes', async () => {
	const item = await stack.setUp();
	const session = terminal(item, {NO_COLOR: '1'});
	await session.until('What next?');
	assert.doesNotMatch(session.raw(), /\u001B\[(3\d|9\d|4\d)(;\d+)*m/, 'no colour with NO_COLOR');
	assert.match(session.plain(), /✔ PASS/, 'symbols and words carry the meaning');
	session.type('\u0003');
	assert.equal(await session.exited, 130);
});

test('hostile names in a real terminal: no BEL, no OSC (title, clipboard), line breaks shown, no forged line', async () => {
	const item = await stack.setUp();
	await item.query(
		`create table public."t${csi}red${osc0}${osc52}" (id int); alter table public.organizations add column "x${bel}${forgedPass}" text`
	);
	const session = terminal(item, {NO_COLOR: '1'});
	try {
		await session.until('What next?');
		const raw = session.raw();
		assert.ok(!raw.includes('\u0007'), 'no BEL: nothing can end an OSC sequence or ring');
		assert.ok(!raw.includes('\u001B]'), 'no OSC sequence: no title change, no clipboard write');
		assert.doesNotMatch(raw, /\u001B\[31m/, 'no colour from a name (and none at all with NO_COLOR)');
		// Names are shown as SQL would quote them: control characters as U&"…" escapes.
		assert.ok(session.plain().includes('\\001B]0;pwned\\0007'), 'the name is shown with visible escapes');
		assert.ok(
			session.plain().includes('x\\0007\\000D\\000A✔ PASS  forged'),
			'the line break in the name is shown, not taken'
		);
		assert.doesNotMatch(session.plain(), /^\s*✔ PASS\s+forged/m, 'no forged PASS line');
		session.type('q');
		assert.equal(await session.exited, 1);
	} finally {
		session.child.kill();
	}
});

test('at 80×24, with output taller than the window: no ESC[3J, the shell history survives, and q leaves a readable record', async () => {
	const item = await stack.setUp();
	await item.query('alter table public.organizations add column created_by text');
	const window = tmuxWindow(
		`'${process.execPath}' '${cliPath}' check --db-url '${item.dbUrl}' --api-url '${item.api.url}'`,
		{columns: 80, rows: 24}
	);
	try {
		await window.until('What next?');
		window.keys('r');
		await window.until('Before → after');
		await window.until(/Before → after[^]*What next\?/);
		window.keys('p');
		await window.until("Read again after the probe's reload");
		await window.until(/Read again after the probe's reload[^]*What next\?/);
		window.keys('s');
		await window.until('ready to paste');
		window.keys('b');
		// The SQL stays in the record; the screen under it goes back to the menu.
		await window.until(/commit;\n+What next\?/);
		window.keys('q');
		await window.until('EXIT:0');
		assert.ok(!window.raw().includes('\u001B[3J'), 'the scrollback was never cleared (ESC[3J)');
		assert.ok(!window.raw().includes('\u001B[2J'), 'the screen was never cleared (ESC[2J)');
		const screen = window.screen();
		// The record, in order: the shell's history, the diagnosis before, the action and its proof, the probe, the
		// cache read again, the SQL, and the last line; the prompt after it on a line of its own.
		const order = [
			'HISTORY-BEFORE-DOCTOR',
			'pgrst-doctor 0.1.0',
			'✖ FAIL  Columns in the cache',
			"✔ DONE  PostgREST's cache matches the database",
			'Healed (1):',
			'Still there (1):',
			'NOTIFY probe',
			"Read again after the probe's reload",
			'create event trigger pgrst_doctor_ddl_watch',
			'pgrst-doctor: exit 0 (healthy)\nEXIT:0',
		];
		const positions = order.map(text => screen.indexOf(text));
		for (const [index, text] of order.entries()) assert.ok(positions[index]! >= 0, `the record lacks ${text}`);
		assert.deepEqual(
			[...positions].sort((a, b) => a - b),
			positions,
			'the record is in the order things happened'
		);
		assert.equal(screen.split('✔ DONE').length, 2, 'each banner once, with its action');
		assert.doesNotMatch(
			screen,
			/Copied|\[r\] Reload[^]*Read again after/,
			'no live screen is left over in the record'
		);
	} finally {
		window.close();
	}
});

test('bare pgrst-doctor with DATABASE_URL: the connect screen starts from it, and a URL pasted with its newline before the screen appears connects', async () => {
	const item = await stack.setUp();
	const window = tmuxWindow(
		`'${process.execPath}' '${cliPath}'`,
		{columns: 80, rows: 24},
		{DATABASE_URL: item.dbUrl}
	);
	try {
		// At once, before the screen is up: the PostgREST URL with its line break as a paste, then Enter for no key.
		window.keys('-l', `${item.api.url}\n`);
		window.keys('Enter');
		await window.until('What next?');
		const screen = window.screen();
		assert.match(
			screen,
			/Database {3}postgres@127\.0\.0\.1:\d+\/scenario_\w+\s+from environment \(DATABASE_URL\)/,
			'the known value and where it came from'
		);
		assert.match(
			screen,
			/Connected to\n {2}postgres@127\.0\.0\.1:\d+\/scenario_\w+\n {2}http:\/\/127\.0\.0\.1:\d+/
		);
		assert.ok(!screen.includes(`${item.api.url}${item.api.url}`), 'no paste ran into another');
		window.keys('q');
		await window.until('EXIT:0');
		for (const secret of [superPassword, authenticatorPassword])
			assert.ok(!window.raw().includes(secret), 'no secret on screen');
	} finally {
		window.close();
	}
});
