// `pgrst-doctor codes`: the public vocabulary with cause and cure, for people and for scripts. A code that always
// blocks the diagnosis is marked: --ignore cannot accept it (the run it would wave through was never made).
import {blocksDiagnosis, type FindingCode, findingCodes} from '../findings.js';
import type {Output} from './check.js';
import {jsonDocument} from '../terminalText.js';

/** The mark beside a blocking code in the plain list, and the legend under it. */
export const blockingMark = 'always blocks the diagnosis';
const legend = [
	`"${blockingMark}":`,
	'while such a finding stands the diagnosis was not made, so --ignore cannot accept it.',
].join(' ');

export function codesCommand(json: boolean, output: Output): number {
	const rows = Object.entries(findingCodes).map(([code, info]) => ({
		code,
		severity: info.severity,
		cause: info.cause,
		cure: info.cure,
		blocksDiagnosis: blocksDiagnosis(code as FindingCode),
	}));
	const heading = (row: (typeof rows)[number]) => {
		const mark = row.blocksDiagnosis ? `; ${blockingMark}` : '';
		return `${row.code} (${row.severity}${mark})`;
	};
	const plain = rows.map(row => `${heading(row)}\n  cause: ${row.cause}\n  cure:  ${row.cure}\n`).join('\n');
	output.write(json ? jsonDocument(rows) : `${plain}\n${legend}\n`);
	return 0;
}
