// --ignore over a report, without servers: what leaves `findings`, what stays, what the exit code becomes, and how
// keys from the command line and a file are read and refused.
import assert from 'node:assert/strict';
import {writeFileSync, mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {finding} from '../source/findings.js';
import {fixCatalog} from '../source/fixes/fixCatalog.js';
import {ignoreKeys, libraryIgnoreKeys, maxKeyLength, maxKeys} from '../source/ignoreKeys.js';
import {findingsPerCode} from '../source/report/findingGroups.js';
import {diagnose} from '../source/index.js';
import {exitCodes, type Report, withIgnores} from '../source/report/buildReport.js';
import {painter, plainReport} from '../source/report/plainReport.js';
import {parseChannel} from '../source/sql/channel.js';
import {UsageError} from '../source/usageError.js';
import {reloadCure} from '../source/wording.js';

const channel = parseChannel('pgrst');
const created = {schema: 'public', table: 'organizations', column: 'created_by'};
const column = finding('cache.column_missing', created, {...created, ...reloadCure(channel)});
const trigger = finding('trigger.missing', {reload: "NOTIFY pgrst, 'reload schema';"}, {fixes: ['trigger']});
const unreachable = finding('db.unreachable', {
	where: 'postgres@127.0.0.1:1/postgres',
	reason: 'the connection was refused.',
});
const catalog = fixCatalog(channel);

const report = (findings: Report['findings']): Report => ({
	schemaVersion: 1,
	tool: {name: 'pgrst-doctor', version: '0'},
	target: {db: 'postgres@127.0.0.1:5432/app', api: 'http://127.0.0.1:3000'},
	postgrest: {version: '12.0.2', cacheSource: 'OpenAPI + probes', probeRequests: 3},
	schemas: {names: ['public'], source: 'PostgREST'},
	checks: [
		{
			id: 'cache.columns',
			title: 'Columns in the cache',
			status: 'fail',
			summary: '1 column difference',
			durationMs: 1,
		},
	],
	findings,
	fixes: [catalog.reload, catalog.trigger, catalog['manual-reload']],
	exitCode: findings.some(found => found.code === 'db.unreachable') ? 2 : 1,
});

test('an ignored finding leaves findings, fixes and the exit code, and is listed with its key', () => {
	const ignored = withIgnores(report([column, trigger]), [column.key, 'cache.table_missing:public.gone']);
	assert.deepEqual(ignored.findings, [trigger]);
	assert.deepEqual(ignored.ignoredFindings, [column]);
	assert.deepEqual(
		ignored.fixes.map(fix => fix.id),
		['trigger'],
		'no reload for what was accepted'
	);
	assert.deepEqual(ignored.unmatchedIgnores, ['cache.table_missing:public.gone']);
	assert.deepEqual(ignored.unignorable, []);
	assert.equal(ignored.exitCode, exitCodes.healthy, 'a warning alone is healthy');
	const text = plainReport(ignored, painter(false));
	assert.match(text, /^ {2}ignored on purpose: cache\.column_missing:public\.organizations\.created_by$/m);
	assert.match(text, /^ {2}--ignore matched no finding: cache\.table_missing:public\.gone$/m);
	assert.doesNotMatch(
		text,
		/Nothing to do: PostgREST's schema cache matches/,
		'an ignored difference is not a match'
	);
});

test('only ignored findings left: the next step says so instead of calling the cache healthy', () => {
	const text = plainReport(withIgnores(report([column]), [column.key]), painter(false));
	assert.match(text, /Nothing else to do: 1 finding ignored on purpose \(--ignore\), listed above\./);
});

test('a blocking finding stays, with exit 2, and its key is named as one that cannot be ignored', () => {
	const ignored = withIgnores(report([unreachable, column]), [unreachable.key, column.key]);
	assert.deepEqual(ignored.findings, [unreachable]);
	assert.deepEqual(ignored.unignorable, ['db.unreachable']);
	assert.equal(ignored.exitCode, exitCodes.undiagnosed);
	assert.match(
		plainReport(ignored, painter(false)),
		/^ {2}cannot be ignored, it kept the diagnosis from being made: db\.unreachable$/m
	);
});

test('no keys: the report is returned as it was, without the ignore fields', () => {
	const plain = report([column]);
	assert.equal(withIgnores(plain, []), plain);
	assert.equal(withIgnores(plain, undefined), plain);
});

test('keys from flags and a file: comma lists, comments, blank lines, each once; bad keys and files are usage errors', () => {
	const folder = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-keys-'));
	const file = path.join(folder, 'keys');
	writeFileSync(file, '# accepted\n\ntrigger.missing   # managed database\r\ncache.column_missing:public.t.c\n');
	const given = ['trigger.missing, cache.table_stale', ' listener.missing@http%3A%2F%2Fa '];
	const keys = [
		'trigger.missing',
		'cache.table_stale',
		'listener.missing@http%3A%2F%2Fa',
		'cache.column_missing:public.t.c',
	];
	assert.deepEqual(ignoreKeys(given, file), keys);
	assert.throws(
		() => ignoreKeys([], path.join(folder, 'absent')),
		(error: unknown) =>
			error instanceof UsageError &&
			/^--ignore-file .*absent could not be read \(ENOENT\): give a file of finding keys, one a line\.$/.test(
				error.message
			)
	);
	const refused = (values: string[], message: RegExp) =>
		assert.throws(
			() => ignoreKeys(values, undefined),
			(error: unknown) =>
				error instanceof UsageError &&
				message.test(error.message) &&
				values.every(value => !error.message.includes(value))
		);
	refused(['trigger.missing has space'], /^the 1st --ignore value is not a finding key: it has a space/);
	refused(
		[`cache.table_stale:${'x'.repeat(maxKeyLength)}`],
		/^the 1st --ignore value is not a finding key: it is longer than 1024/
	);
	refused(
		['trigger.missing', 'tab\tkey'],
		/^the 2nd --ignore value is not a finding key: it has a space or a character/
	);
	refused(
		['a.b'],
		/^the 1st --ignore value is not a finding key: it does not start with a finding code \(see `pgrst-doctor codes`\); copy keys from the report's "key"\.$/
	);
	refused(['cache.table_stalex'], /does not start with a finding code/);
	assert.deepEqual(ignoreKeys(['cache.table_stale@x'], undefined), ['cache.table_stale@x'], 'a code then @ is a key');
});

test('ordinals in the usage error: 1st 2nd 3rd 4th 11th 12th 13th 21st 22nd', () => {
	const at = (position: number) => {
		const values = [...Array.from({length: position - 1}, () => 'trigger.missing'), 'nonsense'];
		try {
			ignoreKeys(values, undefined);
		} catch (error) {
			return (error as Error).message.split(' --ignore')[0];
		}
		return undefined;
	};
	assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 103].map(at), [
		'the 1st',
		'the 2nd',
		'the 3rd',
		'the 4th',
		'the 11th',
		'the 12th',
		'the 13th',
		'the 21st',
		'the 22nd',
		'the 103rd',
	]);
});

const password = 'Sup3rSecretPw';
const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJlLW9mLXRoZS1rZXk';
const secretKey = 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz';

test('an .env given as --ignore-file: refused by its line number, the password and the JWT never repeated', () => {
	const folder = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-keys-'));
	const env = path.join(folder, '.env');
	const noCode = 'it does not start with a finding code (see `pgrst-doctor codes`)';
	const lines = [
		`DATABASE_URL=postgresql://postgres:${password}@db.example:5432/postgres`,
		`SERVICE_ROLE_KEY=${jwt}`,
	];
	for (const line of lines) {
		writeFileSync(env, `# settings\n\n${line}\n`);
		assert.throws(
			() => ignoreKeys([], env),
			(error: unknown) =>
				error instanceof UsageError &&
				error.message ===
					`line 3 of --ignore-file ${env} is not a finding key: ${noCode}; copy keys from the report's "key".` &&
				!error.message.includes(password) &&
				!error.message.includes(jwt.slice(0, 20))
		);
	}
});

test('a secret after a finding code is refused too, and not repeated', () => {
	for (const secret of [
		`cache.table_stale@postgresql://postgres:${password}@db.example/postgres`,
		`trigger.missing:${jwt}`,
		`cache.table_stale:${secretKey}`,
	]) {
		assert.throws(
			() => ignoreKeys([secret], undefined),
			(error: unknown) =>
				error instanceof UsageError &&
				/^the 1st --ignore value is not a finding key: it looks like a secret \(a password in a URL, a JWT or a secret key\); copy keys/.test(
					error.message
				) &&
				!error.message.includes(password) &&
				!error.message.includes('eyJ') &&
				!error.message.includes('sb_secret')
		);
	}
	assert.throws(
		() => ignoreKeys([jwt], undefined),
		(error: unknown) =>
			error instanceof UsageError &&
			/not a finding key: it does not start with a finding code/.test(error.message) &&
			!error.message.includes('eyJ')
	);
});

test(`more than ${maxKeys} keys is one usage error; ${maxKeys} pass`, () => {
	const folder = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-keys-'));
	const file = path.join(folder, 'many');
	const many = (count: number) =>
		Array.from({length: count}, (_, index) => `cache.table_missing:public.t${index}`).join('\n');
	writeFileSync(file, many(maxKeys));
	assert.equal(ignoreKeys([], file).length, maxKeys);
	writeFileSync(file, many(150_000));
	assert.throws(
		() => ignoreKeys(['trigger.missing'], file),
		(error: unknown) =>
			error instanceof UsageError &&
			error.message ===
				'--ignore and --ignore-file give 150,001 finding keys, more than the 10,000 an allow-list may hold.'
	);
});

test("the library's ignore: an array of strings, trimmed like the CLI's, else one sentence without control characters", () => {
	assert.deepEqual(libraryIgnoreKeys(undefined), []);
	assert.deepEqual(libraryIgnoreKeys([' trigger.missing ', '', 'trigger.missing', 'cache.table_stale']), [
		'trigger.missing',
		'cache.table_stale',
	]);
	const shape = 'ignore must be an array of finding keys (strings), as the report\'s "key" gives them.';
	for (const wrong of [
		'trigger.missing',
		new Set(['trigger.missing']),
		42,
		[null],
		[{}],
		null,
		{length: 1, 0: 'trigger.missing'},
	]) {
		assert.throws(
			() => libraryIgnoreKeys(wrong),
			(error: unknown) => error instanceof UsageError && error.message === shape,
			JSON.stringify(wrong)
		);
	}
	assert.throws(
		() => libraryIgnoreKeys(['trigger.missing', 'trigger.missing\u001B]0;pwned\u0007']),
		(error: unknown) =>
			error instanceof UsageError &&
			error.message.startsWith('ignore[1] is not a finding key: it has a space or a character') &&
			!/[\u0000-\u001F\u007F]/.test(error.message)
	);
	assert.throws(
		() => libraryIgnoreKeys([`db.unreachable@postgresql://u:${password}@h/db`]),
		(error: unknown) => error instanceof UsageError && !error.message.includes(password)
	);
});

test('a huge list of unmatched keys: the plain report shows a screenful and counts the rest, without overflowing the stack', () => {
	const keys = Array.from({length: 200_000}, (_, index) => `cache.table_missing:public.t${index}`);
	const ignored = withIgnores(report([column]), [column.key, ...keys]);
	assert.equal(ignored.unmatchedIgnores?.length, keys.length, 'the JSON document keeps them all');
	const text = plainReport(ignored, painter(false));
	const unmatched = text.split('\n').filter(line => line.startsWith('  --ignore matched no finding: '));
	assert.deepEqual(
		unmatched,
		keys.slice(0, findingsPerCode).map(key => `  --ignore matched no finding: ${key}`)
	);
	assert.match(text, /^ {2}… and 199980 more --ignore keys that matched no finding \(--json lists all\)$/m);
	assert.match(text, /^ {2}ignored on purpose: cache\.column_missing:public\.organizations\.created_by$/m);
});

test('the plain report caps findings ignored on purpose and keys that cannot be ignored the same way', () => {
	const columns = Array.from({length: findingsPerCode + 2}, (_, index) => {
		const about = {schema: 'public', table: 't', column: `c${index}`};
		return finding('cache.column_missing', about, {...about, ...reloadCure(channel)});
	});
	const text = plainReport(
		withIgnores(
			report(columns),
			columns.map(found => found.key)
		),
		painter(false)
	);
	assert.equal(text.split('\n').filter(line => line.startsWith('  ignored on purpose: ')).length, findingsPerCode);
	assert.match(text, /^ {2}… and 2 more findings ignored on purpose \(--json lists all\)$/m);
});

test('library diagnose({ignore}): a value that is not an array of keys is a UsageError before anything connects', async () => {
	const connection = {database: 'postgresql://postgres:x@127.0.0.1:1/postgres', api: 'http://127.0.0.1:1'};
	for (const ignore of ['trigger.missing', new Set(['trigger.missing']), 42, [null], [{}]]) {
		await assert.rejects(
			diagnose({...connection, ignore: ignore as string[]}),
			(error: unknown) =>
				error instanceof UsageError &&
				error.message ===
					'ignore must be an array of finding keys (strings), as the report\'s "key" gives them.'
		);
	}
	await assert.rejects(
		diagnose({...connection, ignore: ['trigger.missing', ' \u001B[31mred ']}),
		(error: unknown) =>
			error instanceof UsageError &&
			error.message.startsWith('ignore[1] is not a finding key') &&
			!error.message.includes('\u001B')
	);
});

test('an ignore file is read in bounded chunks: an endless one (/dev/zero) is refused with a sentence, a directory too', () => {
	assert.throws(
		() => ignoreKeys([], '/dev/zero'),
		(error: unknown) =>
			error instanceof UsageError &&
			error.message === '--ignore-file /dev/zero is larger than 16 MiB: give a file of finding keys, one a line.'
	);
	assert.throws(
		() => ignoreKeys([], tmpdir()),
		(error: unknown) => error instanceof UsageError && /could not be read \(EISDIR\)/.test(error.message)
	);
});
