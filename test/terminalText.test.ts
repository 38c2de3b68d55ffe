// The sanitiser and the renderers that use it, as pure functions: hostile text in every field of a report, a report
// of 200,000 findings, pasted explain input, and the OSC 52 clipboard payload.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {explainText} from '../source/report/explainText.js';
import type {Finding} from '../source/findings.js';
import type {Report} from '../source/report/buildReport.js';
import {findingsPerCode} from '../source/report/findingGroups.js';
import {painter, plainReport} from '../source/report/plainReport.js';
import {jsonDocument, terminalBlock, terminalLine, terminalValues} from '../source/terminalText.js';
import {osc52} from '../source/ui/DoctorApp.js';
import {assertTerminalSafe, bel, csi, forgedPass, osc0, osc52 as clipboardWrite} from './support/hostileText.js';

const hostile = `${csi}${osc0}${clipboardWrite}${bel}${forgedPass}\u009B2J\u202Eevil\u2066\u007F`;

function report(findings: Finding[], extra: Partial<Report> = {}): Report {
	return {
		schemaVersion: 1,
		tool: {name: 'pgrst-doctor', version: '0.1.0'},
		target: {db: `postgres@db${hostile}:5432/app`, api: 'http://localhost:3000'},
		postgrest: {version: `12.0.2${hostile}`, cacheSource: 'OpenAPI + probes', probeRequests: 3},
		schemas: {names: ['public', `s${hostile}`], source: 'PostgREST'},
		checks: [
			{
				id: 'cache.columns',
				title: 'Columns in the cache',
				status: 'pass',
				summary: `summary ${hostile}`,
				durationMs: 1,
			},
		],
		findings,
		fixes: [],
		exitCode: 1,
		...extra,
	};
}

const columnMissing = (index: number, name = `c${index}`): Finding => ({
	code: 'cache.column_missing',
	key: `cache.column_missing:public.t.${name}`,
	severity: 'error',
	message: `public.t.${name} is in the database but not in PostgREST's schema cache`,
	schema: 'public',
	table: 't',
	column: name,
});

test('terminalLine shows every control character, DEL, C1 control and bidi override as an escape', () => {
	assert.equal(terminalLine('a\u001B[31mb'), 'a\\x1b[31mb');
	assert.equal(terminalLine('\u001B]0;pwned\u0007'), '\\x1b]0;pwned\\x07');
	assert.equal(terminalLine('line\r\n✔ PASS'), 'line\\r\\n✔ PASS');
	assert.equal(terminalLine('\t\u0000\u007F\u0085\u009B\u009D'), '\\t\\x00\\x7f\\x85\\x9b\\x9d');
	assert.equal(
		terminalLine('\u202Aa\u202Eb\u2066c\u2069\u200E\u200F\u061C\u2028\u2029'),
		'\\u202aa\\u202eb\\u2066c\\u2069\\u200e\\u200f\\u061c\\u2028\\u2029'
	);
	assert.equal(
		terminalLine('Ünïcödé ✔ 漢字 🐘 "quoted" back\\slash'),
		'Ünïcödé ✔ 漢字 🐘 "quoted" back\\slash',
		'printable text is untouched'
	);
	assert.equal(terminalLine(terminalLine(hostile)), terminalLine(hostile), 'idempotent: safe text stays as it is');
});

test('terminalBlock keeps our own line breaks and nothing else', () => {
	assert.equal(terminalBlock('select 1;\nselect 2;\r\n\u001B[2J'), 'select 1;\nselect 2;\\r\n\\x1b[2J');
});

test('terminalValues copies a document with every string safe; block keys keep their lines; the original is untouched', () => {
	const document = {
		a: `x${forgedPass}`,
		list: [`y${bel}`, 1, null, true],
		nested: {preview: 'line 1\nline 2\u001B[31m', steps: ['one\ntwo']},
	};
	const copy = terminalValues(document, new Set(['preview']));
	assert.deepEqual(copy, {
		a: 'x\\r\\n✔ PASS  forged',
		list: ['y\\x07', 1, null, true],
		nested: {preview: 'line 1\nline 2\\x1b[31m', steps: ['one\\ntwo']},
	});
	assert.equal(document.a, `x${forgedPass}`);
});

test('plain report: hostile text in every field is shown, never emitted, with and without colour', () => {
	const found: Finding = {...columnMissing(1, `c${hostile}`), suggestion: `Reload ${hostile}`};
	const withFixes = report([found], {
		fixes: [
			{
				id: 'manual-reload',
				kind: 'manual',
				title: `By hand ${hostile}`,
				preview: `step 1 ${hostile}\nstep 2`,
				writes: false,
				proves: [],
			},
		],
		fixesApplied: [
			{
				id: 'reload',
				ok: false,
				verified: false,
				durationMs: 3,
				message: `failed ${hostile}`,
				steps: [`step ${hostile}`],
			},
		],
		before: {exitCode: 1, findings: [found]},
	});
	for (const colour of [false, true]) {
		const text = plainReport(withFixes, painter(colour));
		assertTerminalSafe(text, `plain report (colour ${colour})`, {colour});
		assert.ok(text.includes('\\x1b]0;pwned\\x07'));
		if (colour) assert.ok(text.includes('\u001B[31m✖ error\u001B[39m'), 'our own colours still paint');
	}
	const planned = plainReport(
		report([found], {
			fixesPlanned: [
				{
					id: 'trigger',
					title: 'Install',
					preview: 'create …;\ncomment …;',
					writes: true,
					dryRun: `failed: ${hostile}`,
				},
			],
		}),
		painter(false)
	);
	assertTerminalSafe(planned, 'planned fixes');
	assert.match(planned, /\n {4}create …;\n {4}comment …;/, 'the SQL preview keeps its lines');
});

test('plain report of 200,000 findings lists a screenful per code and counts the rest', () => {
	const findings = Array.from({length: 200_000}, (_, index) => columnMissing(index));
	findings.push({code: 'trigger.missing', key: 'trigger.missing', severity: 'warning', message: 'No event trigger'});
	const started = performance.now();
	const text = plainReport(report(findings), painter(false));
	const elapsed = performance.now() - started;
	const lines = text.split('\n');
	assert.ok(lines.length < 60, `${lines.length} lines`);
	assert.equal(lines.filter(line => line.includes('cache.column_missing  public.t.')).length, findingsPerCode);
	assert.ok(
		text.includes(`… and ${200_000 - findingsPerCode} more cache.column_missing findings (--json lists all)`)
	);
	assert.ok(text.includes('trigger.missing  No event trigger'), 'other codes are still listed');
	assert.ok(elapsed < 5000, `${Math.round(elapsed)} ms`);
	assert.ok(
		!plainReport(report(findings.slice(0, findingsPerCode)), painter(false)).includes('more cache.column_missing'),
		'no count when nothing was left out'
	);
});

test('explain text: a pasted error with escapes is shown escaped', () => {
	const explained = report([], {
		error: {
			kind: 'column_not_found',
			code: 'PGRST204',
			message: hostile,
			table: `t${hostile}`,
			column: `c${forgedPass}`,
		},
		advice: {meaning: `means ${hostile}`, causes: [{cause: `cause ${hostile}`, check: `check ${forgedPass}`}]},
	});
	for (const colour of [false, true]) assertTerminalSafe(explainText(explained, colour), 'explain', {colour});
	assertTerminalSafe(explainText(report([columnMissing(1, `c${hostile}`)]), false), 'explain with a report');
});

test('the OSC 52 clipboard payload carries no control characters', () => {
	const sequence = osc52(`NOTIFY "ch${osc0}", 'reload schema';\nselect 1;`);
	const payload = Buffer.from(/^\u001B\]52;c;([A-Za-z0-9+/=]*)\u0007$/.exec(sequence)![1]!, 'base64').toString(
		'utf8'
	);
	assert.equal(payload, 'NOTIFY "ch\\x1b]0;pwned\\x07", \'reload schema\';\nselect 1;');
});

test('--json output carries no raw C1 control, bidi override or line separator, and parses back to the same strings', () => {
	const hostile = `a\u009b31mb\u202ec\u2028d\u007fe${csi}`;
	const text = jsonDocument({name: hostile, list: [hostile]});
	assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2028\u2029]/);
	assert.deepEqual(JSON.parse(text), {name: hostile, list: [hostile]});
});
