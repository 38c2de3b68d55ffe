// The phases of a diagnosis under a spinner: each one while it runs, when it answered, and when it ended without an
// answer (the finding in the record says why).
import {Spinner} from '@inkjs/ui';
import {Box, Text} from 'ink';
import type React from 'react';
import type {Phase} from '../../collectFacts.js';
import type {FindingCode} from '../../findings.js';
import type {PhaseState} from '../doctorState.js';

const phaseTitles: Record<Phase, [string, string]> = {
	database: ['Reading the database catalogs', 'Database catalogs read'],
	api: ['Asking PostgREST about itself', 'PostgREST answered'],
	cache: ["Reading PostgREST's schema cache", 'Schema cache read'],
	probe: ['Sending NOTIFY and watching PostgREST', 'NOTIFY probe done'],
};

const apiFailedTitles: Partial<Record<FindingCode, string>> = {
	'api.unreachable': 'PostgREST did not answer',
	'api.wrong_base_url': 'PostgREST answered, but --api-url is not its API root',
	'api.unauthorized': "PostgREST refused the doctor's request",
	'api.redirected': '--api-url answered with a redirect',
	'api.not_postgrest': 'Something answered at --api-url, but not PostgREST',
};

function failedTitle(phase: Phase, code: FindingCode): string {
	if (phase === 'database') return 'The database could not be read';
	return apiFailedTitles[code] ?? 'PostgREST could not be read';
}

export type PhasesProps = {
	/** The phases reported so far, in the order they started. */
	readonly phases: readonly PhaseState[];
	/** What runs, beside the spinner; the ellipsis is added. */
	readonly title: string;
};

export function Phases({phases, title}: PhasesProps): React.JSX.Element {
	return (
		<Box flexDirection="column">
			<Spinner label={`${title}…`} />
			{phases.map(item => (
				<Text key={item.phase}>
					<PhaseLine item={item} />
					{item.ms !== undefined && <Text dimColor> ({item.ms} ms)</Text>}
				</Text>
			))}
		</Box>
	);
}

function PhaseLine({item}: {readonly item: PhaseState}): React.JSX.Element {
	if (!item.done) return <Text>… {phaseTitles[item.phase][0]}</Text>;
	if (item.failed) return <Text color="red">✖ {failedTitle(item.phase, item.failed)}</Text>;
	return <Text color="green">✔ {phaseTitles[item.phase][1]}</Text>;
}
