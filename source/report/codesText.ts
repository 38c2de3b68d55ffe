// codes' renderer: the public vocabulary with cause and cure, as text for people or as JSON rows for scripts.
import {findingCodes} from '../findings.js';
import {jsonDocument} from '../terminalText.js';

export function codesText(json: boolean): string {
	const rows = Object.entries(findingCodes).map(([code, {severity, cause, cure}]) => ({code, severity, cause, cure}));
	if (json) return jsonDocument(rows);
	return rows.map(row => `${row.code} (${row.severity})\n  cause: ${row.cause}\n  cure:  ${row.cure}\n`).join('\n');
}
