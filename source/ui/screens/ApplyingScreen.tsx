// While a fix runs and the diagnosis after it proves it: only ctrl-c works, so that a fix is never left half-seen.
import {Box, Text} from 'ink';
import type React from 'react';
import type {FixId} from '../../fixes/fixCatalog.js';
import type {PhaseState} from '../doctorState.js';
import {Phases} from './Phases.js';

export type ApplyingScreenProps = {
	/** The fix being applied: the menu offers reload and trigger. */
	readonly fix: FixId;
	/** The phases of the diagnosis after it. */
	readonly phases: readonly PhaseState[];
};

export function ApplyingScreen({fix, phases}: ApplyingScreenProps): React.JSX.Element {
	return (
		<Box flexDirection="column" marginTop={1}>
			<Phases phases={phases} title={applyingTitle(fix)} />
			<Text dimColor>ctrl-c cancel</Text>
		</Box>
	);
}

function applyingTitle(fix: FixId): string {
	if (fix === 'reload') return 'Reloading, then proving the cache matches';
	return fix === 'trigger' ? 'Installing the trigger, then proving it fires' : 'Removing the trigger';
}
