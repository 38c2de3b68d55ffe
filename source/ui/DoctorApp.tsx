// The interactive doctor: a thin shell over the same engine --json uses. Keyboard driven, every key shown.
// What happened goes to <Static> once and stays in the terminal's scrollback (the record); the live part below it
// stays shorter than the window, because Ink 6 clears the whole terminal, scrollback included (ESC[3J), whenever
// its live output is as tall as the window.
import {Select, Spinner} from '@inkjs/ui';
import {Box, Static, Text, useApp, useInput, useStdout} from 'ink';
import React, {useEffect, useReducer, useRef, useState} from 'react';
import type {OnPhase, Phase} from '../collectFacts.js';
import type {FindingCode} from '../findings.js';
import type {FixResult} from '../fixes/applyFixes.js';
import type {FixId} from '../fixes/fixCatalog.js';
import type {Report} from '../report/buildReport.js';
import {terminalBlock, terminalLine} from '../terminalText.js';
import {type ConnectForm, type Known, type Validate, connectForm, typeInto} from './connectForm.js';
import {ConnectScreen} from './ConnectScreen.js';
import {type MenuItem, type PhaseState, type RecordEntry, type SqlScript, doctorReducer, initialState, menuFor, sqlScriptsFor} from './doctorState.js';
import {RecordView} from './RecordView.js';
import {Marked} from './ReportView.js';

/**
 * A diagnosis right after a reload: PostgREST's sessions look idle before the new cache is in use, so while cache
 * findings remain it reads again (a moment later, at most five times) until two readings agree.
 */
export async function settledDiagnosis(diagnose: () => Promise<Report>): Promise<Report> {
	const cacheFindings = (report: Report) => JSON.stringify(report.findings.filter(found => found.code.startsWith('cache.')).map(found => found.message));
	let report = await diagnose();
	for (let attempt = 0; attempt < 5 && cacheFindings(report) !== '[]'; attempt++) {
		await new Promise(resolve => setTimeout(resolve, 250));
		const next = await diagnose();
		if (cacheFindings(next) === cacheFindings(report)) return next;
		report = next;
	}
	return report;
}

export type DoctorEngine = {
	connected: boolean;
	/** The values the connect screen starts from, and where each came from. */
	known(): Known;
	validate: Validate;
	/** Takes the values of the connect screen; returns an error sentence when they are not usable. */
	connect(values: {dbUrl: string; apiUrl: string; apiKey: string}): string | undefined;
	diagnose(onPhase: OnPhase, probe?: boolean): Promise<Report>;
	applyFix(fix: FixId, before: Report): Promise<FixResult>;
	sql(script: SqlScript): string;
	manualSteps(): string[];
	target(): string;
	/** Whether the URLs are Supabase's: the steps by hand differ. */
	supabase(): boolean;
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

const scriptTitles: Record<SqlScript, string> = {
	reload: 'reload the cache',
	trigger: 'install the trigger',
	'uninstall-trigger': 'remove the trigger',
};

const exitWords: Record<number, string> = {0: 'healthy', 1: 'problems found', 2: 'could not diagnose', 130: 'cancelled'};

/**
 * OSC 52: terminals that support it put the text on the system clipboard; others ignore it. The text is made safe
 * first: what is pasted later (into psql, into a terminal) must not carry control characters either.
 */
export function osc52(text: string): string {
	return `\u001B]52;c;${Buffer.from(terminalBlock(text)).toString('base64')}\u0007`;
}

type Numbered = RecordEntry & {id: number};

export function DoctorApp({engine, onExit}: {readonly engine: DoctorEngine; readonly onExit: (code: number) => void}): React.JSX.Element {
	const [state, dispatch] = useReducer(doctorReducer, initialState(engine.connected));
	const [form, setForm] = useState<ConnectForm>(() => connectForm(engine.known()));
	const {exit} = useApp();
	const {write, stdout} = useStdout();
	const {screen, report} = state;

	useEffect(() => {
		if (screen.name !== 'leaving') return;
		onExit(screen.code);
		exit();
	}, [screen.name]);

	useEffect(() => {
		if (screen.name !== 'diagnosing') return;
		let live = true;
		const onPhase: OnPhase = (phase, done, ms, failed) => live && dispatch({type: 'phase', phase, done, ms, failed: failed?.code});
		(screen.afterReload ? settledDiagnosis(() => engine.diagnose(onPhase)) : engine.diagnose(onPhase, screen.probe)).then(
			result => {
				if (!live) return;
				// PostgREST heard the probe's NOTIFY and reloaded: the cache this run read is from before that.
				const reloaded = screen.probe && result.findings.some(found => found.code === 'notify.delivered');
				dispatch(reloaded ? {type: 'probed', report: result} : {type: 'diagnosed', report: result});
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

	// SQL goes to the terminal as it is, above the live screen: Ink would wrap long lines, and a wrap inside a string
	// literal would change the SQL that gets copied.
	const sqlShown = screen.name === 'sql' ? screen.script : screen.name === 'confirm' ? (screen.fix as SqlScript) : undefined;
	// Drawn again once printed, so the screen under the SQL is the last thing written.
	const [, setPrinted] = useState(0);
	useEffect(() => {
		if (!sqlShown) return;
		write(`\n${terminalBlock(engine.sql(sqlShown).trimEnd())}\n\n`);
		setPrinted(count => count + 1);
	}, [sqlShown, state.run]);

	const target = {supabase: engine.supabase()};
	const choose = (item: MenuItem) => {
		const current = latest.current.state;
		if (item.action === 'quit') return dispatch({type: 'leave', code: current.report?.exitCode ?? 2});
		if (item.action === 'rerun' || item.action === 'probe') return dispatch({type: 'diagnose', probe: item.action === 'probe'});
		if (item.action === 'connect') return openConnect();
		if (item.action === 'sql') return dispatch({type: 'showSql', script: sqlScriptsFor(current.report!)[0]!});
		if (item.action === 'steps') return dispatch({type: 'showSteps', steps: engine.manualSteps()});
		dispatch({type: 'choose', fix: item.fix!});
	};
	const openConnect = () => {
		setForm(connectForm(engine.known(), true));
		dispatch({type: 'connect'});
	};

	const menu = report ? menuFor(report, target) : [];
	// One key handler for the whole app, reading the state of the latest render through a ref: a handler that
	// hooks re-register in effects could miss a key pressed right after a screen appears.
	const latest = useRef({state, menu, form});
	latest.current = {state, menu, form};
	useInput((input, key) => {
		const current = latest.current.state;
		const name = current.screen.name;
		if (key.ctrl && input === 'c') return dispatch({type: 'leave', code: 130});
		if (name === 'leaving' || name === 'applying') return;
		if (name === 'connect') {
			if (key.escape && current.report) return dispatch({type: 'back'});
			const next = typeInto(latest.current.form, input, key, engine.validate);
			latest.current.form = next;
			setForm(next);
			if (!next.submitted) return;
			const values = {dbUrl: next.fields.dbUrl.value, apiUrl: next.fields.apiUrl.value, apiKey: next.fields.apiKey.value};
			const problem = engine.connect(values);
			if (problem) return setForm({...next, submitted: false, fields: {...next.fields, dbUrl: {...next.fields.dbUrl, error: problem}}, active: 'dbUrl'});
			return dispatch({type: 'connected', target: engine.target()});
		}
		if (input === 'q') return dispatch({type: 'leave', code: current.report?.exitCode ?? 2});
		if (current.screen.name === 'confirm') {
			if (input === 'y' || input === 'Y') dispatch({type: 'confirm'});
			else if (input === 'n' || input === 'N' || key.return || key.escape) dispatch({type: 'decline'});
			return;
		}
		if (input === 'u') return openConnect();
		if (name === 'report') {
			const item = latest.current.menu.find(candidate => candidate.key === input);
			if (item) choose(item);
			return;
		}
		if (current.screen.name === 'sql') {
			const scripts = sqlScriptsFor(current.report!);
			const picked = scripts[Number(input) - 1];
			if (picked) return dispatch({type: 'showSql', script: picked});
			if (input === 'c') {
				write(osc52(engine.sql(current.screen.script)));
				return dispatch({type: 'notice', text: `Copied the SQL to ${scriptTitles[current.screen.script]} to the clipboard (if your terminal supports OSC 52; otherwise select it above).`});
			}
		}
		if (name === 'failed' && input === 'a') return dispatch({type: 'diagnose'});
		if ((name === 'sql' || name === 'failed' || name === 'diagnosing') && (input === 'b' || key.escape) && current.report) dispatch({type: 'back'});
	});

	const record = numbered(state.record);
	return (
		<Box flexDirection="column">
			<Static items={record}>{entry => <RecordView key={entry.id} entry={entry} />}</Static>
			<LiveScreen state={state} form={form} menu={menu} rows={stdout.rows} onChoose={choose} />
		</Box>
	);
}

const numberedCache = new WeakMap<RecordEntry, Numbered>();

/** Static tells items apart by identity: each entry keeps the one numbered copy it was first drawn with. */
function numbered(record: RecordEntry[]): Numbered[] {
	return record.map((entry, id) => {
		const known = numberedCache.get(entry) ?? {...entry, id};
		numberedCache.set(entry, known);
		return known;
	});
}

type LiveProps = {
	readonly state: ReturnType<typeof doctorReducer>;
	readonly form: ConnectForm;
	readonly menu: MenuItem[];
	readonly rows?: number;
	readonly onChoose: (item: MenuItem) => void;
};

/** What can still change: the screen at hand, never taller than the window. */
function LiveScreen({state, form, menu, rows, onChoose}: LiveProps): React.JSX.Element {
	const {screen, notice, report} = state;
	const hints = (text: string) => <Text dimColor>{text}</Text>;
	switch (screen.name) {
		case 'connect':
			return <ConnectScreen form={form} canGoBack={Boolean(report)} />;
		case 'diagnosing':
		case 'applying':
			return (
				<Box flexDirection="column" marginTop={1}>
					<Phases phases={screen.phases} title={screen.name === 'applying' ? applyingTitle(screen.fix) : screen.probe ? 'Diagnosing, with the NOTIFY probe' : 'Diagnosing'} />
					{hints(screen.name === 'applying' ? 'ctrl-c cancel' : report ? 'b back · u change the URLs · ctrl-c cancel' : 'u change the URLs · ctrl-c cancel')}
				</Box>
			);
		case 'report':
			return <Menu menu={menu} notice={notice} rows={rows} onChoose={onChoose} />;
		case 'confirm':
			return (
				<Box flexDirection="column">
					<Text bold>The SQL above writes to the database, in one transaction with lock_timeout.</Text>
					<Text>Run it? (y/N)</Text>
					{hints('y yes · n or enter no · q quit · ctrl-c cancel')}
				</Box>
			);
		case 'sql': {
			const scripts = report ? sqlScriptsFor(report) : [screen.script];
			return (
				<Box flexDirection="column">
					<Text wrap="wrap">
						The SQL to {scriptTitles[screen.script]} is printed above, ready to paste into psql or Supabase's SQL Editor.
					</Text>
					{scripts.length > 1 && <Text wrap="wrap">SQL that fits: {scripts.map((script, index) => `${index + 1} ${scriptTitles[script]}${script === screen.script ? ' (shown)' : ''}`).join(' · ')}</Text>}
					{notice && <Text color="yellow" wrap="wrap">{terminalLine(notice)}</Text>}
					{hints(`${scripts.length > 1 ? `1-${scripts.length} show that SQL · ` : ''}c copy the SQL shown · b back · q quit`)}
				</Box>
			);
		}
		case 'failed':
			return (
				<Box flexDirection="column" marginTop={1}>
					<Text color="red" wrap="wrap">✖ The doctor could not finish that: see the record above.</Text>
					{hints(`a diagnose again · u change the URLs${report ? ' · b back' : ''} · q quit`)}
				</Box>
			);
		case 'leaving':
			return <Text dimColor>{`pgrst-doctor: exit ${screen.code} (${exitWords[screen.code] ?? 'done'})`}</Text>;
	}
}

/** The keys for the diagnosis on screen; on a short window, one line of keys instead of the list. */
function Menu({menu, notice, rows, onChoose}: {readonly menu: MenuItem[]; readonly notice?: string; readonly rows?: number; readonly onChoose: (item: MenuItem) => void}): React.JSX.Element {
	const tall = menu.length + (notice ? 5 : 4);
	const compact = rows !== undefined && rows > 0 && tall >= rows;
	return (
		<Box flexDirection="column" marginTop={1}>
			{notice && <Text color="yellow" wrap="wrap">{terminalLine(notice)}</Text>}
			<Text bold>What next?</Text>
			{compact ? (
				<Marked mark="" spans={[{text: menu.map(item => `${item.key}\u00A0${item.label.split(' ')[0]!.replace(/\W+$/, '').toLowerCase()}`).join(' · ')}]} />
			) : (
				<Select options={menu.map(item => ({label: `[${item.key}] ${item.label}`, value: item.key}))} onChange={value => onChoose(menu.find(item => item.key === value)!)} visibleOptionCount={menu.length} />
			)}
			{!compact && <Text dimColor>↑↓ move · enter choose · or press a key · ctrl-c cancel</Text>}
		</Box>
	);
}

function applyingTitle(fix: FixId): string {
	return fix === 'reload' ? 'Reloading, then proving the cache matches' : fix === 'trigger' ? 'Installing the trigger, then proving it fires' : 'Removing the trigger';
}

function Phases({phases, title}: {readonly phases: PhaseState[]; readonly title: string}): React.JSX.Element {
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
