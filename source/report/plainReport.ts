// Plain text for pipes, logs and CI: no cursor movement, colour only on a terminal that wants it. Every string from
// the report is made safe to print before our own colours are painted around it.
import type {CheckStatus} from '../checks/check.js';
import type {Severity} from '../findings.js';
import {quoteIdentifier} from '../sql/quoteIdentifier.js';
import {terminalLine, terminalValues} from '../terminalText.js';
import {plural} from '../wording.js';
import {type Report, unignorableReason} from './buildReport.js';
import {findingGroups, findingsPerCode, findingTally, moreFindings} from './findingGroups.js';

type Paint = (color: 'red' | 'green' | 'yellow' | 'gray' | 'bold', text: string) => string;

const codes = {red: 31, green: 32, yellow: 33, gray: 90, bold: 1} as const;

export function painter(enabled: boolean): Paint {
	return enabled
		? (color, text) => `\u001B[${codes[color]}m${text}\u001B[${color === 'bold' ? 22 : 39}m`
		: (_color, text) => text;
}

export const statusMark: Record<
	CheckStatus,
	{glyph: string; word: string; color: 'red' | 'green' | 'yellow' | 'gray'}
> = {
	pass: {glyph: '✔', word: 'PASS', color: 'green'},
	warn: {glyph: '⚠', word: 'WARN', color: 'yellow'},
	fail: {glyph: '✖', word: 'FAIL', color: 'red'},
	skip: {glyph: '-', word: 'SKIP', color: 'gray'},
	error: {glyph: '☠', word: 'ERROR', color: 'red'},
};

export const severityMark: Record<Severity, {glyph: string; color: 'red' | 'yellow' | 'gray'}> = {
	error: {glyph: '✖', color: 'red'},
	warning: {glyph: '⚠', color: 'yellow'},
	info: {glyph: 'ℹ', color: 'gray'},
};

/** Our own multi-line fields: SQL previews and by-hand steps keep their line breaks; every other string is one line. */
export const reportBlocks: ReadonlySet<string> = new Set(['preview']);

export function plainReport(raw: Report, paint: Paint): string {
	// The findings are counted and capped before the copy: a report may hold hundreds of thousands.
	const groups = terminalValues(findingGroups(raw.findings));
	const report = terminalValues({...raw, findings: [], before: undefined}, reportBlocks);
	const lines: string[] = [];
	lines.push(paint('bold', `pgrst-doctor ${report.tool.version}`));
	const settings = settingLines(report);
	lines.push(...settings);
	// The settings lines already show the database and PostgREST's address with where each came from.
	const shown = new Set(settings.length > 0 ? (report.settings ?? []).map(row => row.name) : []);
	if (report.target.db && !shown.has('db-url')) lines.push(`  database   ${report.target.db}`);
	if (report.target.api && !report.instances) {
		const about = [
			report.postgrest.version && `PostgREST ${report.postgrest.version}`,
			report.postgrest.cacheSource && `cache read from ${report.postgrest.cacheSource}`,
		]
			.filter(Boolean)
			.join(', ');
		if (!shown.has('api-url')) lines.push(`  PostgREST  ${report.target.api}${about ? ` (${about})` : ''}`);
		else if (about) lines.push(`  PostgREST  ${about.replace(/^PostgREST /, '')}`);
		for (const note of report.postgrest.notes ?? []) lines.push(`  note       ${note}`);
	}
	for (const instance of report.instances ?? []) {
		const about = [
			instance.version && `PostgREST ${instance.version}`,
			instance.cacheSource && `cache read from ${instance.cacheSource}`,
		]
			.filter(Boolean)
			.join(', ');
		lines.push(`  ${`instance ${instance.label}`.padEnd(12)}${instance.api}${about ? ` (${about})` : ''}`);
	}
	// Names as SQL would quote them, so that a schema called "a, b" reads as one.
	const source = report.schemas.source.includes('(')
		? `  from ${report.schemas.source}`
		: ` (${report.schemas.source})`;
	if (report.schemas.names.length > 0)
		lines.push(
			`  schemas    ${raw.schemas.names.map(name => terminalLine(quoteIdentifier(name))).join(', ')}${source}`
		);
	lines.push('');
	const width = Math.max(...report.checks.map(check => check.id.length));
	const columns = instanceColumns(report, paint);
	if (columns.header) lines.push(`${' '.repeat(8)} ${''.padEnd(width)}  ${columns.header}`);
	for (const check of report.checks) {
		const mark = statusMark[check.status];
		const status = paint(mark.color, `${mark.glyph} ${mark.word.padEnd(5)}`);
		const ignored = check.ignored ? ' (ignored on purpose)' : '';
		lines.push(`${status} ${check.id.padEnd(width)}  ${columns.row(check.id)}${check.summary}${ignored}`);
	}
	const labels = new Map(
		(report.instances ?? []).map(instance => [instance.api, `${instance.label} ${instance.api}`])
	);
	if (groups.length > 0) {
		lines.push('', paint('bold', 'Findings'));
		for (const {area, codes} of groups) {
			lines.push(`  ${area}`);
			for (const {code, shown, more} of codes) {
				for (const found of shown) {
					const mark = severityMark[found.severity];
					const instance =
						found.instance === undefined ? '' : `[${labels.get(found.instance) ?? found.instance}] `;
					lines.push(
						`    ${paint(mark.color, `${mark.glyph} ${found.severity}`)} ${found.code}  ${instance}${found.message}`
					);
				}
				if (more > 0) lines.push(`    ${moreFindings(more, code)}`);
			}
		}
	}
	lines.push(...ignoreLines(report, raw));
	if (report.fixesPlanned?.length === 0) {
		lines.push('', 'Nothing to apply: no finding left points at a fix.');
		return lines.join('\n') + '\n';
	}
	if (report.fixesPlanned) {
		lines.push('', paint('bold', 'Would apply (nothing was written; add --yes to apply)'));
		for (const planned of report.fixesPlanned) {
			lines.push(`  ${planned.title} (--fix ${planned.id}${planned.writes ? ', writes' : ''})`);
			if (planned.dryRun) lines.push(`  Dry run: ${planned.dryRun}`);
			lines.push(...indent(planned.preview, '    '));
		}
		return lines.join('\n') + '\n';
	}
	if (report.fixesApplied) {
		lines.push('', paint('bold', 'Fixes applied'));
		for (const applied of report.fixesApplied) {
			const mark = applied.ok ? paint('green', '✔ done') : paint('red', '✖ failed');
			const proof =
				applied.verified === true ? 'proved' : applied.verified === null ? 'could not be proved' : 'not proved';
			lines.push(`  ${mark} ${applied.id}: ${applied.message} (${applied.durationMs} ms, ${proof})`);
			for (const step of applied.steps ?? []) lines.push(`      ${step}`);
		}
		if (raw.before) {
			const before = findingTally(raw.before.findings, raw.before.ignoredFindings);
			lines.push(`  Before: ${before}. After: ${findingTally(raw.findings, raw.ignoredFindings)}.`);
		}
	}
	lines.push('', paint('bold', 'Next step'));
	for (const step of nextSteps(raw)) lines.push(`  ${terminalLine(step)}`);
	const byHand = report.fixes.find(item => item.id === 'manual-reload');
	if (byHand && !report.fixesApplied) {
		lines.push(`  Or let pgrst-doctor do it and prove it: add --fix all --yes. By hand:`);
		lines.push(...indent(byHand.preview, '    '));
	}
	return lines.join('\n') + '\n';
}

/**
 * --ignore: each finding accepted on purpose, each key that could not be ignored (and why), each that matched
 * nothing; a screenful of each (as findings are capped per code), then a count of the rest (--json lists all).
 */
function ignoreLines(report: Report, raw: Report): string[] {
	const lines: string[] = [];
	const list = (items: readonly string[], counted: string, after: string) => {
		lines.push(...items.slice(0, findingsPerCode).map(item => `  ${item}`));
		const more = items.length - findingsPerCode;
		if (more > 0) lines.push(`  … and ${plural(more, counted)}${after} (--json lists all)`);
	};
	const ignored = (report.ignoredFindings ?? []).map(found => `ignored on purpose: ${found.key}`);
	list(ignored, 'more finding', ' ignored on purpose');
	const kept = (report.unignorable ?? []).map(key => `cannot be ignored, ${unignorableReason(raw, key)}: ${key}`);
	list(kept, 'more key', ' that cannot be ignored');
	const unmatched = (report.unmatchedIgnores ?? []).map(key => `--ignore matched no finding: ${key}`);
	list(unmatched, 'more --ignore key', ' that matched no finding');
	return lines.length > 0 ? ['', ...lines] : [];
}

/** Several instances: one status column per instance (#1, #2, …) before each check's merged summary. */
function instanceColumns(report: Report, paint: Paint): {header?: string; row(id: string): string} {
	const instances = report.instances ?? [];
	if (instances.length === 0) return {row: () => ''};
	const cell = 6;
	return {
		header: instances.map(instance => instance.label.padEnd(cell)).join(''),
		row(id) {
			return instances
				.map(instance => {
					const status = instance.checks.find(check => check.id === id)?.status;
					return status
						? paint(statusMark[status].color, statusMark[status].word.padEnd(cell))
						: '-'.padEnd(cell);
				})
				.join('');
		},
	};
}

/**
 * Where each value came from, one line each: `db-url     postgres@127.0.0.1:5432/app   from .env (DATABASE_URL)`;
 * then what discovery left out. Only when something was discovered beyond flags, so a run with flags alone reads as before.
 */
function settingLines(report: Report): string[] {
	const rows = report.settings ?? [];
	const notes = report.settingsNotes ?? [];
	if (!rows.some(row => !row.from.startsWith('--')) && notes.length === 0) return [];
	const name = Math.max(...rows.map(row => row.name.length), 0) + 2;
	const value = Math.max(...rows.map(row => row.value.length), 0) + 3;
	return [
		...rows.map(row => `  ${row.name.padEnd(name)}${row.value.padEnd(value)}from ${row.from}`),
		...notes.map(note => `  note: ${note}`),
	];
}

function indent(text: string, prefix: string): string[] {
	return text
		.trimEnd()
		.split('\n')
		.map(line => `${prefix}${line}`);
}

/** The suggestions that matter most: blockers first, then errors, then warnings; each said once. */
export function nextSteps(report: Report): string[] {
	const ignored = report.ignoredFindings?.length ?? 0;
	const failed = report.checks.filter(check => check.status === 'error').map(check => check.id);
	if (report.findings.length === 0 && failed.length > 0) {
		return [
			`${failed.join(', ')} could not run (see above), so the diagnosis is not complete: run it again, and report it if it repeats.`,
		];
	}
	if (report.findings.length === 0 && ignored > 0) {
		return [`Nothing else to do: ${plural(ignored, 'finding')} ignored on purpose (--ignore), listed above.`];
	}
	if (report.findings.length === 0) return ["Nothing to do: PostgREST's schema cache matches the database."];
	const order: Severity[] = ['error', 'warning', 'info'];
	const worst = order.find(severity => report.findings.some(found => found.severity === severity))!;
	const suggestions = [
		...new Set(
			report.findings
				.filter(found => found.severity === worst)
				.map(found => found.suggestion)
				.filter((text): text is string => Boolean(text))
		),
	];
	return suggestions.length > 0 ? suggestions.slice(0, 4) : ['See the findings above.'];
}
