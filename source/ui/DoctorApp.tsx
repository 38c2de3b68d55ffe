// The interactive doctor: a thin shell over the same engine --json uses. Keyboard driven, every key shown.
import {PasswordInput, Select, Spinner} from '@inkjs/ui';
import {Box, Text, useApp, useInput, useStdout} from 'ink';
import React, {useEffect, useReducer, useRef, useState} from 'react';
import type {OnPhase, Phase} from '../collectFacts.js';
import type {FindingCode} from '../findings.js';
import type {FixResult} from '../fixes/applyFixes.js';
import type {FixId} from '../fixes/fixCatalog.js';
import type {Report} from '../report/buildReport.js';
import {terminalBlock, terminalLine} from '../terminalText.js';
import {type MenuItem, type PhaseState, doctorReducer, initialState, menuFor} from './doctorState.js';
import {MaskedUrlInput} from './MaskedUrlInput.js';
import {ReportView} from './ReportView.js';

export type DoctorEngine = {
	connected: boolean;
	/** Takes the URLs typed on the connect screen; returns an error sentence when they are not usable. */
	connect(values: {dbUrl: string; apiUrl: string; apiKey: string}): string | undefined;
	diagnose(onPhase: OnPhase, probe?: boolean): Promise<Report>;
	applyFix(fix: FixId, before: Report): Promise<FixResult>;
	sql(fix: FixId): string;
	manualSteps(): string[];
	target(): string;
};

/** Each phase while it runs, when it answered, and when it ended without an answer (the finding says why). */
const phaseTitles: Record<Phase, [string, string]> = {
	database: ['Reading the database catalogs', 'Database catalogs read'],
	api: ['Asking PostgREST about itself', 'PostgREST answered'],
	cache: ['Reading PostgREST\'s schema cache', 'Schema cache read'],
	probe: ['Sending NOTIFY and watching PostgREST', 'NOTIFY probe done'],
};

const apiFailedTitles: Partial<Record<FindingCode, string>> = {
	'api.unreachable': 'PostgREST did not answer',
	'api.wrong_base_url': 'PostgREST answered, but --api-url is not its API root',
	'api.unauthorized': 'PostgREST refused the doctor\'s request',
	'api.redirected': '--api-url answered with a redirect',
	'api.not_postgrest': 'Something answered at --api-url, but not PostgREST',
};

function failedTitle(phase: Phase, code: FindingCode): string {
	if (phase === 'database') return 'The database could not be read';
	return apiFailedTitles[code] ?? 'PostgREST could not be read';
}

/**
 * OSC 52: terminals that support it put the text on the system clipboard; others ignore it. The text is made safe
 * first: what is pasted later (into psql, into a terminal) must not carry control characters either.
 */
export function osc52(text: string): string {
	return `\u001B]52;c;${Buffer.from(terminalBlock(text)).toString('base64')}\u0007`;
}

export function DoctorApp({engine, onExit}: {engine: DoctorEngine; onExit(code: number): void}): React.JSX.Element {
	const [state, dispatch] = useReducer(doctorReducer, initialState(engine.connected));
	const [probe, setProbe] = useState(false);
	const {exit} = useApp();
	const {screen, report} = state;

	const leave = (code: number) => {
		onExit(code);
		exit();
	};

	useEffect(() => {
		if (screen.name !== 'diagnosing') return;
		let live = true;
		engine.diagnose((phase, done, ms, failed) => live && dispatch({type: 'phase', phase, done, ms, failed: failed?.code}), probe).then(
			result => {
				if (!live) return;
				dispatch({type: 'diagnosed', report: result});
				const healedByProbe = probe && result.findings.some(found => found.code === 'notify.delivered') && result.findings.some(found => found.code.startsWith('cache.'));
				if (healedByProbe) dispatch({type: 'notice', text: 'The probe\'s NOTIFY was a reload, so the cache findings above are from before it: press a to diagnose again.'});
			},
			(error: Error) => live && dispatch({type: 'failed', message: error.message}),
		);
		return () => {
			live = false;
		};
	}, [screen.name === 'diagnosing' && state.run]);

	useEffect(() => {
		if (screen.name !== 'applying' || !report) return;
		let live = true;
		(async () => {
			const result = await engine.applyFix(screen.fix, report);
			const after = await engine.diagnose((phase, done, ms, failed) => live && dispatch({type: 'phase', phase, done, ms, failed: failed?.code}));
			if (live) dispatch({type: 'fixed', result, report: after});
		})().catch((error: Error) => live && dispatch({type: 'failed', message: error.message}));
		return () => {
			live = false;
		};
	}, [screen.name === 'applying' && state.run]);

	// SQL goes to the terminal as it is, above the app: Ink would wrap long lines, and a wrap inside a string
	// literal would change the SQL that gets copied.
	const sqlShown = screen.name === 'sql' || screen.name === 'confirm' ? screen.fix : undefined;
	const {write} = useStdout();
	useEffect(() => {
		if (sqlShown) write(`\n${terminalBlock(engine.sql(sqlShown).trimEnd())}\n\n`);
	}, [sqlShown, state.run]);

	const choose = (item: MenuItem) => {
		if (item.action === 'quit') return leave(latest.current.state.report?.exitCode ?? 0);
		if (item.action === 'rerun' || item.action === 'probe') {
			setProbe(item.action === 'probe');
			return dispatch({type: 'diagnose'});
		}
		if (item.action === 'sql') return dispatch({type: 'showSql', fix: item.fix!});
		if (item.action === 'steps') return dispatch({type: 'showSteps'});
		dispatch({type: 'choose', fix: item.fix!});
	};

	const menu = report ? menuFor(report) : [];
	// One key handler for the whole app, reading the state of the latest render through a ref: a handler that
	// hooks re-register in effects could miss a key pressed right after a screen appears.
	const latest = useRef({state, menu});
	latest.current = {state, menu};
	useInput((input, key) => {
		const current = latest.current.state;
		const name = current.screen.name;
		if (key.ctrl && input === 'c') return leave(130);
		if (name === 'connect') return;
		if (input === 'q') return leave(current.report?.exitCode ?? 0);
		if (current.screen.name === 'confirm') {
			if (input === 'y' || input === 'Y') dispatch({type: 'confirm'});
			else if (input === 'n' || input === 'N' || key.return || key.escape) dispatch({type: 'decline'});
			return;
		}
		if (name === 'report') {
			const item = latest.current.menu.find(candidate => candidate.key === input);
			if (item) choose(item);
			return;
		}
		if (current.screen.name === 'sql' && input === 'c') {
			write(osc52(engine.sql(current.screen.fix)));
			dispatch({type: 'notice', text: 'Copied to the clipboard (if your terminal supports OSC 52; otherwise select the SQL above).'});
		}
		if ((name === 'sql' || name === 'steps' || name === 'failed') && (input === 'b' || key.escape)) dispatch({type: 'back'});
	});

	return (
		<Box flexDirection="column">
			<Text bold>pgrst-doctor <Text dimColor>{engine.connected || screen.name !== 'connect' ? terminalLine(engine.target()) : ''}</Text></Text>
			<Box marginTop={1} flexDirection="column">
				{screen.name === 'connect' && <ConnectScreen engine={engine} onConnected={() => dispatch({type: 'connected'})} />}
				{(screen.name === 'diagnosing' || screen.name === 'applying') && <Phases phases={screen.phases} title={screen.name === 'applying' ? applyingTitle(screen.fix) : 'Diagnosing'} />}
				{screen.name === 'report' && report && (
					<Box flexDirection="column">
						<ReportView report={report} before={state.before} />
						{state.lastFix && <FixLine result={state.lastFix} />}
						{state.notice && <Text color="yellow">{terminalLine(state.notice)}</Text>}
						<Box marginTop={1} flexDirection="column">
							<Text bold>What next?</Text>
							<Select options={menu.map(item => ({label: `[${item.key}] ${item.label}`, value: item.key}))} onChange={value => choose(menu.find(item => item.key === value)!)} visibleOptionCount={menu.length} />
							<Text dimColor>↑↓ move · enter choose · or press the key in brackets · q quit · ctrl-c cancel</Text>
						</Box>
					</Box>
				)}
				{screen.name === 'confirm' && (
					<Box flexDirection="column">
						<Text bold>The SQL above writes to the database, in one transaction with lock_timeout.</Text>
						<Text>Run it? (y/N)</Text>
						<Text dimColor>y yes · n or enter no · q quit · ctrl-c cancel</Text>
					</Box>
				)}
				{screen.name === 'sql' && (
					<Box flexDirection="column">
						<Text>The SQL is printed above, ready to paste into psql or Supabase's SQL Editor.</Text>
						{state.notice && <Text color="yellow">{terminalLine(state.notice)}</Text>}
						<Text dimColor>c copy to the clipboard · b back · q quit · ctrl-c cancel</Text>
					</Box>
				)}
				{screen.name === 'steps' && (
					<Box flexDirection="column">
						{engine.manualSteps().map(step => <Text key={step} wrap="wrap">• {terminalLine(step)}</Text>)}
						<Text dimColor>b back · q quit · ctrl-c cancel</Text>
					</Box>
				)}
				{screen.name === 'failed' && (
					<Box flexDirection="column">
						<Text color="red">✖ {terminalLine(screen.message)}</Text>
						<Text dimColor>b back · q quit · ctrl-c cancel</Text>
					</Box>
				)}
			</Box>
		</Box>
	);
}

function applyingTitle(fix: FixId): string {
	return fix === 'reload' ? 'Reloading, then proving the cache matches' : fix === 'trigger' ? 'Installing the trigger, then proving it fires' : 'Removing the trigger';
}

function Phases({phases, title}: {phases: PhaseState[]; title: string}): React.JSX.Element {
	return (
		<Box flexDirection="column">
			<Spinner label={`${title}…`} />
			{phases.map(item => (
				<Text key={item.phase}>
					{!item.done ? <Text>… {phaseTitles[item.phase][0]}</Text> : item.failed ? <Text color="red">✖ {failedTitle(item.phase, item.failed)}</Text> : <Text color="green">✔ {phaseTitles[item.phase][1]}</Text>}
					{item.ms !== undefined && <Text dimColor> ({item.ms} ms)</Text>}
				</Text>
			))}
		</Box>
	);
}

function FixLine({result}: {result: FixResult}): React.JSX.Element {
	return (
		<Box flexDirection="column" marginTop={1}>
			<Text wrap="wrap">
				<Text color={result.ok ? 'green' : 'red'}>{result.ok ? '✔ DONE' : '✖ FAILED'}</Text> {terminalLine(result.message)} <Text dimColor>({result.durationMs} ms{result.verified === true ? ', proved' : ''})</Text>
			</Text>
			{result.steps?.map(step => <Text key={step} wrap="wrap">  • {terminalLine(step)}</Text>)}
		</Box>
	);
}

function ConnectScreen({engine, onConnected}: {engine: DoctorEngine; onConnected(): void}): React.JSX.Element {
	const [step, setStep] = useState(0);
	const [values, setValues] = useState({dbUrl: '', apiUrl: '', apiKey: ''});
	const [error, setError] = useState<string>();
	const submit = (field: keyof typeof values) => (value: string) => {
		const next = {...values, [field]: value.trim()};
		setValues(next);
		if (step < 2) return setStep(step + 1);
		const problem = engine.connect(next);
		if (problem) {
			setError(problem);
			setStep(0);
			return;
		}
		onConnected();
	};
	return (
		<Box flexDirection="column">
			<Text>Where are your database and PostgREST?</Text>
			<Text dimColor>  Supabase cloud: postgresql://postgres.&lt;ref&gt;:&lt;password&gt;@aws-1-&lt;region&gt;.pooler.supabase.com:5432/postgres and https://&lt;ref&gt;.supabase.co/rest/v1</Text>
			<Text dimColor>  Supabase local: postgresql://postgres:postgres@127.0.0.1:54322/postgres and http://127.0.0.1:54321/rest/v1</Text>
			<Text dimColor>  Self-hosted:    postgresql://user:password@host:5432/db and http://localhost:3000</Text>
			{error && <Text color="red">✖ {terminalLine(error)}</Text>}
			<Box marginTop={1} flexDirection="column">
				{step === 0 && <Box><Text>Database URL: </Text><MaskedUrlInput key="db" placeholder="postgresql://…" onSubmit={submit('dbUrl')} /></Box>}
				{step === 1 && <Box><Text>PostgREST URL: </Text><MaskedUrlInput key="api" placeholder="http://localhost:3000" onSubmit={submit('apiUrl')} /></Box>}
				{step === 2 && <Box><Text>API key (enter to skip): </Text><PasswordInput key="key" onSubmit={submit('apiKey')} /></Box>}
			</Box>
			<Text dimColor>enter next · ctrl-c cancel</Text>
		</Box>
	);
}
