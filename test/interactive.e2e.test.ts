// The built CLI in a real pseudo-terminal (script(1)), typed at like a person, against real PostgreSQL and
// PostgREST 12.0.2: it must choose the interactive doctor, heal the cache, and exit with the right code.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {test} from 'node:test';
import {cliPath} from './support/cli.js';
import {useStack} from './support/e2e.js';
import {bel, csi, forgedPass, osc0, osc52} from './support/hostileText.js';
import type {Scenario} from './support/scenario.js';
import {authenticatorPassword, superPassword} from './support/stack.js';

const stack = useStack();

function terminal(item: Scenario, env: Record<string, string> = {}) {
	const command = `stty cols 80 rows 60; exec '${process.execPath}' '${cliPath}' check --db-url '${item.dbUrl}' --api-url '${item.api.url}'`;
	// A person's terminal: none of the variables that make Ink (and pgrst-doctor) assume CI.
	const person = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'CI' && name !== 'CONTINUOUS_INTEGRATION' && !name.startsWith('CI_')));
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
	await session.until(/DONE PostgREST's cache matches the database \d+ ms after/);
	await session.until(/Before → after: 2 findings \(1 errors\) → 1 \(0 errors\)/);
	session.type('q');
	assert.equal(await session.exited, 0, 'healthy after the fix (the missing trigger is only a warning)');
	for (const secret of [superPassword, authenticatorPassword]) assert.ok(!session.raw().includes(secret), 'no secret on screen');
	const insert = await fetch(`${item.api.url}/organizations`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({id: 1, name: 'a', created_by: 'b'})});
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
	await item.query(`create table public."t${csi}red${osc0}${osc52}" (id int); alter table public.organizations add column "x${bel}${forgedPass}" text`);
	const session = terminal(item, {NO_COLOR: '1'});
	try {
		await session.until('What next?');
		const raw = session.raw();
		assert.ok(!raw.includes('\u0007'), 'no BEL: nothing can end an OSC sequence or ring');
		assert.ok(!raw.includes('\u001B]'), 'no OSC sequence: no title change, no clipboard write');
		assert.doesNotMatch(raw, /\u001B\[31m/, 'no colour from a name (and none at all with NO_COLOR)');
		// Names are shown as SQL would quote them: control characters as U&"…" escapes.
		assert.ok(session.plain().includes('\\001B]0;pwned\\0007'), 'the name is shown with visible escapes');
		assert.ok(session.plain().includes('x\\0007\\000D\\000A✔ PASS  forged'), 'the line break in the name is shown, not taken');
		assert.doesNotMatch(session.plain(), /^\s*✔ PASS\s+forged/m, 'no forged PASS line');
		session.type('q');
		assert.equal(await session.exited, 1);
	} finally {
		session.child.kill();
	}
});
