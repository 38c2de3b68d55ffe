// codes' renderer: the public vocabulary with cause and cure, as text for people or as JSON rows for scripts. A code
// that always blocks the diagnosis is marked: --ignore cannot accept it (the run it would wave through was never made).
import {blocksDiagnosis, type FindingCode, findingCodes} from '../findings.js';
import {jsonDocument} from '../terminalText.js';

/** The mark beside a blocking code in the plain list, and the legend under it. */
export const blockingMark = 'always blocks the diagnosis';
const legend = [
	`"${blockingMark}":`,
	'while such a finding stands the diagnosis was not made, so --ignore cannot accept it.',
].join(' ');

export function codesText(json: boolean): string {
	const rows = Object.entries(findingCodes).map(([code, info]) => ({
		code,
		severity: info.severity,
		cause: info.cause,
		cure: info.cure,
		blocksDiagnosis: blocksDiagnosis(code as FindingCode),
	}));
	if (json) return jsonDocument(rows);
	const heading = (row: (typeof rows)[number]) =>
		`${row.code} (${row.severity}${row.blocksDiagnosis ? `; ${blockingMark}` : ''})`;
	const plain = rows.map(row => `${heading(row)}\n  cause: ${row.cause}\n  cure:  ${row.cure}\n`).join('\n');
	return `${plain}\n${legend}\n`;
}
