// The last line the app draws: the exit code it leaves with, and what that code means.
import {Text} from 'ink';
import type React from 'react';

const exitWords: Record<number, string> = {
	0: 'healthy',
	1: 'problems found',
	2: 'could not diagnose',
	130: 'cancelled',
};

export type LeavingScreenProps = {
	/** The process's exit code: 0 healthy, 1 problems, 2 could not diagnose, 130 cancelled. */
	readonly code: number;
};

export function LeavingScreen({code}: LeavingScreenProps): React.JSX.Element {
	return <Text dimColor>{`pgrst-doctor: exit ${code} (${exitWords[code] ?? 'done'})`}</Text>;
}
