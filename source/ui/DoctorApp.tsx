// The interactive doctor: a thin shell over the same engine --json uses. Keyboard driven, every key shown.
// What happened goes to <Static> once and stays in the terminal's scrollback (the record); the live part below it
// stays shorter than the window, because Ink 6 clears the whole terminal, scrollback included (ESC[3J), whenever
// its live output is as tall as the window.
import {Box, Static, useApp, useInput, useStdout} from 'ink';
import type React from 'react';
import {useEffect, useReducer, useRef, useState} from 'react';
import type {OnPhase} from '../collectFacts.js';
import type {FixResult} from '../fixes/applyFixes.js';
import type {FixId} from '../fixes/fixCatalog.js';
import type {Report} from '../report/buildReport.js';
import {terminalBlock} from '../terminalText.js';
import {type ConnectForm, type Known, type Validate, connectForm, typeInto} from './connectForm.js';
import {
	type MenuItem,
	type RecordEntry,
	type SqlScript,
	type State,
	doctorReducer,
	initialState,
	menuFor,
	sqlScriptsFor,
} from './doctorState.js';
import {RecordView} from './RecordView.js';
import {ApplyingScreen} from './screens/ApplyingScreen.js';
import {ConfirmScreen} from './screens/ConfirmScreen.js';
import {ConnectScreen} from './screens/ConnectScreen.js';
import {DiagnosingScreen} from './screens/DiagnosingScreen.js';
import {FailedScreen} from './screens/FailedScreen.js';
import {LeavingScreen} from './screens/LeavingScreen.js';
import {ReportScreen} from './screens/ReportScreen.js';
import {SqlScreen, scriptTitles} from './screens/SqlScreen.js';

/**
 * A diagnosis right after a reload: PostgREST's sessions look idle before the new cache is in use, so while cache
 * findings remain it reads again (a moment later, at most five times) until two readings agree.
 */
export async function settledDiagnosis(diagnose: () => Promise<Report>): Promise<Report> {
	const cacheFindings = (report: Report) =>
		JSON.stringify(report.findings.filter(found => found.code.startsWith('cache.')).map(found => found.message));
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

/**
 * OSC 52: terminals that support it put the text on the system clipboard; others ignore it. The text is made safe
 * first: what is pasted later (into psql, into a terminal) must not carry control characters either.
 */
export function osc52(text: string): string {
	return `\u001B]52;c;${Buffer.from(terminalBlock(text)).toString('base64')}\u0007`;
}

type Numbered = RecordEntry & {id: number};

export function DoctorApp({
	engine,
	onExit,
}: {
	readonly engine: DoctorEngine;
	readonly onExit: (code: number) => void;
}): React.JSX.Element {
	const [state, dispatch] = useReducer(doctorReducer, initialState(engine.connected));
	const [form, setForm] = useState<ConnectForm>(() => connectForm(engine.known()));
	const {exit} = useApp();
	const {write, stdout} = useStdout();
	const {screen, report} = state;

	useEffect(() => {
		if (screen.name !== 'leaving') return;
		onExit(screen.code);
		exit();
		// eslint-disable-next-line react-hooks/exhaustive-deps -- once on leaving: onExit and exit must not run twice
	}, [screen.name]);

	useEffect(() => {
		if (screen.name !== 'diagnosing') return;
		let live = true;
		const onPhase: OnPhase = (phase, done, ms, failed) =>
			live && dispatch({type: 'phase', phase, done, ms, failed: failed?.code});
		(screen.afterReload
			? settledDiagnosis(() => engine.diagnose(onPhase))
			: engine.diagnose(onPhase, screen.probe)
		).then(
			result => {
				if (!live) return;
				// PostgREST heard the probe's NOTIFY and reloaded: the cache this run read is from before that.
				const reloaded = screen.probe && result.findings.some(found => found.code === 'notify.delivered');
				dispatch(reloaded ? {type: 'probed', report: result} : {type: 'diagnosed', report: result});
			},
			(error: Error) => live && dispatch({type: 'failed', message: error.message})
		);
		return () => {
			live = false;
		};
		// eslint-disable-next-line react-hooks/exhaustive-deps -- one diagnosis per run asked for (state.run), not per render
	}, [screen.name === 'diagnosing' && state.run]);

	useEffect(() => {
		if (screen.name !== 'applying' || !report) return;
		let live = true;
		(async () => {
			const result = await engine.applyFix(screen.fix, report);
			const after = await engine.diagnose(
				(phase, done, ms, failed) => live && dispatch({type: 'phase', phase, done, ms, failed: failed?.code})
			);
			if (live) dispatch({type: 'fixed', result, report: after});
		})().catch((error: Error) => live && dispatch({type: 'failed', message: error.message}));
		return () => {
			live = false;
		};
		// eslint-disable-next-line react-hooks/exhaustive-deps -- one fix per run asked for (state.run), never applied twice
	}, [screen.name === 'applying' && state.run]);

	// SQL goes to the terminal as it is, above the live screen: Ink would wrap long lines, and a wrap inside a string
	// literal would change the SQL that gets copied.
	const sqlShown =
		screen.name === 'sql' ? screen.script : screen.name === 'confirm' ? (screen.fix as SqlScript) : undefined;
	// Drawn again once printed, so the screen under the SQL is the last thing written.
	const [, setPrinted] = useState(0);
	useEffect(() => {
		if (!sqlShown) return;
		write(`\n${terminalBlock(engine.sql(sqlShown).trimEnd())}\n\n`);
		setPrinted(count => count + 1);
		// eslint-disable-next-line react-hooks/exhaustive-deps -- printed once per script shown, not again per render
	}, [sqlShown, state.run]);

	const target = {supabase: engine.supabase()};
	const choose = (item: MenuItem) => {
		const current = latest.current.state;
		if (item.action === 'quit') return dispatch({type: 'leave', code: current.report?.exitCode ?? 2});
		if (item.action === 'rerun' || item.action === 'probe')
			return dispatch({type: 'diagnose', probe: item.action === 'probe'});
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
			const values = {
				dbUrl: next.fields.dbUrl.value,
				apiUrl: next.fields.apiUrl.value,
				apiKey: next.fields.apiKey.value,
			};
			const problem = engine.connect(values);
			if (problem)
				return setForm({
					...next,
					submitted: false,
					fields: {...next.fields, dbUrl: {...next.fields.dbUrl, error: problem}},
					active: 'dbUrl',
				});
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
				return dispatch({
					type: 'notice',
					text:
						`Copied the SQL to ${scriptTitles[current.screen.script]} to the clipboard (if your terminal ` +
						`supports OSC 52; otherwise select it above).`,
				});
			}
		}
		if (name === 'failed' && input === 'a') return dispatch({type: 'diagnose'});
		if (
			(name === 'sql' || name === 'failed' || name === 'diagnosing') &&
			(input === 'b' || key.escape) &&
			current.report
		)
			dispatch({type: 'back'});
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
	readonly state: State;
	readonly form: ConnectForm;
	readonly menu: readonly MenuItem[];
	readonly rows?: number;
	readonly onChoose: (item: MenuItem) => void;
};

/** What can still change: the screen at hand, never taller than the window. */
function LiveScreen({state, form, menu, rows, onChoose}: LiveProps): React.JSX.Element {
	const {screen, notice, report} = state;
	switch (screen.name) {
		case 'connect':
			return <ConnectScreen form={form} canGoBack={Boolean(report)} />;
		case 'diagnosing':
			return <DiagnosingScreen phases={screen.phases} probe={screen.probe} canGoBack={Boolean(report)} />;
		case 'applying':
			return <ApplyingScreen fix={screen.fix} phases={screen.phases} />;
		case 'report':
			return <ReportScreen menu={menu} notice={notice} rows={rows} onChoose={onChoose} />;
		case 'confirm':
			return <ConfirmScreen />;
		case 'sql': {
			const scripts = report ? sqlScriptsFor(report) : [screen.script];
			return <SqlScreen script={screen.script} scripts={scripts} notice={notice} />;
		}
		case 'failed':
			return <FailedScreen canGoBack={Boolean(report)} />;
		case 'leaving':
			return <LeavingScreen code={screen.code} />;
		default: {
			const unknown: never = screen;
			return unknown;
		}
	}
}
