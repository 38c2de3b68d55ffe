// `pgrst-doctor codes`: the public vocabulary with cause and cure, for people and for scripts.
import {findingCodes} from '../findings.js';
import type {Output} from '../report/output.js';
import {jsonDocument} from '../terminalText.js';

export function codesCommand(json: boolean, output: Output): number {
	const rows = Object.entries(findingCodes).map(([code, info]) => ({code, severity: info.severity, cause: info.cause, cure: info.cure}));
	output.write(json ? jsonDocument(rows) : rows.map(row => `${row.code} (${row.severity})\n  cause: ${row.cause}\n  cure:  ${row.cure}\n`).join('\n'));
	return 0;
}
