// --ignore and --ignore-file against the real servers: CI accepts one known finding on purpose, by its stable key,
// and nothing else changes: the finding stays visible, a blocker cannot be waved through, stale keys are named.
import assert from 'node:assert/strict';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {findingRows, runCli} from './support/cli.js';
import {checkJson, useStack} from './support/e2e.js';
import {freePort} from './support/stack.js';

const {setUp} = useStack();

const columnKey = 'cache.column_missing:public.organizations.created_by';
const oddKey = 'cache.column_missing:public.Order%20Items.Unit.Price';
const folder = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-ignore-'));

test('a column added after PostgREST started fails the run; with its key ignored the run passes and still shows it', async () => {
	const item = await setUp();
	await item.query(`
		alter table public.organizations add column created_by text;
		create table public."Order Items" (id int primary key);
		alter table public."Order Items" add column "Unit.Price" numeric;
	`);
	const stale = await checkJson(item);
	assert.equal(stale.code, 1);
	const keys = (stale.json.findings as Array<{key: string}>).map(found => found.key).sort();
	assert.deepEqual(
		keys.filter(key => key.startsWith('cache.')),
		['cache.column_missing:public.organizations.created_by', 'cache.table_missing:public.Order%20Items']
	);

	const ignored = await checkJson(
		item,
		'--ignore',
		columnKey,
		'--ignore',
		'cache.table_missing:public.Order%20Items'
	);
	assert.equal(ignored.code, 0);
	assert.equal(ignored.json.exitCode, 0);
	assert.deepEqual(findingRows(ignored.json), ['trigger.missing']);
	assert.deepEqual(ignored.json.ignoredFindings.map((found: {key: string}) => found.key).sort(), [
		columnKey,
		'cache.table_missing:public.Order%20Items',
	]);
	assert.match(ignored.json.ignoredFindings[0].message, /is in the database but not in PostgREST's schema cache/);
	assert.deepEqual(ignored.json.unmatchedIgnores, []);
	assert.ok(
		!ignored.json.fixes.some((fix: {id: string}) => fix.id === 'reload'),
		'no reload is offered for what was accepted'
	);

	const plain = await runCli([
		'check',
		'--db-url',
		item.dbUrl,
		'--api-url',
		item.api.url,
		'--ignore',
		`${columnKey},${oddKey}`,
	]);
	assert.equal(plain.code, 1, 'the table finding was not ignored this time');
	assert.match(plain.stdout, new RegExp(`^ {2}ignored on purpose: ${columnKey.replaceAll('.', '\\.')}$`, 'm'));
	assert.match(
		plain.stdout,
		/^ {2}--ignore matched no finding: cache\.column_missing:public\.Order%20Items\.Unit\.Price$/m
	);
	assert.doesNotMatch(plain.stdout, /✖ error cache\.column_missing/);
});

test('an ignore file: comments and blank lines skipped, a key that matched nothing is reported, exit 0', async () => {
	const item = await setUp();
	await item.query('alter table public.organizations add column created_by text;');
	const file = path.join(folder, 'accepted');
	writeFileSync(
		file,
		`# accepted until the next release\n\n${columnKey}  # the column ships dark\ntrigger.missing:public.gone\n`
	);
	const {code, json} = await checkJson(item, '--ignore-file', file);
	assert.equal(code, 0);
	assert.deepEqual(
		json.ignoredFindings.map((found: {key: string}) => found.key),
		[columnKey]
	);
	assert.deepEqual(json.unmatchedIgnores, ['trigger.missing:public.gone']);
});

test('a finding that blocks the diagnosis cannot be ignored: exit stays 2 and the report says so', async () => {
	const closedPort = await freePort();
	const args = ['check', '--db-url', `postgresql://postgres:x@127.0.0.1:${closedPort}/postgres`];
	const refused = await runCli([...args, '--json']);
	assert.equal(refused.code, 2);
	assert.ok(refused.json.findings.some((found: {key: string}) => found.key === 'db.unreachable'));

	const ignored = await runCli([...args, '--json', '--ignore', 'db.unreachable,cache.not_compared']);
	assert.equal(ignored.code, 2);
	assert.deepEqual(findingRows(ignored.json), ['cache.not_compared', 'db.unreachable']);
	assert.deepEqual(ignored.json.ignoredFindings, []);
	assert.deepEqual(ignored.json.unignorable.sort(), ['cache.not_compared', 'db.unreachable']);

	const plain = await runCli([...args, '--ignore', 'db.unreachable']);
	assert.equal(plain.code, 2);
	assert.match(plain.stdout, /^ {2}cannot be ignored, it kept the diagnosis from being made: db\.unreachable$/m);
});

test('an unreadable ignore file and a key with control characters are usage errors (exit 2, one sentence)', async () => {
	const missing = path.join(folder, 'no-such-file');
	const unreadable = await runCli([
		'check',
		'--db-url',
		'postgresql://postgres:x@127.0.0.1:1/postgres',
		'--ignore-file',
		missing,
	]);
	assert.equal(unreadable.code, 2);
	assert.equal(unreadable.stdout, '');
	assert.match(
		unreadable.stderr,
		new RegExp(`^--ignore-file ${missing.replaceAll('/', '\\/')} could not be read \\(ENOENT\\): `)
	);

	const hostile = await runCli([
		'check',
		'--db-url',
		'postgresql://postgres:x@127.0.0.1:1/postgres',
		'--ignore',
		'trigger.missing\u001B]0;pwned\u0007',
	]);
	assert.equal(hostile.code, 2);
	assert.ok(!hostile.stderr.includes('\u001B'), 'the escape is shown, not sent');
	assert.match(
		hostile.stderr,
		/^the 1st --ignore value is not a finding key: it has a space or a character that is not printable ASCII;/
	);
	assert.ok(!hostile.stderr.includes('pwned'), 'a refused key is not repeated');
});
