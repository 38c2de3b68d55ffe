// A diagnosis on screen: every check with a symbol and a word (never colour alone), the findings grouped by area
// with the objects named, and the proof of the last fix as before → after.
import {Box, Text} from 'ink';
import React, {useMemo} from 'react';
import type {Report} from '../report/buildReport.js';
import {findingGroups, moreFindings, reportBlocks, severityMark, statusMark} from '../report/plainReport.js';
import {terminalValues} from '../terminalText.js';

const areaTitles: Record<string, string> = {
	db: 'Database',
	api: 'PostgREST',
	cache: 'Schema cache',
	trigger: 'Auto-reload trigger',
	listener: 'Listener',
	notify: 'NOTIFY delivery',
};

export function ReportView({report: raw, before}: {report: Report; before?: Report}): React.JSX.Element {
	// As in plain text: at most a screenful per code, and every string made safe before it is drawn.
	const groups = useMemo(() => terminalValues(findingGroups(raw.findings)), [raw]);
	const report = useMemo(() => terminalValues({...raw, findings: []}, reportBlocks), [raw]);
	return (
		<Box flexDirection="column">
			{report.checks.map(check => {
				const mark = statusMark[check.status];
				return (
					<Text key={check.id} wrap="wrap">
						<Text color={mark.color}>{`${mark.glyph} ${mark.word.padEnd(5)}`}</Text> {check.title}: <Text dimColor>{check.summary}</Text>
					</Text>
				);
			})}
			{groups.map(({area, codes}) => (
				<Box key={area} flexDirection="column" marginTop={1}>
					<Text bold>{areaTitles[area] ?? area}</Text>
					{codes.flatMap(({code, shown, more}) => [
						...shown.map((found, index) => {
							const mark = severityMark[found.severity];
							return (
								<Text key={`${code}:${index}`} wrap="wrap">
									{'  '}<Text color={mark.color}>{`${mark.glyph} ${found.severity}`}</Text> {found.message} <Text dimColor>({found.code})</Text>
								</Text>
							);
						}),
						...(more > 0 ? [<Text key={`${code}:more`} dimColor>{`  ${moreFindings(more, code)}`}</Text>] : []),
					])}
				</Box>
			))}
			{raw.findings.length === 0 && <Box marginTop={1}><Text color="green">✔ Healthy: PostgREST's schema cache matches the database.</Text></Box>}
			{before && <Proof before={before} after={raw} />}
		</Box>
	);
}

function Proof({before, after}: {before: Report; after: Report}): React.JSX.Element {
	const errors = (report: Report) => report.findings.filter(found => found.severity === 'error').length;
	return (
		<Box marginTop={1}>
			<Text>
				Before → after: {before.findings.length} finding{before.findings.length === 1 ? '' : 's'} ({errors(before)} errors) → {after.findings.length} ({errors(after)} errors)
			</Text>
		</Box>
	);
}
