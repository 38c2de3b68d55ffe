// What --ignore and --ignore-file read, with the built CLI and no servers (the database's port is closed, so a run
// that gets past the flags ends at db.unreachable, exit 2): a pasted secret is refused without being repeated, a
// key that passes is echoed, and an allow-list, even an empty one, never starts the interactive doctor.
import assert from 'node:assert/strict';
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {cliPath, runCli, withoutDiscovery} from './support/cli.js';
import {freePort} from './support/stack.js';

const folder = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-ignore-input-'));
const password = 'Pw-in-the-env-file-31';
const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmVkLWJ5LXRoZS1zZXJ2ZXI';
const jwtParts = jwt.split('.');
const closedDatabase = async () => `postgresql://postgres:x@127.0.0.1:${await freePort()}/postgres`;

/** Neither the password nor any part of the JWT, anywhere the run wrote. */
function assertNoSecret(run: {stdout: string; stderr: string}, what: string): void {
	for (const secret of [password, ...jwtParts]) {
		assert.ok(
			!run.stdout.includes(secret) && !run.stderr.includes(secret),
			`${what} repeated a secret:\n${run.stderr}${run.stdout}`
		);
	}
}

/** The built CLI as CI runs it, its stdout kept as text: runCli would parse a --json run's empty stdout. */
function jsonless(args: string[]): {code: number | null; stdout: string; stderr: string} {
	const run = spawnSync(process.execPath, [cliPath, ...args], {
		cwd: folder,
		env: {...withoutDiscovery(process.env), CI: 'true'},
		encoding: 'utf8',
	});
	return {code: run.status, stdout: run.stdout, stderr: run.stderr};
}

test('an .env given as --ignore-file, a key pasted as --ignore: refused by position, no password or JWT in the output', async () => {
	const env = path.join(folder, '.env');
	writeFileSync(
		env,
		`# local settings\nDATABASE_URL=postgresql://postgres:${password}@db.example:5432/postgres\nSERVICE_ROLE_KEY=${jwt}\n`
	);
	const database = await closedDatabase();
	const attempts: Array<[string[], RegExp]> = [
		[
			['--ignore-file', env],
			new RegExp(
				`^line 2 of --ignore-file ${env.replaceAll('/', '\\/')} is not a finding key: it does not start with a finding code`
			),
		],
		[
			['--ignore', jwt],
			/^the 1st --ignore value is not a finding key: it does not start with a finding code \(see `pgrst-doctor codes`\); copy keys from the report's "key"\.$/m,
		],
		[
			['--ignore', `trigger.missing,cache.table_stale:${jwt}`],
			/^the 2nd --ignore value is not a finding key: it looks like a secret/,
		],
		[
			['--ignore', `db.unreachable@postgresql://postgres:${password}@db.example/postgres`],
			/^the 1st --ignore value is not a finding key: it looks like a secret/,
		],
	];
	for (const [flags, message] of attempts) {
		// A usage error comes before any report: with --json too, stdout stays empty (so no JSON carries the secret).
		for (const json of [[], ['--json']]) {
			const run = jsonless(['check', '--db-url', database, ...flags, ...json]);
			assert.equal(run.code, 2, run.stderr);
			assert.equal(run.stdout, '', 'a usage error, before any report');
			assert.match(run.stderr, message);
			assert.equal(run.stderr.trimEnd().split('\n').length, 2, 'one sentence and the hint');
			assertNoSecret(run, flags.join(' '));
		}
	}
});

test('keys that pass start with a finding code, and are echoed in the plain report and the JSON', async () => {
	const database = await closedDatabase();
	const key = 'cache.column_missing:public.orders.total';
	const json = await runCli(['check', '--db-url', database, '--json', '--ignore', key]);
	assert.equal(json.code, 2);
	assert.deepEqual(json.json.unmatchedIgnores, [key]);
	const plain = await runCli(['check', '--db-url', database, '--ignore', key]);
	assert.match(plain.stdout, /^ {2}--ignore matched no finding: cache\.column_missing:public\.orders\.total$/m);
});

test('more keys than an allow-list may hold: one usage error, not a report of thousands of lines', async () => {
	const file = path.join(folder, 'huge');
	writeFileSync(file, Array.from({length: 120_001}, (_, index) => `cache.table_missing:public.t${index}`).join('\n'));
	const run = await runCli(['check', '--db-url', await closedDatabase(), '--ignore-file', file]);
	assert.equal(run.code, 2);
	assert.equal(run.stdout, '');
	assert.match(
		run.stderr,
		/^--ignore and --ignore-file give 120,001 finding keys, more than the 10,000 an allow-list may hold\.$/m
	);
});

/** The CLI in a pseudo-terminal (script(1)), outside CI: where `check` alone would start the interactive doctor. */
async function inTerminal(args: string[]): Promise<{code: number | null; output: string}> {
	const quoted = args.map(arg => `'${arg.replaceAll("'", "'\\''")}'`).join(' ');
	const command = `stty cols 100 rows 40; exec '${process.execPath}' '${cliPath}' ${quoted}`;
	const person = Object.fromEntries(
		Object.entries(withoutDiscovery(process.env)).filter(
			([name]) => name !== 'CI' && name !== 'CONTINUOUS_INTEGRATION' && !name.startsWith('CI_')
		)
	);
	const child = spawn('script', ['-qfec', command, '/dev/null'], {
		cwd: folder,
		env: {...person, TERM: 'xterm-256color'},
	});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	// The interactive doctor waits for a key; a report run ends by itself. Twenty seconds tell them apart.
	const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	clearTimeout(timer);
	return {code, output};
}

test('an empty or comment-only --ignore-file, or --ignore with only a comma, still means the report, not the interactive doctor', async () => {
	const empty = path.join(folder, 'empty');
	const comments = path.join(folder, 'comments');
	writeFileSync(empty, '');
	writeFileSync(comments, '# nothing accepted yet\n\n');
	const database = await closedDatabase();
	const control = await inTerminal(['check', '--db-url', database, '--ignore', 'db.unreachable']);
	assert.equal(control.code, 2, control.output);
	assert.match(control.output, /Next step/, 'the plain report, ended by itself');
	for (const flags of [
		['--ignore-file', empty],
		['--ignore-file', comments],
		['--ignore', ','],
		['--ignore', ' , '],
	]) {
		const run = await inTerminal(['check', '--db-url', database, ...flags]);
		assert.equal(run.code, 2, `${flags.join(' ')} in a terminal:\n${run.output}`);
		assert.match(run.output, /Next step/, `${flags.join(' ')}: the plain report`);
		assert.doesNotMatch(run.output, /--ignore matched no finding/, 'no keys, none unmatched');
	}
});
