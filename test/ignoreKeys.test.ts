// --ignore over a report, without servers: what leaves `findings`, what stays, what the exit code becomes, and how
// keys from the command line and a file are read and refused.
import assert from 'node:assert/strict';
import {writeFileSync, mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {finding} from '../source/findings.js';
import {fixCatalog} from '../source/fixes/fixCatalog.js';
import {ignoreKeys, maxKeyLength} from '../source/ignoreKeys.js';
import {exitCodes, type Report, withIgnores} from '../source/report/buildReport.js';
import {painter, plainReport} from '../source/report/plainReport.js';
import {parseChannel} from '../source/sql/channel.js';
import {UsageError} from '../source/usageError.js';
import {reloadCure} from '../source/wording.js';

const channel = parseChannel('pgrst');
const created = {schema: 'public', table: 'organizations', column: 'created_by'};
const column = finding('cache.column_missing', created, {...created, ...reloadCure(channel)});
const trigger = finding('trigger.missing', {reload: 'NOTIFY pgrst, \'reload schema\';'}, {fixes: ['trigger']});
const unreachable = finding('db.unreachable', {where: 'postgres@127.0.0.1:1/postgres', reason: 'the connection was refused.'});
const catalog = fixCatalog(channel);

const report = (findings: Report['findings']): Report => ({
	schemaVersion: 1,
	tool: {name: 'pgrst-doctor', version: '0'},
	target: {db: 'postgres@127.0.0.1:5432/app', api: 'http://127.0.0.1:3000'},
	postgrest: {version: '12.0.2', cacheSource: 'OpenAPI + probes', probeRequests: 3},
	schemas: {names: ['public'], source: 'PostgREST'},
	checks: [{id: 'cache.columns', title: 'Columns in the cache', status: 'fail', summary: '1 column difference', durationMs: 1}],
	findings,
	fixes: [catalog.reload, catalog.trigger, catalog['manual-reload']],
	exitCode: findings.some(found => found.code === 'db.unreachable') ? 2 : 1,
});

test('an ignored finding leaves findings, fixes and the exit code, and is listed with its key', () => {
	const ignored = withIgnores(report([column, trigger]), [column.key, 'cache.table_missing:public.gone']);
	assert.deepEqual(ignored.findings, [trigger]);
	assert.deepEqual(ignored.ignoredFindings, [column]);
	assert.deepEqual(ignored.fixes.map(fix => fix.id), ['trigger'], 'no reload for what was accepted');
	assert.deepEqual(ignored.unmatchedIgnores, ['cache.table_missing:public.gone']);
	assert.deepEqual(ignored.unignorable, []);
	assert.equal(ignored.exitCode, exitCodes.healthy, 'a warning alone is healthy');
	const text = plainReport(ignored, painter(false));
	assert.match(text, /^ {2}ignored on purpose: cache\.column_missing:public\.organizations\.created_by$/m);
	assert.match(text, /^ {2}--ignore matched no finding: cache\.table_missing:public\.gone$/m);
	assert.doesNotMatch(text, /Nothing to do: PostgREST's schema cache matches/, 'an ignored difference is not a match');
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
	assert.match(plainReport(ignored, painter(false)), /^ {2}cannot be ignored, it kept the diagnosis from being made: db\.unreachable$/m);
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
	assert.deepEqual(ignoreKeys(['trigger.missing, a.b', ' c.d '], file), ['trigger.missing', 'a.b', 'c.d', 'cache.column_missing:public.t.c']);
	assert.throws(() => ignoreKeys([], path.join(folder, 'absent')), (error: unknown) => error instanceof UsageError
		&& /^--ignore-file .*absent could not be read \(ENOENT\): give a file of finding keys, one a line\.$/.test(error.message));
	assert.throws(() => ignoreKeys(['has space'], undefined), /--ignore: has space is not a finding key/);
	assert.throws(() => ignoreKeys(['x'.repeat(maxKeyLength + 1)], undefined), /is not a finding key \(printable ASCII/);
	assert.throws(() => ignoreKeys(['tab\tkey'], undefined), UsageError);
});
