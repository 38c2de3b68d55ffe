// Issue 9 case 11 and issue 12 point 9, with the built CLI: every bad flag or value is one line and the hint to the
// command's help, exit 2, no stack trace and no help dump, with a did-you-mean where a near name exists; a reader
// that closes the pipe early (`check … | head -1`) ends the run quietly.
import assert from 'node:assert/strict';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {spawn} from 'node:child_process';
import {createServer} from 'node:net';
import {test} from 'node:test';
import {commandNames} from '../source/help.js';
import {cliPath, runCli} from './support/cli.js';
import {freePort} from './support/stack.js';

/** The hint points at the help of the command on the line, or the overview when there is none. */
const hint = (args: string[]) =>
	`Run pgrst-doctor${commandNames.find(name => name === args[0]) ? ` ${args[0]}` : ''} --help for usage.`;

const badInputs: Array<[string[], RegExp]> = [
	[
		['check', '--db-url', 'postgresql://x@h/db', '--fix', 'relod'],
		/^--fix does not accept "relod": did you mean reload\?$/,
	],
	[
		['check', '--db-url', 'postgresql://x@h/db', '--fix', 'relaod', '--yes'],
		/^--fix does not accept "relaod": did you mean reload\?$/,
	],
	[
		['check', '--fix', 'everything'],
		/^--fix does not accept "everything"; accepted: reload, trigger, uninstall-trigger, reload-function, uninstall-reload-function, all\.$/,
	],
	[['--apiurl', 'http://127.0.0.1:3000'], /^Unknown flag --apiurl: did you mean --api-url\?$/],
	[['chek'], /^Unknown command "chek": did you mean check\?$/],
	[['chek', '--help'], /^Unknown command "chek": did you mean check\?$/],
	[['help', 'wiat'], /^Unknown command "wiat": did you mean wait\?$/],
	[
		['codes', '--db-url', 'postgresql://x@h/db'],
		/^pgrst-doctor codes does not take --db-url \(check, wait, explain do\)\.$/,
	],
	[['sql', 'trigger', '--yes'], /^pgrst-doctor sql does not take --yes \(check, explain do\)\.$/],
	[
		['check', '--api-url', 'http://h', '--role', 'anon'],
		/^--role and --function-schema are for --fix reload-function or uninstall-reload-function\.$/,
	],
	[['wait', '--fix', 'reload'], /^pgrst-doctor wait does not take --fix \(check, explain do\)\.$/],
	[['explain', 'permission denied for table t', '--yes'], /^--yes applies a --fix; say which: --fix reload\|all\.$/],
	[
		['explain', 'permission denied for table t', '--fix', 'trigger'],
		/^explain's --fix is reload or all; for the trigger run pgrst-doctor check --fix trigger\.$/,
	],
	[['check', '--timeout=abc'], /^--timeout must be a number of seconds from 0\.1 to 3600 \(got abc\)\.$/],
	[['check', '--timeout', '0'], /^--timeout must be a number of seconds from 0\.1 to 3600 \(got 0\)\.$/],
	[
		['check', '--api-url', 'garbage'],
		/^The --api-url is not a valid URL; expected something like http:\/\/localhost:3000\.$/,
	],
	[['check', '--api-url', '3000'], /^The --api-url is not a valid URL/],
	[
		['check', '--db-url', 'postgresql://x@h/db', '--db-url', 'postgresql://y@h/db'],
		/^--db-url was given more than once/,
	],
	[['check', '--probe', '--probe'], /^--probe was given more than once/],
	[['check', '--db-urll', 'postgresql://x@h/db'], /^Unknown flag --db-urll: did you mean --db-url\?$/],
	[['check', '-z'], /^Unknown flag -z; the flags are --db-url, /],
	[['check', '--api-url'], /^--api-url needs a value\.$/],
	[
		['explain', 'permission denied for table t', '--api-url', 'http://a:3000', '--api-url', 'http://b:3000'],
		/^pgrst-doctor explain takes one --api-url; check and wait take several\.$/,
	],
	[
		['check', '--api-url', 'http://a:3000,http://b:3000', '--admin-url', 'http://a:3001'],
		/^--admin-url names one PostgREST's admin server; with several --api-url, leave it out\.$/,
	],
	[
		['check', '--fix'],
		/^--fix needs a value: one of reload, trigger, uninstall-trigger, reload-function, uninstall-reload-function, all\.$/,
	],
	[['check', '--db-url', 'postgresql://x@h/db', '--timeout', 'soon'], /^--timeout /],
	[['check', '--json=yes'], /^--json takes no value/],
	[['chekc'], /^Unknown command "chekc": did you mean check\?$/],
	[
		['explain', 'column', 'x', 'does not exist'],
		/^pgrst-doctor explain takes one argument \(quote the error text\); got 3\.$/,
	],
	[
		['sql', 'nonsense'],
		/^pgrst-doctor sql needs one of: reload, trigger, uninstall, reload-function, uninstall-reload-function\.$/,
	],
	[
		['check'],
		/^Tell pgrst-doctor where to look: --db-url and --api-url \(or DATABASE_URL, a \.env, postgrest\.conf, a Compose file or supabase\/config\.toml here\)\.$/,
	],
	[
		['check', '--db-url', 'postgresql://u:p/w@d@h/db'],
		/^The database URL is not a valid postgresql:\/\/user:password@host:5432\/database URL: percent-encode/,
	],
];

for (const [args, expected] of badInputs) {
	test(`usage error: pgrst-doctor ${args.join(' ')}`, async () => {
		const {code, stdout, stderr} = await runCli(args);
		assert.equal(code, 2);
		assert.equal(stdout, '');
		const lines = stderr.trimEnd().split('\n');
		assert.equal(lines.length, 2, `one line and the hint, got:\n${stderr}`);
		assert.match(lines[0]!, expected);
		assert.equal(lines[1], hint(args));
		assert.doesNotMatch(stderr, /\n\s+at |Error:|Usage/, 'no stack trace, no help dump');
	});
}

test('a usage error never repeats a URL with its password', async () => {
	const {code, stderr} = await runCli([
		'check',
		'--db-url',
		'postgresql://app:pa/ss@word@h/db',
		'--fix',
		'postgresql://app:pa/ss@word@h/db',
	]);
	assert.equal(code, 2);
	assert.doesNotMatch(stderr, /pa\/ss|word/);
	const stray = await runCli(['postgresql://app:hunter2@h/db']);
	assert.equal(stray.code, 2);
	assert.doesNotMatch(stray.stderr, /hunter2/);
});

test('--api-url without a scheme is read as http://', async () => {
	// Not PostgREST, so the verdict is exit 2; what matters is that the doctor asked this server over http.
	let requests = 0;
	const server = createServer(socket =>
		socket.once('data', chunk => {
			if (chunk.toString().startsWith('GET ')) requests++;
			socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
		})
	).listen(0, '127.0.0.1');
	await new Promise(resolve => server.once('listening', resolve));
	const {port} = server.address() as {port: number};
	const {stderr, json} = await runCli(['check', '--api-url', `127.0.0.1:${port}`, '--timeout', '2', '--json']);
	server.close();
	assert.equal(stderr, '');
	assert.equal(json.target.api, `http://127.0.0.1:${port}`);
	assert.ok(requests > 0, 'the doctor sent its requests over http');
});

/** Starts the CLI with its stdout already closed by the reader, as `| head -1` does once it has its line. */
async function withClosedStdout(args: string[]): Promise<{code: number | null; stderr: string}> {
	const child = spawn(process.execPath, [cliPath, ...args], {
		env: {...process.env, CI: 'true', DATABASE_URL: undefined},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	child.stdout.destroy();
	let stderr = '';
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	return {code, stderr};
}

test('a closed stdout ends the run quietly, keeping the verdict as the exit code', async () => {
	const codes = await withClosedStdout(['codes']);
	assert.equal(codes.stderr, '', 'no stack trace');
	assert.equal(codes.code, 0);

	// A real check's report: the database port is closed, so the verdict is db.unreachable (exit 2).
	const check = await withClosedStdout([
		'check',
		'--db-url',
		`postgresql://postgres:x@127.0.0.1:${await freePort()}/postgres`,
		'--timeout',
		'2',
	]);
	assert.equal(check.stderr, '', 'no stack trace');
	assert.equal(check.code, 2);
});

test('check … | head -1 in a shell: one line, no EPIPE, even when the report is larger than the pipe', async () => {
	// A PostgREST look-alike whose error message is long enough that the report overflows the pipe buffer.
	const server = createServer(socket =>
		socket.once('data', () => {
			const body = JSON.stringify({code: 'PGRST301', message: 'x'.repeat(200_000), details: null, hint: null});
			socket.end(
				'HTTP/1.1 401 Unauthorized\r\nServer: postgrest/12.0.2\r\nContent-Type: application/json\r\n' +
					`Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`
			);
		})
	).listen(0, '127.0.0.1');
	await new Promise(resolve => server.once('listening', resolve));
	const api = `http://127.0.0.1:${(server.address() as {port: number}).port}`;
	const child = spawn(
		'sh',
		['-c', `'${process.execPath}' '${cliPath}' check --api-url ${api} --timeout 5 | head -c 20`],
		{env: {...process.env, CI: 'true'}, stdio: ['ignore', 'pipe', 'pipe']}
	);
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	await new Promise(resolve => child.on('close', resolve));
	server.close();
	assert.match(stdout, /^pgrst-doctor \d/);
	assert.equal(stderr, '', 'no EPIPE stack trace');
});

test('nothing usable found: the request to say where to look carries what was found and not used, each note on its line', async () => {
	const folder = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-nothing-'));
	writeFileSync(
		path.join(folder, 'docker-compose.yml'),
		'services:\n  rest:\n    environment:\n      - PGRST_DB_URI: [\n'
	);
	writeFileSync(path.join(folder, '.env'), 'DATABASE_URL=mysql://root@db/app\u001b]0;pwned\u0007\n');
	const {code, stderr} = await runCli(['check'], {}, undefined, undefined, folder);
	assert.equal(code, 2);
	const lines = stderr.trimEnd().split('\n');
	assert.match(lines[0]!, /^Tell pgrst-doctor where to look/);
	assert.ok(
		lines.some(line => /^ {2}note: docker-compose\.yml was not used: it is not valid YAML/.test(line)),
		stderr
	);
	assert.ok(
		lines.some(line => /^ {2}note: \.env \(DATABASE_URL\) was not used/.test(line)),
		stderr
	);
	assert.doesNotMatch(stderr, /\u001b|\u0007/, 'notes are made safe');
	assert.equal(lines.at(-1), 'Run pgrst-doctor check --help for usage.');
});
