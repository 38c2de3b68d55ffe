// plainReport (source/report/plainReport.ts) from a report to the text `check` prints, exactly. The pairs were
// recorded by test/support/recordDiagnosis.ts from PostgreSQL 18 and PostgREST 12.0.2 and 11.2.2: the same state
// diagnosed twice by the built CLI, once with --json and once as text (piped, NO_COLOR). The reports in
// test/fixtures/report-*.json (recorded with check --json, see test/support/fakeEngine.ts) have no text beside them:
// for those, what colour may add and what every report must show.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {finding} from '../source/findings.js';
import type {Report} from '../source/report/buildReport.js';
import {painter, plainReport} from '../source/report/plainReport.js';

type Printed = {report: Report; text: string; exitCode: number};
const fixture = <T>(name: string): T =>
	JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')) as T;
const diagnosedOn = (version: string) => fixture<{value: Record<string, Printed>}>(`diagnosis-${version}.json`).value;
const printedOn = (version: string) => fixture<{value: Record<string, Printed>}>(`printed-${version}.json`).value;
const diagnosed = diagnosedOn('12.0.2');
const reports = ['report-stale-12.0.2.json', 'report-reloaded-12.0.2.json', 'report-db-unreachable-12.0.2.json'].map(
	name => [name, fixture<Report>(name)] as const
);

const plain = painter(false);
/** The text without Select Graphic Rendition codes (colour and bold); any other escape stays and fails the test. */
const withoutColour = (text: string) =>
	text
		.split('\u001B[')
		.map((part, index) => (index === 0 ? part : part.replace(/^\d+m/, '')))
		.join('');
/** Control characters other than the line feed: what must never reach a terminal from outside text. */
const controls = (text: string) =>
	[...text].filter(character => {
		const code = character.codePointAt(0)!;
		return (code < 0x20 && code !== 0x0a) || code === 0x7f;
	});

for (const version of ['12.0.2', '11.2.2']) {
	for (const [state, {report, text, exitCode}] of Object.entries(diagnosedOn(version))) {
		test(`check (${state}, PostgREST ${version}): the text is what the CLI printed for the same state`, () => {
			assert.equal(plainReport(report, plain), text);
			assert.equal(report.exitCode, exitCode);
		});
	}

	test(`check --fix all without --yes (PostgREST ${version}): what would apply, with the dry run, as printed`, () => {
		const {report, text} = printedOn(version).planned!;
		assert.equal(plainReport(report, plain), text);
		assert.match(text, /^Would apply \(nothing was written; add --yes to apply\)$/m);
		assert.doesNotMatch(text, /^Next step$/m, 'a plan ends the report');
	});

	test(`check --fix reload --yes (PostgREST ${version}): the fix, its proof and the tally, as printed`, () => {
		const {report, text} = printedOn(version).fixed!;
		// Two runs, one state: only the milliseconds and PostgREST's session count (its pool after a reload) differ.
		const repeatable = (value: string) =>
			value.replaceAll(/\d+ ms\b/g, 'N ms').replaceAll(/\d+ sessions? of it here/g, 'N sessions of it here');
		assert.equal(repeatable(plainReport(report, plain)), repeatable(text));
		assert.match(text, /^ {2}✔ done reload: .*\(\d+ ms, proved\)$/m);
		assert.match(text, /^ {2}Before: 3 findings \(2 errors\)\. After: 1 finding \(0 errors\)\.$/m);
	});
}

for (const [name, report] of [
	...reports,
	...Object.entries(diagnosed).map(([state, {report}]) => [state, report] as const),
]) {
	test(`${name}: colour only paints around the same text, and every check and finding is shown once`, () => {
		const text = plainReport(report, plain);
		const coloured = plainReport(report, painter(true));
		assert.notEqual(coloured, text);
		assert.equal(withoutColour(coloured), text);
		const lines = text.split('\n');
		for (const check of report.checks) {
			assert.equal(
				lines.filter(line => line.includes(` ${check.id} `) && line.endsWith(check.summary)).length,
				1,
				check.id
			);
		}
		for (const found of report.findings) {
			assert.equal(lines.filter(line => line.endsWith(`${found.code}  ${found.message}`)).length, 1, found.code);
		}
		assert.equal(text.endsWith('\n'), true);
	});
}

test('past 20 findings of one code the text counts the rest, and says --json lists them all', () => {
	const {report} = diagnosed.stale!;
	const missing = Array.from({length: 23}, (_, index) =>
		finding(
			'cache.column_missing',
			{schema: 'public', table: 'organizations', column: `c${index}`},
			{schema: 'public', table: 'organizations', column: `c${index}`, fixes: ['reload']}
		)
	);
	const text = plainReport({...report, findings: [...missing, ...report.findings]}, plain);
	assert.equal(text.split('\n').filter(line => line.includes('error cache.column_missing')).length, 20);
	assert.match(text, /^ {4}… and 4 more cache\.column_missing findings \(--json lists all\)$/m);
});

test('a finding message with control characters is shown as escapes, never sent to the terminal', () => {
	const {report} = diagnosed.stale!;
	const hostile = finding(
		'cache.column_missing',
		{schema: 'public', table: 'organizations', column: 'a\u001B]0;pwned\u0007b'},
		{fixes: ['reload']}
	);
	const text = plainReport({...report, findings: [hostile]}, plain);
	assert.deepEqual(controls(text), []);
	assert.match(text, /pwned/);
});
