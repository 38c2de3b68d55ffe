// The interactive doctor as a state machine, testable without Ink: connect → diagnose → pick a fix → confirm →
// apply → diagnose again. What happened is appended to a record (printed once, above the live screen, and left in
// the terminal's scrollback on exit); the live screen is only what can still change.
import type {Phase} from '../collectFacts.js';
import type {CheckStatus} from '../checks/check.js';
import {type Finding, type FindingCode, blocksDiagnosis} from '../findings.js';
import type {FixResult} from '../fixes/applyFixes.js';
import type {FixId} from '../fixes/fixCatalog.js';
import type {Report} from '../report/buildReport.js';

/** failed: the code of the finding that ended the phase without an answer. */
export type PhaseState = {phase: Phase; done: boolean; ms?: number; failed?: FindingCode};

/** The scripts `s` can show: the ones that fit the findings, most urgent first. */
export type SqlScript = 'reload' | 'trigger' | 'uninstall-trigger';

export type Screen =
	| {name: 'connect'}
	/** afterReload: read again after a reload PostgREST was seen to make, until the reading settles. */
	| {name: 'diagnosing'; phases: PhaseState[]; probe: boolean; title: string; afterReload?: boolean}
	| {name: 'report'}
	| {name: 'confirm'; fix: FixId}
	| {name: 'applying'; fix: FixId; phases: PhaseState[]}
	| {name: 'sql'; script: SqlScript}
	| {name: 'failed'; message: string}
	| {name: 'leaving'; code: number};

/** One thing that happened, in the order it happened. */
export type RecordEntry =
	| {kind: 'connected'; target: string}
	| {kind: 'diagnosis'; title: string; report: Report}
	/** A probe whose NOTIFY reloaded PostgREST: its own result; the diagnosis read after it follows. */
	| {kind: 'probe'; report: Report}
	| {kind: 'fix'; result: FixResult; before: Report; after: Report}
	| {kind: 'steps'; steps: string[]}
	| {kind: 'note'; text: string; tone: 'info' | 'warning' | 'error'};

export type State = {
	screen: Screen;
	/** Counts the diagnoses and fixes started, so each runs exactly once. */
	run: number;
	report?: Report;
	record: RecordEntry[];
	/** A note about the live screen only (copied to the clipboard…); cleared by the next key that does something. */
	notice?: string;
};

export type Action =
	| {type: 'connected'; target: string}
	| {type: 'connect'}
	| {type: 'diagnose'; probe?: boolean}
	| ({type: 'phase'} & PhaseState)
	| {type: 'diagnosed'; report: Report}
	| {type: 'probed'; report: Report}
	| {type: 'choose'; fix: FixId}
	| {type: 'showSql'; script: SqlScript}
	| {type: 'showSteps'; steps: string[]}
	| {type: 'confirm'}
	| {type: 'decline'}
	| {type: 'fixed'; result: FixResult; report: Report}
	| {type: 'failed'; message: string}
	| {type: 'notice'; text: string}
	| {type: 'back'}
	| {type: 'leave'; code: number};

const diagnosing = (
	probe = false,
	title = probe ? 'Diagnosis with the NOTIFY probe' : 'Diagnosis',
	afterReload = false
): Screen => ({name: 'diagnosing', phases: [], probe, title, ...(afterReload ? {afterReload} : {})});

export function initialState(connected: boolean): State {
	return {screen: connected ? diagnosing() : {name: 'connect'}, run: 1, record: []};
}

/** Fixes that write ask first; a reload is a NOTIFY and runs at once. */
export function needsConfirmation(fix: FixId): boolean {
	return fix === 'trigger' || fix === 'uninstall-trigger';
}

function withPhase(phases: PhaseState[], {type: _type, ...phase}: {type: 'phase'} & PhaseState): PhaseState[] {
	const others = phases.filter(item => item.phase !== phase.phase);
	return [...others, phase];
}

export function doctorReducer(state: State, action: Action): State {
	const {screen} = state;
	const note = (text: string, tone: 'info' | 'warning' | 'error' = 'info') => [
		...state.record,
		{kind: 'note', text, tone} as const,
	];
	switch (action.type) {
		case 'connected':
			return {
				...state,
				screen: diagnosing(),
				notice: undefined,
				run: state.run + 1,
				record: [...state.record, {kind: 'connected', target: action.target}],
			};
		case 'connect':
			return screen.name === 'applying' || screen.name === 'confirm'
				? state
				: {...state, screen: {name: 'connect'}, notice: undefined, run: state.run + 1};
		case 'diagnose':
			return {...state, screen: diagnosing(action.probe), notice: undefined, run: state.run + 1};
		case 'phase':
			if (screen.name === 'diagnosing' || screen.name === 'applying')
				return {...state, screen: {...screen, phases: withPhase(screen.phases, action)}};
			return state;
		case 'diagnosed':
			return {
				...state,
				report: action.report,
				screen: {name: 'report'},
				record: [
					...state.record,
					{
						kind: 'diagnosis',
						title: screen.name === 'diagnosing' ? screen.title : 'Diagnosis',
						report: action.report,
					},
				],
			};
		case 'probed':
			// The cache findings of this run are from before the probe's reload: they are read again next.
			return {
				...state,
				screen: diagnosing(false, "Read again after the probe's reload", true),
				run: state.run + 1,
				record: [...state.record, {kind: 'probe', report: action.report}],
			};
		case 'choose':
			if (!state.report) return state;
			return needsConfirmation(action.fix)
				? {...state, notice: undefined, screen: {name: 'confirm', fix: action.fix}}
				: {
						...state,
						notice: undefined,
						screen: {name: 'applying', fix: action.fix, phases: []},
						run: state.run + 1,
					};
		case 'confirm':
			return screen.name === 'confirm'
				? {...state, screen: {name: 'applying', fix: screen.fix, phases: []}, run: state.run + 1}
				: state;
		case 'decline':
			return {...state, screen: {name: 'report'}, record: note('Declined: nothing was changed.')};
		case 'fixed':
			return {
				...state,
				report: action.report,
				screen: {name: 'report'},
				record: [
					...state.record,
					{kind: 'fix', result: action.result, before: state.report!, after: action.report},
				],
			};
		case 'showSql':
			return {...state, notice: undefined, screen: {name: 'sql', script: action.script}};
		case 'showSteps':
			return {...state, notice: undefined, record: [...state.record, {kind: 'steps', steps: action.steps}]};
		case 'failed':
			return {...state, screen: {name: 'failed', message: action.message}, record: note(action.message, 'error')};
		case 'notice':
			return {...state, notice: action.text};
		case 'back':
			return {...state, notice: undefined, screen: state.report ? {name: 'report'} : {name: 'connect'}};
		case 'leave':
			return {...state, screen: {name: 'leaving', code: action.code}};
	}
}

export type MenuItem = {
	key: string;
	fix?: FixId;
	action: 'fix' | 'sql' | 'steps' | 'probe' | 'rerun' | 'connect' | 'quit';
	label: string;
};

/** Probing needs a database that answered and a PostgREST that answered: otherwise it cannot tell anything. */
export function canProbe(report: Report): boolean {
	return (
		report.target.db !== null &&
		report.target.api !== null &&
		!report.findings.some(found => blocksDiagnosis(found.code))
	);
}

/** The SQL that fits the findings: the reload first when the cache is stale, then the trigger, then its removal. */
export function sqlScriptsFor(report: Report): SqlScript[] {
	const offered = new Set(report.fixes.map(fix => fix.id));
	const scripts: SqlScript[] = [];
	if (offered.has('reload')) scripts.push('reload');
	if (offered.has('trigger')) scripts.push('trigger');
	if (report.checks.some(check => check.id === 'trigger.installed' && check.status === 'pass'))
		scripts.push('uninstall-trigger');
	return scripts;
}

/** The menu for a diagnosis: the fixes that apply to its findings first, then the ways to look and leave. */
export function menuFor(report: Report, target: {supabase: boolean} = {supabase: false}): MenuItem[] {
	const offered = new Set(report.fixes.map(fix => fix.id));
	const items: MenuItem[] = [];
	if (offered.has('reload'))
		items.push({key: 'r', fix: 'reload', action: 'fix', label: "Reload PostgREST's schema cache now"});
	if (offered.has('trigger'))
		items.push({key: 't', fix: 'trigger', action: 'fix', label: 'Install the auto-reload trigger (asks first)'});
	if (sqlScriptsFor(report).length > 0) items.push({key: 's', action: 'sql', label: 'Show the SQL to copy'});
	if (offered.has('manual-reload')) {
		items.push({
			key: 'd',
			action: 'steps',
			label: target.supabase
				? 'How to reload by hand (Supabase SQL Editor, restart)'
				: 'How to reload by hand (psql, SIGUSR1, restart)',
		});
	}
	if (canProbe(report))
		items.push({key: 'p', action: 'probe', label: 'Probe: send NOTIFY and watch PostgREST reload'});
	items.push({key: 'a', action: 'rerun', label: 'Diagnose again'});
	items.push({key: 'u', action: 'connect', label: 'Change the URLs (connect screen)'});
	items.push({key: 'q', action: 'quit', label: 'Quit'});
	return items;
}

/** A finding's identity across two diagnoses: its key (its code and the object it names, see findingKey). */
const findingKey = (found: Finding): string => found.key;

export type Proof = {
	healed: Finding[];
	remaining: Finding[];
	/** Findings the later diagnosis has and the earlier one had not. */
	appeared: Finding[];
	/** Checks whose status changed. */
	changed: Array<{id: string; title: string; from: CheckStatus; to: CheckStatus}>;
};

/** What an action changed, finding by finding: the proof is the list, not only the counts. */
export function proofOf(before: Report, after: Report): Proof {
	const afterKeys = new Set(after.findings.map(findingKey));
	const beforeKeys = new Set(before.findings.map(findingKey));
	const statusBefore = new Map(before.checks.map(check => [check.id, check.status]));
	return {
		healed: before.findings.filter(found => !afterKeys.has(findingKey(found))),
		remaining: after.findings.filter(found => beforeKeys.has(findingKey(found))),
		appeared: after.findings.filter(found => !beforeKeys.has(findingKey(found))),
		changed: after.checks
			.filter(check => statusBefore.has(check.id) && statusBefore.get(check.id) !== check.status)
			.map(check => ({id: check.id, title: check.title, from: statusBefore.get(check.id)!, to: check.status})),
	};
}

/** The doctor's flag names in checks' wording become the key that does the same here, where that key is offered. */
export function inKeys(text: string, probeOffered = true): string {
	if (!probeOffered) return text;
	return text.replace(/\b(?:add|run with) --probe\b/g, 'press p').replace(/--probe tells more/g, 'p tells more');
}
