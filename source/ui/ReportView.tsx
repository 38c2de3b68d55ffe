// A diagnosis on screen: every check with a symbol and a word (never colour alone), the findings grouped by area
// with the objects named, and the proof of the last fix as before → after.
import {Box, Text} from 'ink';
import React from 'react';
import type {Report} from '../report/buildReport.js';
import {severityMark, statusMark} from '../report/plainReport.js';

const areaTitles: Record<string, string> = {
	db: 'Database',
	api: 'PostgREST',
	cache: 'Schema cache',
	trigger: 'Auto-reload trigger',
	listener: 'Listener',
	notify: 'NOTIFY delivery',
};

export function ReportView({report, before}: {report: Report; before?: Report}): React.JSX.Element {
	const areas = [...new Set(report.findings.map(found => found.code.split('.')[0]!))];
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
			{areas.map(area => (
				<Box key={area} flexDirection="column" marginTop={1}>
					<Text bold>{areaTitles[area] ?? area}</Text>
					{report.findings.filter(found => found.code.startsWith(`${area}.`)).map(found => {
						const mark = severityMark[found.severity];
						return (
							<Text key={`${found.code}${found.schema}${found.table}${found.column}${found.function}`} wrap="wrap">
								{'  '}<Text color={mark.color}>{`${mark.glyph} ${found.severity}`}</Text> {found.message} <Text dimColor>({found.code})</Text>
							</Text>
						);
					})}
				</Box>
			))}
			{report.findings.length === 0 && <Box marginTop={1}><Text color="green">✔ Healthy: PostgREST's schema cache matches the database.</Text></Box>}
			{before && <Proof before={before} after={report} />}
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
