// The interactive doctor's runner: builds the engine from the same pieces `check` uses and mounts Ink. The first
// frame is written before Ink and the diagnosis code load (that takes most of a second on a slow machine): the
// diagnosis starts at once and the app takes it over when it mounts.
import type {OnPhase, DiagnosisOptions} from '../collectFacts.js';
import {fixCatalog} from '../fixes/fixCatalog.js';
import {manualReloadSteps} from '../fixes/manualReload.js';
import type {Report} from '../report/buildReport.js';
import {keyKind, shownSettings} from '../settings/shownSettings.js';
import {supabaseProjectRef} from '../settings/supabaseShape.js';
import {reloadScript} from '../sql/triggerSql.js';
import {databaseTarget, httpTarget, UsageError} from '../target.js';
import {terminalLine} from '../terminalText.js';
import {toolVersion} from '../toolVersion.js';
import type {Field, Known} from '../ui/connectForm.js';
import type {DoctorEngine} from '../ui/DoctorApp.js';
import {wrapWords} from '../ui/wrapWords.js';

/**
 * Where each value the doctor was started with came from, in discovery's words: {dbUrl: '.env (DATABASE_URL)',
 * apiUrl: '--api-url', apiKey: 'supabase/config.toml (supabase start's default service_role key)'}.
 */
export type KnownSources = Partial<Record<Field, string>>;

const typedHere = 'the connect screen';

/** The connect screen's check of one field: the same reading of URLs the flags get. */
export function validateField(field: Field, value: string): string | undefined {
	if (field === 'apiKey') return undefined;
	if (!value)
		return field === 'dbUrl'
			? 'Enter the database URL: the doctor reads the catalogs there.'
			: "Enter PostgREST's URL: without it the schema cache cannot be compared.";
	try {
		if (field === 'dbUrl') databaseTarget(value);
		else httpTarget(value, 'PostgREST URL');
		return undefined;
	} catch (error) {
		if (error instanceof UsageError) return error.message;
		throw error;
	}
}

/** A diagnosis begun before anyone listens: the phases seen so far are replayed to the listener that comes later. */
function earlyDiagnosis(run: (onPhase: OnPhase) => Promise<Report>) {
	const seen: Array<Parameters<OnPhase>> = [];
	let listener: OnPhase | undefined;
	const report = run((...phase) => {
		seen.push(phase);
		listener?.(...phase);
	});
	// Until the app takes it over, a failure is the app's to show, not an unhandled rejection.
	report.catch(() => {});
	return {
		report,
		follow(onPhase: OnPhase) {
			for (const phase of seen) onPhase(...phase);
			listener = onPhase;
		},
	};
}

export function doctorEngine(initial: DiagnosisOptions, sources: KnownSources = {}): DoctorEngine & {begin(): void} {
	let options = initial;
	let known = sources;
	let early: ReturnType<typeof earlyDiagnosis> | undefined;
	const diagnose = async (onPhase: OnPhase, probe?: boolean) =>
		(await import('../library/diagnosis.js')).diagnose({...options, onPhase, probe});
	return {
		connected: Boolean(options.database && options.api),
		/** Starts the first diagnosis now; the app's first call to diagnose takes it over. */
		begin() {
			if (options.database && options.api) early = earlyDiagnosis(async onPhase => diagnose(onPhase));
		},
		known() {
			const value = (field: Field, text?: string): Known[Field] =>
				text ? {value: text, source: known[field] ?? typedHere} : undefined;
			return {
				dbUrl: value('dbUrl', options.database?.connectionString),
				apiUrl: value('apiUrl', options.api?.url),
				apiKey: value('apiKey', options.apiKey),
			};
		},
		validate: validateField,
		connect(values) {
			try {
				const before = this.known();
				options = {
					...options,
					database: databaseTarget(values.dbUrl),
					api: httpTarget(values.apiUrl, 'PostgREST URL'),
					apiKey: values.apiKey || undefined,
				};
				const changed = (field: Field) => before[field]?.value !== values[field];
				known = Object.fromEntries(
					(['dbUrl', 'apiUrl', 'apiKey'] as const).map(field => [
						field,
						changed(field) ? typedHere : known[field],
					])
				);
				early = undefined;
				return undefined;
			} catch (error) {
				if (error instanceof UsageError) return error.message;
				throw error;
			}
		},
		async diagnose(onPhase, probe) {
			const started = early;
			early = undefined;
			if (started && !probe) {
				started.follow(onPhase);
				return started.report;
			}
			return diagnose(onPhase, probe);
		},
		applyFix: async (fix, before) => {
			const [{applyFix}, {fixContext}] = await Promise.all([
				import('../fixes/applyFixes.js'),
				import('../library/diagnosis.js'),
			]);
			return applyFix(fix, fixContext(options, before));
		},
		sql: script =>
			script === 'reload' ? reloadScript(options.channel) : fixCatalog(options.channel)[script].preview,
		manualSteps: () => manualReloadSteps(options.channel, options.api?.url, options.database?.connectionString),
		target: () => [options.database?.display, options.api?.display].filter(Boolean).join(' · '),
		supabase: () => supabaseProjectRef(options.api?.url, options.database?.connectionString) !== undefined,
	};
}

/**
 * The first lines of the session, written before Ink loads: what is diagnosed and every other value the run uses, each
 * with where it came from. A line wider than the window is broken between words and continues under its value, so no
 * wrap of the terminal cuts a URL or a source in the middle.
 */
export function headerLines(options: DiagnosisOptions, sources: KnownSources, columns = 80): string {
	const indent = 13;
	const wrapped = (label: string, text: string) =>
		wrapWords([{text: terminalLine(text)}], columns - indent - 1).map(
			(spans, index) =>
				`${index === 0 ? `  ${label.padEnd(indent - 2)}` : ' '.repeat(indent)}${spans.map(span => span.text).join('')}`
		);
	const line = (label: string, shown: string | undefined, source: string | undefined) => {
		if (!shown) return [];
		const from = `from ${source ?? typedHere}`;
		const whole = wrapped(label, `${shown}  ${from}`);
		// The source starts a line of its own when the value and it do not share one.
		return whole.length === 1 ? whole : [...wrapped(label, shown), ...wrapped('', from)];
	};
	// The rest of what discovery found (schemas, channel, admin server, …), as the plain report lists it.
	const others = shownSettings(options.settings ?? {notes: []}).filter(
		row => !['db-url', 'api-url', 'api-key'].includes(row.name)
	);
	return [
		`pgrst-doctor ${toolVersion}`,
		...line('Database', options.database?.display, sources.dbUrl),
		...line('PostgREST', options.api?.display, sources.apiUrl),
		...line('API key', options.apiKey && keyKind(options.apiKey), sources.apiKey),
		...others.flatMap(row => line(row.name, row.value, row.from)),
		...(options.settings?.notes ?? []).flatMap(note => wrapped('note', note)),
	].join('\n');
}

export async function interactiveCommand(options: DiagnosisOptions, sources: KnownSources = {}): Promise<number> {
	const engine = doctorEngine(options, sources);
	const {stdin, stdout} = process;
	// The first frame, at once. The second line is a placeholder the app replaces.
	stdout.write(
		`${headerLines(options, sources, stdout.columns)}\n${engine.connected ? 'Diagnosing…' : 'Opening the connect screen…'}`
	);
	// Keys typed from now on wait, unechoed, for the app instead of being echoed by the terminal in the meantime.
	stdin.setRawMode?.(true);
	let code = 0;
	try {
		engine.begin();
		const [{render}, React, {DoctorApp}] = await Promise.all([
			import('ink'),
			import('react'),
			import('../ui/DoctorApp.js'),
		]);
		stdout.write('\r\u001B[2K');
		const app = render(React.createElement(DoctorApp, {engine, onExit: exitCode => (code = exitCode)}), {
			exitOnCtrlC: false,
		});
		await app.waitUntilExit();
	} finally {
		stdin.setRawMode?.(false);
	}
	return code;
}
