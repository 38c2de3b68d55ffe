// The interactive doctor as a state machine, testable without Ink: connect → diagnose → pick a fix → confirm →
// apply → diagnose again and show before → after.
import type {Phase} from '../collectFacts.js';
import type {FindingCode} from '../findings.js';
import type {FixResult} from '../fixes/applyFixes.js';
import type {FixId} from '../fixes/fixCatalog.js';
import type {Report} from '../report/buildReport.js';



/** failed: the code of the finding that ended the phase without an answer. */
export type PhaseState = {phase: Phase; done: boolean; ms?: number; failed?: FindingCode};

export type Screen =
	| {name: 'connect'}
	| {name: 'diagnosing'; phases: PhaseState[]}
	| {name: 'report'}
	| {name: 'confirm'; fix: FixId}
	| {name: 'applying'; fix: FixId; phases: PhaseState[]}
	| {name: 'sql'; fix: FixId}
	| {name: 'steps'}
	| {name: 'failed'; message: string};

export type State = {
	screen: Screen;
	/** Counts the diagnoses and fixes started, so each runs exactly once. */
	run: number;
	report?: Report;
	/** The diagnosis before the last fix, for before → after. */
	before?: Report;
	lastFix?: FixResult;
	/** A note shown under the screen (copied to clipboard, cancelled…). */
	notice?: string;
};

export type Action =
	| {type: 'connected'}
	| {type: 'diagnose'}
	| ({type: 'phase'} & PhaseState)
	| {type: 'diagnosed'; report: Report}
	| {type: 'choose'; fix: FixId}
	| {type: 'showSql'; fix: FixId}
	| {type: 'showSteps'}
	| {type: 'confirm'}
	| {type: 'decline'}
	| {type: 'fixed'; result: FixResult; report: Report}
	| {type: 'failed'; message: string}
	| {type: 'notice'; text: string}
	| {type: 'back'};

export function initialState(connected: boolean): State {
	return {screen: connected ? {name: 'diagnosing', phases: []} : {name: 'connect'}, run: 1};
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
	switch (action.type) {
		case 'connected':
		case 'diagnose':
			return {...state, screen: {name: 'diagnosing', phases: []}, notice: undefined, run: state.run + 1};
		case 'phase':
			if (screen.name === 'diagnosing' || screen.name === 'applying') return {...state, screen: {...screen, phases: withPhase(screen.phases, action)}};
			return state;
		case 'diagnosed':
			return {...state, report: action.report, screen: {name: 'report'}};
		case 'choose':
			if (!state.report) return state;
			return needsConfirmation(action.fix)
				? {...state, notice: undefined, screen: {name: 'confirm', fix: action.fix}}
				: {...state, notice: undefined, screen: {name: 'applying', fix: action.fix, phases: []}, run: state.run + 1};
		case 'confirm':
			return screen.name === 'confirm' ? {...state, screen: {name: 'applying', fix: screen.fix, phases: []}, run: state.run + 1} : state;
		case 'decline':
			return {...state, screen: {name: 'report'}, notice: 'Nothing was changed.'};
		case 'fixed':
			return {...state, before: state.report, report: action.report, lastFix: action.result, screen: {name: 'report'}};
		case 'showSql':
			return {...state, notice: undefined, screen: {name: 'sql', fix: action.fix}};
		case 'showSteps':
			return {...state, notice: undefined, screen: {name: 'steps'}};
		case 'failed':
			return {...state, screen: {name: 'failed', message: action.message}};
		case 'notice':
			return {...state, notice: action.text};
		case 'back':
			return {...state, notice: undefined, screen: state.report ? {name: 'report'} : {name: 'connect'}};
	}
}

export type MenuItem = {key: string; fix?: FixId; action: 'fix' | 'sql' | 'steps' | 'probe' | 'rerun' | 'quit'; label: string};

/** The menu for a diagnosis: the fixes that apply to its findings first, then the ways to look and leave. */
export function menuFor(report: Report): MenuItem[] {
	const offered = new Set(report.fixes.map(fix => fix.id));
	const items: MenuItem[] = [];
	if (offered.has('reload')) items.push({key: 'r', fix: 'reload', action: 'fix', label: 'Reload PostgREST\'s schema cache now'});
	if (offered.has('trigger')) items.push({key: 't', fix: 'trigger', action: 'fix', label: 'Install the auto-reload trigger (shows the SQL, asks first)'});
	if (offered.has('reload') || offered.has('trigger')) items.push({key: 's', fix: offered.has('trigger') ? 'trigger' : 'reload', action: 'sql', label: 'Show the SQL to copy'});
	if (offered.has('manual-reload')) items.push({key: 'd', action: 'steps', label: 'How to reload by hand (Supabase dashboard, signals)'});
	items.push({key: 'p', action: 'probe', label: 'Probe: send NOTIFY and watch PostgREST reload'});
	items.push({key: 'a', action: 'rerun', label: 'Diagnose again'});
	items.push({key: 'q', action: 'quit', label: 'Quit'});
	return items;
}
