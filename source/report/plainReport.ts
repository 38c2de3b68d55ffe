// Plain text for pipes, logs and CI: no cursor movement, colour only on a terminal that wants it.
import type {CheckStatus} from '../checks/check.js';
import type {Severity} from '../findings.js';
import type {Report} from './buildReport.js';

type Paint = (color: 'red' | 'green' | 'yellow' | 'gray' | 'bold', text: string) => string;

const codes = {red: 31, green: 32, yellow: 33, gray: 90, bold: 1} as const;

export function painter(enabled: boolean): Paint {
	return enabled ? (color, text) => `\u001B[${codes[color]}m${text}\u001B[${color === 'bold' ? 22 : 39}m` : (_color, text) => text;
}

export const statusMark: Record<CheckStatus, {glyph: string; word: string; color: 'red' | 'green' | 'yellow' | 'gray'}> = {
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

export function plainReport(report: Report, paint: Paint): string {
	const lines: string[] = [];
	lines.push(paint('bold', `pgrst-doctor ${report.tool.version}`));
	if (report.target.db) lines.push(`  database   ${report.target.db}`);
	if (report.target.api) {
		const about = [report.postgrest.version && `PostgREST ${report.postgrest.version}`, report.postgrest.cacheSource && `cache read from ${report.postgrest.cacheSource}`].filter(Boolean).join(', ');
		lines.push(`  PostgREST  ${report.target.api}${about ? ` (${about})` : ''}`);
	}
	if (report.schemas.names.length > 0) lines.push(`  schemas    ${report.schemas.names.join(', ')} (${report.schemas.source})`);
	lines.push('');
	const width = Math.max(...report.checks.map(check => check.id.length));
	for (const check of report.checks) {
		const mark = statusMark[check.status];
		lines.push(`${paint(mark.color, `${mark.glyph} ${mark.word.padEnd(5)}`)} ${check.id.padEnd(width)}  ${check.summary}`);
	}
	if (report.findings.length > 0) {
		lines.push('', paint('bold', 'Findings'));
		const areas = [...new Set(report.findings.map(found => found.code.split('.')[0]!))];
		for (const area of areas) {
			lines.push(`  ${area}`);
			for (const found of report.findings.filter(item => item.code.startsWith(`${area}.`))) {
				const mark = severityMark[found.severity];
				lines.push(`    ${paint(mark.color, `${mark.glyph} ${found.severity}`)} ${found.code}  ${found.message}`);
			}
		}
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
			const proof = applied.verified === true ? 'proved' : applied.verified === null ? 'could not be proved' : 'not proved';
			lines.push(`  ${mark} ${applied.id}: ${applied.message} (${applied.durationMs} ms, ${proof})`);
			for (const step of applied.steps ?? []) lines.push(`      ${step}`);
		}
		if (report.before) lines.push(`  Before: ${tally(report.before.findings)}. After: ${tally(report.findings)}.`);
	}
	lines.push('', paint('bold', 'Next step'));
	for (const step of nextSteps(report)) lines.push(`  ${step}`);
	const byHand = report.fixes.find(item => item.id === 'manual-reload');
	if (byHand && !report.fixesApplied) {
		lines.push(`  Or let pgrst-doctor do it and prove it: add --fix all --yes. By hand:`);
		lines.push(...indent(byHand.preview, '    '));
	}
	return lines.join('\n') + '\n';
}

function indent(text: string, prefix: string): string[] {
	return text.trimEnd().split('\n').map(line => `${prefix}${line}`);
}

function tally(findings: Report['findings']): string {
	const errors = findings.filter(found => found.severity === 'error').length;
	return `${findings.length} finding${findings.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'})`;
}

/** The suggestions that matter most: blockers first, then errors, then warnings; each said once. */
export function nextSteps(report: Report): string[] {
	if (report.findings.length === 0) return ['Nothing to do: PostgREST\'s schema cache matches the database.'];
	const order: Severity[] = ['error', 'warning', 'info'];
	const worst = order.find(severity => report.findings.some(found => found.severity === severity))!;
	const suggestions = [...new Set(report.findings.filter(found => found.severity === worst).map(found => found.suggestion).filter((text): text is string => Boolean(text)))];
	return suggestions.length > 0 ? suggestions.slice(0, 4) : ['See the findings above.'];
}
