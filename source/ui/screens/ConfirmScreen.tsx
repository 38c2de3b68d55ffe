// Before a fix that writes: the SQL is printed above; nothing runs without a y.
import {Box, Text} from 'ink';
import type React from 'react';

export function ConfirmScreen(): React.JSX.Element {
	return (
		<Box flexDirection="column">
			<Text bold>The SQL above writes to the database, in one transaction with lock_timeout.</Text>
			<Text>Run it? (y/N)</Text>
			<Text dimColor>y yes · n or enter no · q quit · ctrl-c cancel</Text>
		</Box>
	);
}
