// Under the SQL printed above: which script it is, the other scripts that fit, and how to copy it.
import {Box, Text} from 'ink';
import type React from 'react';
import {terminalLine} from '../../terminalText.js';
import type {SqlScript} from '../doctorState.js';

/** Each script as the sentences about it name it: "The SQL to reload the cache". */
export const scriptTitles: Record<SqlScript, string> = {
	reload: 'reload the cache',
	trigger: 'install the trigger',
	'uninstall-trigger': 'remove the trigger',
};

export type SqlScreenProps = {
	/** The script printed above. */
	readonly script: SqlScript;
	/** The scripts that fit the findings, most urgent first (doctorState's sqlScriptsFor); keys 1, 2… show them. */
	readonly scripts: readonly SqlScript[];
	/** A note about this screen only (the SQL was copied). */
	readonly notice?: string;
};

export function SqlScreen({script, scripts, notice}: SqlScreenProps): React.JSX.Element {
	const choices = scripts.map((each, index) => {
		const shown = each === script ? ' (shown)' : '';
		return `${index + 1} ${scriptTitles[each]}${shown}`;
	});
	const keys = scripts.length > 1 ? `1-${scripts.length} show that SQL · ` : '';
	return (
		<Box flexDirection="column">
			<Text wrap="wrap">
				The SQL to {scriptTitles[script]} is printed above, ready to paste into psql or Supabase's SQL Editor.
			</Text>
			{scripts.length > 1 && <Text wrap="wrap">SQL that fits: {choices.join(' · ')}</Text>}
			{notice && (
				<Text color="yellow" wrap="wrap">
					{terminalLine(notice)}
				</Text>
			)}
			<Text dimColor>{`${keys}c copy the SQL shown · b back · q quit`}</Text>
		</Box>
	);
}
