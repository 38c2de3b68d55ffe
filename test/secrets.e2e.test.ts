// Issue 9 case 10 against the real PostgreSQL 18 and PostgREST 12.0.2: passwords that are ordinary words, JSON
// literals, or full of URL and JSON syntax. The display is built from parsed parts, so nothing printed depends on
// the password: each run's output equals the same run with another password.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {runCli} from './support/cli.js';
import {useStack} from './support/e2e.js';
import type {Scenario} from './support/scenario.js';

const stack = useStack();
const role = 'doctor_secret';
const reference = 'reference-password-42';
/** Words and literals first: a leak of these shows only by comparison (redaction once turned "writes": true into ***). */
const passwords = ['postgres', 'true', '1', 'a/b@c', '100%pure', 'say "hi"', 'back\\slash', `it's%2F#?&=:`];
/** Passwords that are also ordinary words of the output: for these only the comparison can tell. */
const words = new Set(['postgres', 'true', '1']);

let item: Scenario;

const url = (password: string, database = item.name) =>
	`postgresql://${role}:${encodeURIComponent(password)}@127.0.0.1:${stack.pg.port}/${database}`;

async function setPassword(password: string): Promise<void> {
	const [row] = await stack.pg.query<{statement: string}>(
		`select format('alter role ${role} password %L', $1::text) as statement`,
		[password]
	);
	await stack.pg.query(row!.statement);
}

/** Timings are the only part of a run that may differ from one run to the next. */
const normalised = (text: string) =>
	text.replace(/"(durationMs|database|api|cache|checks)": \d+/g, '"$1": 0').replace(/\d+ ms\b/g, '0 ms');

async function run(password: string, connectAs = password, ...extra: string[]) {
	await setPassword(password);
	return runCli(['check', '--db-url', url(connectAs), '--api-url', item.api.url, ...extra]);
}

test('set up a role that may log in and read the catalog', async () => {
	item = await stack.setUp();
	await stack.pg.query(`create role ${role} login superuser password '${reference}'`);
});

test('check --json: valid JSON, target.db exactly user@host:port/db, fields intact, output independent of the password', async () => {
	const expected = await run(reference, reference, '--json');
	assert.equal(expected.json.target.db, `${role}@127.0.0.1:${stack.pg.port}/${item.name}`);
	const trigger = expected.json.fixes.find((fix: {id: string}) => fix.id === 'trigger');
	assert.equal(trigger.writes, true, 'a JSON true next to a password "true"');
	for (const password of passwords) {
		const {json, stdout, stderr, code} = await run(password, password, '--json');
		assert.equal(json.target.db, `${role}@127.0.0.1:${stack.pg.port}/${item.name}`, password);
		assert.equal(json.fixes.find((fix: {id: string}) => fix.id === 'trigger').writes, true);
		assert.equal(code, expected.code, password);
		assert.equal(
			normalised(stdout),
			normalised(expected.stdout),
			`the output with password ${JSON.stringify(password)} differs from the reference run`
		);
		assert.equal(stderr, '');
		if (!words.has(password)) {
			for (const form of [password, encodeURIComponent(password), JSON.stringify(password).slice(1, -1)])
				assert.ok(!stdout.includes(form), `${password} leaked`);
		}
	}
});

test('plain output: the same with every password', async () => {
	const expected = await run(reference);
	assert.match(expected.stdout, new RegExp(`database {3}${role}@127\\.0\\.0\\.1:${stack.pg.port}/${item.name}\\n`));
	for (const password of passwords) {
		const {stdout} = await run(password);
		assert.equal(
			normalised(stdout),
			normalised(expected.stdout),
			`plain output with password ${JSON.stringify(password)}`
		);
	}
});

test('a wrong password: db.auth_failed, and the output does not depend on which wrong password was tried', async () => {
	const expected = await run(reference, 'wrong-one', '--json');
	assert.equal(expected.code, 2);
	assert.ok(expected.json.findings.some((found: {code: string}) => found.code === 'db.auth_failed'));
	for (const wrong of passwords) {
		const {stdout} = await run(reference, wrong, '--json');
		assert.equal(normalised(stdout), normalised(expected.stdout), `wrong password ${JSON.stringify(wrong)}`);
		const plain = await run(reference, wrong);
		if (!words.has(wrong))
			assert.ok(!plain.stdout.includes(wrong) && !plain.stdout.includes(encodeURIComponent(wrong)));
	}
});

test('an API key with quotes and backslashes never reaches the output, plain or JSON', async () => {
	await setPassword(reference);
	const key = 'key-with-"quote"-and-\\backslash\\-secret';
	for (const extra of [['--json'], []]) {
		const {stdout, stderr} = await runCli([
			'check',
			'--db-url',
			url(reference),
			'--api-url',
			item.api.url,
			'--api-key',
			key,
			...extra,
		]);
		for (const form of [key, JSON.stringify(key).slice(1, -1), encodeURIComponent(key)])
			assert.ok(!(stdout + stderr).includes(form), `the key leaked as ${form}`);
		if (extra.length) assert.doesNotThrow(() => JSON.parse(stdout));
	}
});

test('a password with an unencoded / is refused, not shown', async () => {
	const {code, stdout, stderr} = await runCli([
		'check',
		'--db-url',
		`postgresql://${role}:a/b@c@127.0.0.1:${stack.pg.port}/${item.name}`,
		'--api-url',
		item.api.url,
	]);
	assert.equal(code, 2);
	assert.equal(stdout, '');
	assert.doesNotMatch(stderr, /a\/b|b@c/);
	assert.match(stderr, /percent-encode .*\/ as %2F/);
});
