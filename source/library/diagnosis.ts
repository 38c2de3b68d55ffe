// The diagnosis every command and the library share: look, judge, build the report; and heal with a fix, then prove it.
import {collectFacts, type DiagnosisOptions} from '../collectFacts.js';
import {runChecks} from '../engine.js';
import {applyFix, blocksProof, type FixContext, type FixResult, tryInstallTrigger} from '../fixes/applyFixes.js';
import {ignoreKeysFor} from '../findings.js';
import {fixCatalog, type FixId} from '../fixes/fixCatalog.js';
import type {ReloadFunctionOptions} from '../fixes/reloadFunction.js';
import {failureReason} from '../probes/connectionFailure.js';
import {apiRequests, closeHttp} from '../probes/http.js';
import {diagnoseInstances} from './instancesDiagnosis.js';
import {buildReport, exitCodes, followedChannel, type Report, withIgnores} from '../report/buildReport.js';

export type FixRequest =
	'reload' | 'trigger' | 'uninstall-trigger' | 'reload-function' | 'uninstall-reload-function' | 'all';

/** What a fix needs beyond the diagnosis: where the reload function lives and who may call it. */
export type FixOptions = DiagnosisOptions & {reloadFunction?: ReloadFunctionOptions};

// Removing what pgrst-doctor installed needs no diagnosis to aim it or to prove it.
const uninstalls: FixId[] = ['uninstall-trigger', 'uninstall-reload-function'];

export async function diagnose(options: DiagnosisOptions): Promise<Report> {
	return withIgnores(await diagnoseAll(options), options.ignore);
}

async function diagnoseAll(options: DiagnosisOptions): Promise<Report> {
	if (options.instances && options.instances.length > 1)
		return diagnoseInstances({...options, instances: options.instances});
	try {
		const facts = await collectFacts(options);
		const started = performance.now();
		const results = runChecks(facts);
		facts.timings.checks = Math.round(performance.now() - started);
		return buildReport(facts, results, {
			db: options.database?.display,
			api: options.api?.display,
			connectionString: options.database?.connectionString,
		});
	} finally {
		await closeHttp();
	}
}

/** Which fixes a request means for this diagnosis: `all` is every writing or reloading fix the findings point at. */
function requestedFixes(request: FixRequest, report: Report): FixId[] {
	if (request !== 'all') return [request];
	const wanted = new Set(report.fixes.map(item => item.id));
	return (['reload', 'trigger'] as const).filter(id => wanted.has(id));
}

export function fixContext(options: FixOptions, before: Report): FixContext {
	return {
		reloadFunction: options.reloadFunction,
		connectionString: options.database!.connectionString,
		timeoutMs: options.timeoutMs,
		channel: followedChannel(before) ?? options.channel,
		apiUrl: options.api?.url,
		...(options.instances ? {apiUrls: options.instances.map(api => api.url)} : {}),
		signal: options.signal,
		diagnose: async signal => diagnose(signal ? {...options, signal} : options),
		...(options.api && !options.instances
			? {recheckTarget: apiRequests(options.api.url, options, {concurrency: options.concurrency})}
			: {}),
		before,
	};
}

/** check --fix (and explain --fix): without yes, what would run; with it, apply each fix and diagnose again. */
export async function fixAndProve(
	before: Report,
	options: FixOptions,
	request: FixRequest,
	yes: boolean
): Promise<Report> {
	const ids = requestedFixes(request, before);
	if (!options.database) {
		return {
			...before,
			fixesApplied: [
				{
					id: ids[0] ?? 'reload',
					ok: false,
					verified: false,
					durationMs: 0,
					message: 'Fixes need the database: pass --db-url.',
				},
			],
			exitCode: exitCodes.undiagnosed,
		};
	}
	const context = fixContext(options, before);
	if (!yes) {
		const catalog = fixCatalog(
			context.channel,
			options.api?.url,
			options.database.connectionString,
			options.reloadFunction
		);
		const fixesPlanned = await Promise.all(
			ids.map(async id => {
				const {title, preview, writes} = catalog[id];
				const dryRun = id === 'trigger' ? await tryInstallTrigger(context) : undefined;
				return {id, title, preview, writes, ...(dryRun ? {dryRun} : {})};
			})
		);
		// Nothing left to apply (every finding that pointed at a fix was ignored on purpose): the diagnosis stands.
		if (fixesPlanned.length === 0) return {...before, fixesPlanned};
		return {...before, fixesPlanned, exitCode: Math.max(before.exitCode, exitCodes.problems)};
	}
	const blocker = before.findings.find(blocksProof);
	// Without --api-url only a reload needs what was not compared: the trigger and the function are proved in the database alone.
	const blocked =
		blocker?.code === 'cache.not_compared' ? ids.includes('reload') : ids.some(id => !uninstalls.includes(id));
	if (blocker && blocked) {
		const message =
			`Not attempted: ${blocker.code} kept the diagnosis from being made (see the finding), so the ` +
			`fix could be neither aimed nor proved. Fix that first, then run the doctor again.`;
		return {
			...before,
			fixesApplied: ids.map(id => ({id, ok: false, verified: false, durationMs: 0, message})),
			exitCode: exitCodes.undiagnosed,
		};
	}
	const fixesApplied: FixResult[] = [];
	for (const id of ids) {
		if (options.signal?.aborted) return before;
		const started = performance.now();
		fixesApplied.push(await applyFix(id, context).catch((error: unknown) => failedFix(id, error, started)));
	}
	if (options.signal?.aborted) return before;
	const after = await diagnose(options);
	const failed = fixesApplied.some(result => !result.ok);
	return {
		...afterIgnores(after, before),
		fixesApplied,
		before: {
			exitCode: before.exitCode,
			findings: before.findings,
			...(before.ignoredFindings?.length ? {ignoredFindings: before.ignoredFindings} : {}),
		},
		exitCode: failed ? Math.max(after.exitCode, exitCodes.problems) : after.exitCode,
	};
}

/** A fix that threw (the database or PostgREST went away under it) is a failed fix; the diagnosis after it still runs. */
function failedFix(id: FixId, error: unknown, started: number): FixResult {
	return {
		id,
		ok: false,
		verified: false,
		durationMs: Math.round(performance.now() - started),
		message:
			`The ${id} fix did not finish: ${failureReason(error)}. Nothing after that step ran; the diagnosis ` +
			`below is from after it.`,
	};
}

/** An --ignore key that matched before the fix healed its finding has not rotted: it is not listed as unmatched. */
function afterIgnores(after: Report, before: Report): Report {
	if (!after.unmatchedIgnores?.length) return after;
	const matchedBefore = new Set(
		[...(before.ignoredFindings ?? []), ...before.findings].flatMap(found => ignoreKeysFor(found.key))
	);
	return {...after, unmatchedIgnores: after.unmatchedIgnores.filter(key => !matchedBefore.has(key))};
}
