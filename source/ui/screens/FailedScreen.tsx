// After a diagnosis or fix that threw: the record above says what happened; here, what can be done next.
import {Box, Text} from 'ink';
import type React from 'react';

export type FailedScreenProps = {
	/** Whether there is an earlier report to go back to (b). */
	readonly canGoBack: boolean;
};

export function FailedScreen({canGoBack}: FailedScreenProps): React.JSX.Element {
	return (
		<Box flexDirection="column" marginTop={1}>
			<Text color="red" wrap="wrap">
				✖ The doctor could not finish that: see the record above.
			</Text>
			<Text dimColor>{`a diagnose again · u change the URLs${canGoBack ? ' · b back' : ''} · q quit`}</Text>
		</Box>
	);
}
