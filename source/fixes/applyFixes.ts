// Applies fixes and proves them: after each one the affected checks run again against the real servers.
import {blocksDiagnosis} from '../findings.js';
import type {Report} from '../report/buildReport.js';
import {reloadSql} from '../sql/reloadSql.js';
import {doctorMarker, doctorSchema, doctorTriggers, installTriggerSql, literal, uninstallTriggerSql} from '../sql/triggerSql.js';
import {cacheCheckIds, type FixId} from './fixCatalog.js';
import {localPostgrestPid} from './localPostgrest.js';
import {manualReloadSteps} from './manualReload.js';
import {databaseNow, waitForReload} from '../probes/reloadObserver.js';
import {runInTransaction, withClient, type WriteOptions} from './writeSession.js';

export type FixResult = {id: FixId; ok: boolean; verified: boolean | null; durationMs: number; message: string; steps?: string[]};

export type FixContext = WriteOptions & {
	channel: string;
	apiUrl?: string;
	/** Diagnoses again from scratch; the source of every proof. */
	diagnose(): Promise<Report>;
	before: Report;
};

const pollMs = 200;

/** Healed only when every cache check passed on a full comparison: nothing unverified, nothing that blocks diagnosis. */
export function isCacheHealed(report: Report): boolean {
	return cacheCheckIds.every(id => report.checks.find(check => check.id === id)?.status === 'pass')
		&& !report.findings.some(found => found.code.startsWith('cache.') || blocksDiagnosis(found.code));
}

/** Polls diagnoses until the cache matches the database or the time is up. */
export async function waitUntilHealed(context: FixContext, timeoutMs: number): Promise<{healed: boolean; report: Report}> {
	const deadline = performance.now() + timeoutMs;
	for (;;) {
		const report = await context.diagnose();
		if (isCacheHealed(report) || performance.now() >= deadline) return {healed: isCacheHealed(report), report};
		await new Promise(resolve => setTimeout(resolve, pollMs));
	}
}

export async function applyFix(id: FixId, context: FixContext): Promise<FixResult> {
	const started = performance.now();
	const result = await (id === 'reload' ? reload(context) : id === 'trigger' ? installTrigger(context) : id === 'uninstall-trigger' ? uninstallTrigger(context) : manual(context));
	return {id, ...result, durationMs: Math.round(performance.now() - started)};
}

type Outcome = Omit<FixResult, 'id' | 'durationMs'>;

async function notify(context: FixContext, also?: string): Promise<void> {
	await withClient(context, async client => {
		if (also) await client.query(also);
		await client.query(reloadSql(context.channel));
	});
}

/** NOTIFY, then escalate: clear a stuck notification queue, then SIGUSR1 a PostgREST on this machine, then say how by hand. */
async function reload(context: FixContext): Promise<Outcome> {
	const tried: string[] = [];
	const attempts: Array<{label: string; run(): Promise<boolean>}> = [
		{label: reloadSql(context.channel), run: async () => (await notify(context), true)},
		{label: `select pg_notification_queue_usage(); then ${reloadSql(context.channel)}`, run: async () => (await notify(context, 'select pg_notification_queue_usage()'), true)},
		{
			label: 'SIGUSR1 to the PostgREST process on this machine',
			async run() {
				const pid = context.apiUrl ? localPostgrestPid(context.apiUrl) : undefined;
				if (pid === undefined) return false;
				process.kill(pid, 'SIGUSR1');
				return true;
			},
		},
	];
	for (const attempt of attempts) {
		const started = performance.now();
		if (!(await attempt.run())) continue;
		tried.push(attempt.label);
		const {healed} = await waitUntilHealed(context, context.timeoutMs);
		if (healed) {
			const after = tried.length > 1 ? ` after ${tried.slice(0, -1).join(' and ')} did not help` : '';
			return {ok: true, verified: true, message: `PostgREST's cache matches the database ${Math.round(performance.now() - started)} ms after ${attempt.label}${after}`};
		}
	}
	const listener = context.before.findings.find(found => found.code.startsWith('listener.') || found.code === 'api.other_database');
	const why = listener ? ` ${listener.message}.` : ' The notification did not reach it, or its reload failed (see PostgREST\'s log).';
	return {ok: false, verified: false, message: `PostgREST did not reload after ${tried.join(', then ')}.${why}`, steps: manualReloadSteps(context.channel, context.apiUrl, context.connectionString)};
}

async function manual(context: FixContext): Promise<Outcome> {
	return {ok: true, verified: null, message: 'Steps to reload by hand', steps: manualReloadSteps(context.channel, context.apiUrl, context.connectionString)};
}

const privilegeAlternatives = (channel: string) => [
	'Creating event triggers needs a superuser (on Supabase the postgres role may, and Supabase already ships pgrst_ddl_watch/pgrst_drop_watch).',
	`Or end every migration with: ${reloadSql(channel)}`,
	'Or gate deploys with: pgrst-doctor wait --db-url … --api-url … (reloads and waits until the cache matches).',
];

/** Whether the install would succeed, learnt by running it in a transaction that is rolled back. */
export async function tryInstallTrigger(context: FixContext): Promise<string | undefined> {
	try {
		await runInTransaction(context, installTriggerSql(context.channel), false);
		return undefined;
	} catch (error) {
		return writeFailure(error);
	}
}

async function installTrigger(context: FixContext): Promise<Outcome> {
	const existing = context.before.checks.find(check => check.id === 'trigger.installed');
	if (existing?.status === 'pass') return {ok: true, verified: null, message: `Not installed: an equivalent trigger already reloads PostgREST (${existing.summary})`};
	try {
		await runInTransaction(context, installTriggerSql(context.channel), true);
	} catch (error) {
		const reason = writeFailure(error);
		return {ok: false, verified: false, message: `Nothing was installed: ${reason}`, steps: reason.includes('superuser') ? privilegeAlternatives(context.channel) : undefined};
	}
	// Prove it end to end: a harmless DDL on pgrst-doctor's own schema must make PostgREST reload.
	const observation = await withClient(context, async client => {
		const since = await databaseNow(client);
		await client.query(`comment on schema ${doctorSchema} is ${literal(doctorMarker)}`);
		return waitForReload(client, since, context.timeoutMs);
	});
	const proof = observation.observed === true
		? `a DDL made PostgREST reload ${observation.latencyMs} ms later`
		: observation.observed === null
			? 'whether PostgREST reloaded after a test DDL cannot be seen without pg_read_all_stats'
			: `but a test DDL did not make PostgREST reload within ${context.timeoutMs} ms: is it listening on "${context.channel}"?`;
	return {ok: observation.observed !== false, verified: observation.observed, message: `Installed ${doctorTriggers.join(' and ')} (schema ${doctorSchema}); ${proof}`};
}

async function uninstallTrigger(context: FixContext): Promise<Outcome> {
	try {
		await runInTransaction(context, uninstallTriggerSql(), true);
	} catch (error) {
		return {ok: false, verified: false, message: `Nothing was removed: ${writeFailure(error)}`};
	}
	const remaining = await withClient(context, async client => (await client.query(`select evtname from pg_event_trigger where evtname = any($1)`, [[...doctorTriggers]])).rowCount ?? 0);
	return {ok: remaining === 0, verified: remaining === 0, message: remaining === 0 ? `Removed pgrst-doctor's event triggers, functions and schema ${doctorSchema}` : 'pgrst-doctor\'s event triggers are still there'};
}

function writeFailure(error: unknown): string {
	const {code, message} = error as {code?: string; message?: string};
	if (code === '42501') return `permission denied (${message}). Creating event triggers needs a superuser.`;
	if (code === '55P03') return `another session holds a conflicting lock, so the change was abandoned after lock_timeout (${message}). Try again when the migration holding it has finished.`;
	if (code === '2BP01') return `${message}. Something else depends on it; nothing was dropped.`;
	return message ?? String(error);
}
