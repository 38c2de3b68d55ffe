// The connect screen: every field at once, filled with what is already known and saying where it came from; the
// field with the cursor is marked, and a value that cannot work says why as soon as it is entered.
import {Box, Text, useStdout} from 'ink';
import type React from 'react';
import {terminalLine} from '../../terminalText.js';
import {type ConnectForm, type Field, fields} from '../connectForm.js';
import {MaskedUrlInput} from '../MaskedUrlInput.js';
import {Marked} from '../ReportView.js';

const labels: Record<Field, string> = {dbUrl: 'Database URL', apiUrl: 'PostgREST URL', apiKey: 'API key'};
const placeholders: Record<Field, string> = {
	dbUrl: 'e.g. postgresql://user:password@host:5432/db',
	apiUrl: 'e.g. http://localhost:3000',
	apiKey: 'optional: enter to skip',
};

/** Examples short enough to stand on a line of their own at 60 columns: no wrap ever cuts a URL. */
const examples: Array<[string, string, string]> = [
	['Supabase cloud', 'postgresql://postgres.<ref>:<pw>@<pooler>:5432/postgres', 'https://<ref>.supabase.co/rest/v1'],
	['Supabase local', 'postgresql://postgres:postgres@127.0.0.1:54322/postgres', 'http://127.0.0.1:54321/rest/v1'],
	['Self-hosted', 'postgresql://user:password@host:5432/db', 'http://localhost:3000'],
];

const exampleWidth = 2 + 16 + Math.max(...examples.map(([, db]) => db.length));

export function ConnectScreen({
	form,
	canGoBack,
}: {
	readonly form: ConnectForm;
	readonly canGoBack: boolean;
}): React.JSX.Element {
	const {stdout} = useStdout();
	const columns = stdout.columns || 80;
	// The examples are the first thing to go on a short window: the live screen must stay shorter than it.
	const showExamples = !stdout.rows || stdout.rows >= 24;
	return (
		<Box flexDirection="column" marginTop={1}>
			<Text bold>Where are your database and PostgREST?</Text>
			{showExamples && <Examples wide={columns >= exampleWidth} />}
			<Box flexDirection="column" marginTop={1}>
				{fields.map(field => (
					<FieldLine key={field} form={form} field={field} width={columns - 16} />
				))}
			</Box>
			<Text dimColor>{`enter next · ↑↓ move${canGoBack ? ' · esc back' : ''} · ctrl-c cancel`}</Text>
		</Box>
	);
}

function Examples({wide}: {readonly wide: boolean}): React.JSX.Element {
	return (
		<Box flexDirection="column">
			{examples.map(([label, db, api]) =>
				wide ? (
					<Box key={label} flexDirection="column">
						<Text dimColor>{`  ${label.padEnd(16)}${db}`}</Text>
						<Text dimColor>{`  ${''.padEnd(16)}${api}`}</Text>
					</Box>
				) : (
					<Box key={label} flexDirection="column">
						<Text dimColor>{`  ${label}`}</Text>
						<Text dimColor>{`    ${db}`}</Text>
						<Text dimColor>{`    ${api}`}</Text>
					</Box>
				)
			)}
			<Box paddingLeft={2}>
				<Text dimColor wrap="wrap">
					{'<pooler>: the session pooler host under Connect in the Supabase dashboard'}
				</Text>
			</Box>
		</Box>
	);
}

function FieldLine({
	form,
	field,
	width,
}: {
	readonly form: ConnectForm;
	readonly field: Field;
	readonly width: number;
}): React.JSX.Element {
	const state = form.fields[field];
	const focused = form.active === field;
	return (
		<Box flexDirection="column">
			<Box>
				<Box flexShrink={0}>
					<Text bold={focused}>{`${focused ? '›' : ' '} ${labels[field].padEnd(14)}`}</Text>
				</Box>
				<Box flexShrink={1} flexDirection="column">
					<MaskedUrlInput
						value={state.value}
						cursor={state.cursor}
						focused={focused}
						placeholder={placeholders[field]}
						secret={field === 'apiKey'}
						width={width}
					/>
					{state.source && <Text dimColor>{`from ${state.source}`}</Text>}
				</Box>
			</Box>
			{state.error && (
				<Box paddingLeft={16}>
					<Marked
						mark="✖ "
						color="red"
						indent={16}
						spans={[{text: terminalLine(state.error), color: 'red'}]}
					/>
				</Box>
			)}
		</Box>
	);
}
