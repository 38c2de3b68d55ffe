// While a diagnosis runs: its phases, and the keys that still work.
import {Box, Text} from 'ink';
import type React from 'react';
import type {PhaseState} from '../doctorState.js';
import {Phases} from './Phases.js';

export type DiagnosingScreenProps = {
	readonly phases: readonly PhaseState[];
	/** Whether this diagnosis sends the NOTIFY probe. */
	readonly probe: boolean;
	/** Whether there is a report to go back to (b). */
	readonly canGoBack: boolean;
};

export function DiagnosingScreen({phases, probe, canGoBack}: DiagnosingScreenProps): React.JSX.Element {
	return (
		<Box flexDirection="column" marginTop={1}>
			<Phases phases={phases} title={probe ? 'Diagnosing, with the NOTIFY probe' : 'Diagnosing'} />
			<Text dimColor>{`${canGoBack ? 'b back · ' : ''}u change the URLs · ctrl-c cancel`}</Text>
		</Box>
	);
}
