// A diagnosis on screen: every check with a symbol and a word (never colour alone), the findings grouped by area
// with the objects named, and the proof of an action finding by finding. A wrapped line continues under its text,
// not under its mark, so the column of marks stays easy to scan.
import {Box, Text, useStdout} from 'ink';
import type React from 'react';
import {useMemo} from 'react';
import type {Finding, FindingArea} from '../findings.js';
import type {Report} from '../report/buildReport.js';
import {findingGroups, findingTally, moreFindings} from '../report/findingGroups.js';
import {reportBlocks, severityMark, statusMark} from '../report/plainReport.js';
import {terminalLine, terminalValues} from '../terminalText.js';
import {type Proof, canProbe, inKeys} from './doctorState.js';
import {type Span, wrapWords} from './wrapWords.js';

/** A heading for every area of the vocabulary (a code's part before the dot): a new area must get one. */
const areaTitles: Record<FindingArea, string> = {
	db: 'Database',
	api: 'PostgREST',
	cache: 'Schema cache',
	trigger: 'Auto-reload trigger',
	listener: 'Listener',
	notify: 'NOTIFY delivery',
	schema: 'Exposed schemas',
	grant: 'Privileges',
	client: 'The client',
	rpc: 'Functions (RPC)',
	relationship: 'Relationships',
	rls: 'Row-level security',
	config: 'PostgREST settings',
	explain: 'The error',
};

/** A mark and its text side by side: the text wraps at spaces, every line under the first; indent: columns left of the mark. */
export function Marked({
	mark,
	color,
	spans,
	indent = 0,
}: {
	readonly mark: string;
	readonly color?: string;
	readonly spans: Span[];
	readonly indent?: number;
}): React.JSX.Element {
	const {stdout} = useStdout();
	const lines = wrapWords(spans, (stdout.columns || 80) - indent - mark.length);
	return (
		<Box>
			<Box flexShrink={0}>
				<Text color={color}>{mark}</Text>
			</Box>
			<Box flexDirection="column">
				{lines.map((line, index) => (
					<Text key={index}>
						{line.map((span, at) => (
							<Text key={at} dimColor={span.dim} color={span.color}>
								{span.text}
							</Text>
						))}
					</Text>
				))}
			</Box>
		</Box>
	);
}

export function ReportView({report: raw}: {readonly report: Report}): React.JSX.Element {
	// As in plain text: at most a screenful per code, and every string made safe before it is drawn.
	const groups = useMemo(() => terminalValues(findingGroups(raw.findings)), [raw]);
	const report = useMemo(() => terminalValues({...raw, findings: []}, reportBlocks), [raw]);
	// "press p" only where the menu has p.
	const probe = canProbe(raw);
	return (
		<Box flexDirection="column">
			{report.checks.map(check => {
				const mark = statusMark[check.status];
				return (
					<Marked
						key={check.id}
						mark={`${mark.glyph} ${mark.word.padEnd(5)} `}
						color={mark.color}
						spans={[{text: `${check.title}:`}, {text: ` ${inKeys(check.summary, probe)}`, dim: true}]}
					/>
				);
			})}
			{groups.map(({area, codes}) => (
				<Box key={area} flexDirection="column" marginTop={1}>
					<Text bold>{areaTitles[area as FindingArea] ?? area}</Text>
					{codes.flatMap(({code, shown, more}) => [
						...shown.map((found, index) => (
							<FindingLine key={`${code}:${index}`} found={found} safe probe={probe} />
						)),
						...(more > 0
							? [<Text key={`${code}:more`} dimColor>{`  ${moreFindings(more, code)}`}</Text>]
							: []),
					])}
				</Box>
			))}
			{raw.findings.length === 0 && (
				<Box marginTop={1}>
					<Text color="green">✔ Healthy: PostgREST's schema cache matches the database.</Text>
				</Box>
			)}
		</Box>
	);
}

/** One finding: its severity (or healed) as mark, the message, and the code to look up. */
export function FindingLine({
	found,
	healed,
	safe,
	probe = true,
}: {
	readonly found: Finding;
	readonly healed?: boolean;
	readonly safe?: boolean;
	readonly probe?: boolean;
}): React.JSX.Element {
	const mark = healed ? {glyph: '✔', color: 'green'} : severityMark[found.severity];
	const word = healed ? 'healed' : found.severity;
	const message = safe ? found.message : terminalLine(found.message);
	return (
		<Marked
			mark={`  ${mark.glyph} ${word} `}
			color={mark.color}
			spans={[{text: inKeys(message, probe)}, {text: ` (${found.code})`, dim: true}]}
		/>
	);
}

/** Before → after, finding by finding: what the action healed, what is still there, and what is new. */
export function ProofView({
	proof,
	before,
	after,
}: {
	readonly proof: Proof;
	readonly before: Report;
	readonly after: Report;
}): React.JSX.Element {
	return (
		<Box flexDirection="column">
			{proof.changed.map(check => (
				<Marked
					key={check.id}
					mark={`${statusMark[check.to].glyph} ${statusMark[check.to].word.padEnd(5)} `}
					color={statusMark[check.to].color}
					spans={[
						{text: terminalLine(check.title)},
						{text: ` (was ${statusMark[check.from].word})`, dim: true},
					]}
				/>
			))}
			{proof.healed.length > 0 && <Text>Healed ({proof.healed.length}):</Text>}
			{proof.healed.map((found, index) => (
				<FindingLine key={`h${index}`} found={found} healed />
			))}
			{proof.remaining.length > 0 && <Text>Still there ({proof.remaining.length}):</Text>}
			{proof.remaining.map((found, index) => (
				<FindingLine key={`r${index}`} found={found} />
			))}
			{proof.appeared.length > 0 && <Text>New since the action ({proof.appeared.length}):</Text>}
			{proof.appeared.map((found, index) => (
				<FindingLine key={`n${index}`} found={found} />
			))}
			<Text>
				Before → after: {findingTally(before.findings)} → {findingTally(after.findings)}
			</Text>
		</Box>
	);
}
