// One entry of the session's record, drawn once and left in the scrollback: the diagnosis before, each action with
// its own outcome, and the proof after it.
import {Box, Text, useStdout} from 'ink';
import type React from 'react';
import {statusMark} from '../report/plainReport.js';
import {terminalLine} from '../terminalText.js';
import {type RecordEntry, proofOf} from './doctorState.js';
import {FindingLine, Marked, ProofView, ReportView} from './ReportView.js';

const toneMarks = {
	info: {glyph: '•', color: undefined},
	warning: {glyph: '⚠', color: 'yellow'},
	error: {glyph: '✖', color: 'red'},
} as const;

export function RecordView({entry}: {readonly entry: RecordEntry}): React.JSX.Element {
	const {stdout} = useStdout();
	// <Static> lays its items out without the window's width: each one is given it, so its lines wrap in the window.
	return (
		<Box width={stdout.columns || 80} flexDirection="column">
			<Entry entry={entry} />
		</Box>
	);
}

function Entry({entry}: {readonly entry: RecordEntry}): React.JSX.Element {
	switch (entry.kind) {
		case 'connected':
			return (
				<Box flexDirection="column" marginTop={1}>
					<Text>Connected to</Text>
					{/* A target wider than the window is shortened in its middle rather than cut mid-token by a wrap. */}
					{entry.target.split(' · ').map(target => (
						<Text key={target} dimColor wrap="truncate-middle">{`  ${terminalLine(target)}`}</Text>
					))}
				</Box>
			);
		case 'diagnosis':
			return (
				<Box flexDirection="column" marginTop={1}>
					<Text bold>{entry.title}</Text>
					<ReportView report={entry.report} />
				</Box>
			);
		case 'probe': {
			const delivery = entry.report.checks.filter(check => check.id.startsWith('notify.'));
			return (
				<Box flexDirection="column" marginTop={1}>
					<Text bold>NOTIFY probe</Text>
					{delivery.map(check => (
						<Marked
							key={check.id}
							mark={`${statusMark[check.status].glyph} ${statusMark[check.status].word.padEnd(5)} `}
							color={statusMark[check.status].color}
							spans={[
								{text: `${terminalLine(check.title)}:`},
								{text: ` ${terminalLine(check.summary)}`, dim: true},
							]}
						/>
					))}
					{entry.report.findings
						.filter(found => found.code.startsWith('notify.'))
						.map((found, index) => (
							<FindingLine key={index} found={found} />
						))}
					<Marked
						mark=""
						spans={[
							{text: "PostgREST reloaded its cache on the probe's NOTIFY, so the cache is read again:"},
						]}
					/>
				</Box>
			);
		}
		case 'fix': {
			const {result} = entry;
			return (
				<Box flexDirection="column" marginTop={1}>
					<Marked
						mark={result.ok ? '✔ DONE  ' : '✖ FAILED '}
						color={result.ok ? 'green' : 'red'}
						spans={[
							{text: terminalLine(result.message)},
							{text: result.verified === true ? ' (proved)' : ` (${result.durationMs} ms)`, dim: true},
						]}
					/>
					{result.steps && <Steps steps={result.steps} />}
					<ProofView proof={proofOf(entry.before, entry.after)} before={entry.before} after={entry.after} />
				</Box>
			);
		}
		case 'steps':
			return (
				<Box flexDirection="column" marginTop={1}>
					<Text bold>How to reload by hand</Text>
					<Steps steps={entry.steps} />
				</Box>
			);
		case 'note': {
			const mark = toneMarks[entry.tone];
			return (
				<Box marginTop={1}>
					<Marked mark={`${mark.glyph} `} color={mark.color} spans={[{text: terminalLine(entry.text)}]} />
				</Box>
			);
		}
	}
}

/**
 * Steps as bullets; a URL gets a line of its own, never wrapped by Ink: when it is wider than the window, the
 * terminal folds it, and copying the folded line still gives the whole URL.
 */
function Steps({steps}: {readonly steps: string[]}): React.JSX.Element {
	const {stdout} = useStdout();
	const columns = stdout.columns || 80;
	return (
		<Box flexDirection="column">
			{steps.map(step => {
				const text = terminalLine(step);
				const urls = (text.match(/https?:\/\/[^\s)]+/g) ?? []).map(url => url.replace(/[.,;:]+$/, ''));
				const prose = urls
					.reduce((rest, url) => rest.replace(url, ''), text)
					.replace(/\s*\(\s*\)/g, '')
					.replace(/\s+([.,;:])/g, '$1')
					.trim();
				return (
					<Box key={step} flexDirection="column">
						<Marked mark="  • " spans={[{text: prose}]} />
						{urls.map(url => (
							<Box key={url} width={Math.max(columns, url.length + 4)}>
								<Text wrap="truncate">{`    ${url}`}</Text>
							</Box>
						))}
					</Box>
				);
			})}
		</Box>
	);
}
