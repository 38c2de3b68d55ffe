// Applies fixes and proves them: after each one the affected checks run again against the real servers.
import {type Finding, blocksDiagnosis} from '../findings.js';
import {setMaxListeners} from 'node:events';
import type {Report} from '../report/buildReport.js';
import {beginReadOnlySql} from '../probes/database.js';
import {type Channel, channelIdentifier} from '../sql/channel.js';
import {quoteLiteral} from '../sql/quoteLiteral.js';
import {reloadSql} from '../sql/reloadSql.js';
import {quoteIdentifier} from '../sql/quoteIdentifier.js';
import {notificationsIn, payloadEffect} from '../checks/notifications.js';
import {
	collisionsSql,
	doctorMarker,
	doctorSchema,
	doctorTriggers,
	type Installed,
	installedSql,
	installTriggerBody,
	uninstallTriggerBody,
} from '../sql/triggerSql.js';
import {cacheCheckIds, type FixId} from './fixCatalog.js';
import {localPostgrestPid} from './localPostgrest.js';
import {installReloadFunction, type ReloadFunctionOptions, uninstallReloadFunction} from './reloadFunction.js';
import {manualReloadSteps} from './manualReload.js';
import {databaseNow, waitForReload, waitForReloadEnd} from '../probes/reloadObserver.js';
import {waitForInstanceReloads} from '../probes/instanceReloads.js';
import {describeInstance} from '../checks/postgrestInstances.js';
import {Cancelled, withClient} from '../probes/session.js';
import {runInTransaction, type WriteOptions} from './writeSession.js';
import {
	fingerprintNow,
	mayBeAnotherPostgrest,
	type QuickProof,
	quicklyProvable,
	startQuickProof,
} from './quickProof.js';
import {type CatalogFingerprint, catalogFingerprint} from '../probes/recheck.js';
import type {HttpTarget} from '../probes/http.js';

export type FixResult = {
	id: FixId;
	ok: boolean;
	verified: boolean | null;
	durationMs: number;
	message: string;
	steps?: string[];
};

export type FixContext = WriteOptions & {
	channel: Channel;
	/** Where the reload function lives and who may call it (the reload-function fixes). */
	reloadFunction?: ReloadFunctionOptions;
	apiUrl?: string;
	/** Every instance's address when several were checked (apiUrl is the first): a signal goes to each one on this machine. */
	apiUrls?: string[];
	/** Diagnoses again from scratch; the source of every proof. Stops early when the signal aborts. */
	diagnose(signal?: AbortSignal): Promise<Report>;
	/** Where a reload's quick proof asks PostgREST (quickProof.ts); absent, every reload is proved by full diagnoses. */
	recheckTarget?: HttpTarget;
	before: Report;
};

const pollMs = 200;

/** Healed only when every cache check passed on a full comparison: nothing unverified, nothing that blocks diagnosis. */
export function isCacheHealed(report: Report): boolean {
	return (
		cacheCheckIds.every(id => report.checks.find(check => check.id === id)?.status === 'pass') &&
		!report.findings.some(found => found.code.startsWith('cache.') || blocksDiagnosis(found.code))
	);
}

/**
 * The caller's signal, also aborted after ms: a deadline that Ctrl-C can still cut short. (A plain controller and
 * timer: on Node 20 a signal from AbortSignal.any over AbortSignal.timeout may be collected before it fires.)
 */
export function deadlineSignal(ms: number, signal?: AbortSignal): AbortSignal {
	const controller = new AbortController();
	setMaxListeners(0, controller.signal);
	const abort = () => {
		clearTimeout(timer);
		signal?.removeEventListener('abort', abort);
		controller.abort();
	};
	const timer = setTimeout(abort, Math.max(0, Math.round(ms)));
	timer.unref();
	if (signal?.aborted) abort();
	else signal?.addEventListener('abort', abort, {once: true});
	return controller.signal;
}

/**
 * Polls diagnoses until the cache matches the database or the time is up; a diagnosis still running at the deadline
 * is abandoned, so this returns within timeoutMs, with the last complete diagnosis.
 */
export async function waitUntilHealed(
	context: FixContext,
	timeoutMs: number
): Promise<{healed: boolean; report: Report}> {
	const deadline = deadlineSignal(timeoutMs, context.signal);
	let report = context.before;
	while (!deadline.aborted) {
		const fresh = await context.diagnose(deadline);
		if (deadline.aborted) break;
		report = fresh;
		if (isCacheHealed(report)) return {healed: true, report};
		await sleep(pollMs, deadline);
	}
	return {healed: false, report};
}

/** A reload seen in the database, and how: the evidence and the time from the request to it. */
export type ProvenReload = {latencyMs: number; evidence: string};

/**
 * survived: PostgREST reloaded, and a diagnosis made after that reload still differs (or still cannot compare).
 * quick: healed by the quick proof (quickProof.ts), so report is still the diagnosis from before.
 * overtaken: PostgREST reloaded, and a migration committed since (the catalogs' contents moved) may be what still
 * differs: a stale cache again, which only another reload clears.
 */
export type Waited = {
	healed: boolean;
	report: Report;
	survived?: ProvenReload & {uncomparedOnly: boolean};
	quick?: ProvenReload;
	overtaken?: true;
};

// How long the watch for a reload runs before the diagnoses start: a PostgREST that hears the request starts
// reloading within milliseconds; one that does not is left to the diagnoses, as before the watch existed.
const watchMs = 2000;

/**
 * After a reload was asked for at `since` (the database's clock): proves that PostgREST reloaded, then diagnoses.
 * A diagnosis made after a proven, finished reload that still differs ends the wait: that difference is not a stale
 * cache, and waiting or reloading again cannot clear it. Without proof (no pg_read_all_stats, nothing seen, or a
 * listener finding that says the reload seen may be another PostgREST's) it polls as waitUntilHealed does. The watch
 * runs before any diagnosis because the doctor's own requests through PostgREST look like a reload.
 */
export async function waitAfterReload(
	context: FixContext,
	since: Date,
	timeoutMs: number,
	{fingerprint, quick}: {fingerprint?: CatalogFingerprint; quick?: QuickProof} = {}
): Promise<Waited> {
	const started = performance.now();
	const deadline = deadlineSignal(timeoutMs, context.signal);
	// PostgREST's sessions busy with other clients' requests may never look done: half the time is left to the polls.
	const reload =
		context.before.findings.some(mayBeAnotherPostgrest) || context.before.instances
			? undefined
			: await withClient({...context, signal: deadline}, async client => {
					const seen = await waitForReload(client, since, Math.min(watchMs, timeoutMs), undefined, deadline);
					return seen.observed === true && (await waitForReloadEnd(client, timeoutMs / 2, deadline))
						? seen
						: undefined;
				}).catch(() => undefined);
	if (reload && quick && (await quick.prove(deadline).catch(() => false)))
		return {
			healed: true,
			report: context.before,
			quick: {latencyMs: reload.latencyMs ?? 0, evidence: reload.evidence ?? "PostgREST's sessions"},
		};
	let report = context.before;
	let previous: string | undefined;
	while (reload && !deadline.aborted) {
		const fresh = await context.diagnose(deadline);
		if (deadline.aborted) break;
		report = fresh;
		if (isCacheHealed(report)) return {healed: true, report};
		// A diagnosis that could not look (PostgREST briefly unreachable, say) proves nothing either way: look again.
		// The sessions can look idle before the new cache is in use, so it takes two diagnoses after the reload that
		// find the same differences.
		const differences = report.findings.some(blocksProof) ? undefined : cacheDifferences(report);
		// A migration committed after the request may be what differs: a stale cache, not a survivor.
		if (
			differences !== undefined &&
			differences === previous &&
			fingerprint !== undefined &&
			(await fingerprintNow(context, context.before.schemas.names, deadline).catch(() => undefined))?.contents !==
				fingerprint.contents
		)
			return {healed: false, report, overtaken: true};
		if (differences !== undefined && differences === previous) {
			const uncomparedOnly = report.findings.every(
				found => !found.code.startsWith('cache.') || found.code === 'cache.unverified'
			);
			return {
				healed: false,
				report,
				survived: {
					latencyMs: reload.latencyMs ?? 0,
					evidence: reload.evidence ?? "PostgREST's sessions",
					uncomparedOnly,
				},
			};
		}
		previous = differences;
		await sleep(pollMs, deadline);
	}
	if (reload) return {healed: false, report};
	return waitUntilHealed(context, Math.max(0, timeoutMs - (performance.now() - started)));
}

/**
 * A finding that leaves the doctor unable to see PostgREST's cache at all: a fix's proof would look in the same wrong
 * place. cache.unverified leaves the rest of the comparison standing, so a reload can still be proved on it.
 */
export function blocksProof(found: Finding): boolean {
	return blocksDiagnosis(found.code) && found.code !== 'cache.unverified';
}

// The cache findings of a diagnosis, comparable with another's.
function cacheDifferences(report: Report): string {
	return JSON.stringify(
		report.findings
			.filter(found => found.code.startsWith('cache.'))
			.map(found => `${found.code} ${found.message}`)
			.sort()
	);
}

/** What a difference that survived a proven reload may be instead of a stale cache. */
export const survivorExplanations = [
	'a schema the doctor compares that PostgREST does not expose (compare --schemas with its db-schemas)',
	'an object PostgREST does not cache by design',
	'privileges that hide an object from OpenAPI under openapi-mode follow-privileges',
	'a gateway or proxy in front of PostgREST that hides or answers for some paths itself',
	'a limitation of pgrst-doctor: if none of these fits, report it',
];

export function survivedMessage(survived: ProvenReload & {uncomparedOnly: boolean}, request: string): string {
	const reloaded = `PostgREST reloaded (seen as ${survived.evidence}, ${survived.latencyMs} ms after ${request})`;
	// Objects that could not be compared are no difference, but a reload does not make them comparable either.
	if (survived.uncomparedOnly)
		return (
			`${reloaded}, but parts of its schema cache still could not be compared with the database (cache.unverified): ` +
			`that survived a proven reload, so it is not a stale cache, and reloading again will not change ` +
			`it. It may be ${survivorExplanations.join('; or ')}.`
		);
	return (
		`${reloaded}, but its schema cache still differs from the database: these differences survived ` +
		`a proven reload, so they are not a stale cache, and reloading again will not clear them. They ` +
		`may be ${survivorExplanations.join('; or ')}.`
	);
}

/** Waits ms, or less when the signal aborts first. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
	await new Promise<void>(resolve => {
		const timer = setTimeout(done, ms);
		function done() {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		}
		signal.addEventListener('abort', done, {once: true});
	});
}

export async function applyFix(id: FixId, context: FixContext): Promise<FixResult> {
	const started = performance.now();
	const appliers: Record<FixId, (context: FixContext) => Promise<Outcome>> = {
		reload,
		trigger: installTrigger,
		'uninstall-trigger': uninstallTrigger,
		'reload-function': installReloadFunction,
		'uninstall-reload-function': uninstallReloadFunction,
		'manual-reload': manual,
	};
	const result = await appliers[id](context);
	return {id, ...result, durationMs: Math.round(performance.now() - started)};
}

type Outcome = Omit<FixResult, 'id' | 'durationMs'>;

async function notify(context: FixContext, also?: string): Promise<void> {
	await withClient(context, async client => {
		if (also) await client.query(also);
		// Checked right before sending: nothing goes out after a cancel or past the deadline.
		if (context.signal?.aborted) throw new Cancelled();
		await client.query(reloadSql(context.channel));
	});
}

// Clears a stuck notification queue: reading its usage makes PostgreSQL advance the queue's tail.
export const queueUsageSql = 'select pg_catalog.pg_notification_queue_usage()';

/**
 * NOTIFY, then escalate: clear a stuck notification queue, then SIGUSR1 a PostgREST on this machine, then say how by
 * hand. The three attempts share one deadline of 3 × timeout, and each waits at most one timeout for the cache. A
 * proven reload after which the cache still differs ends it: the next attempt would only reload again.
 */
async function reload(context: FixContext): Promise<Outcome> {
	const tried: string[] = [];
	const signal = deadlineSignal(3 * context.timeoutMs, context.signal);
	const bounded = {...context, signal};
	const attempts: Array<{label: string; run(): Promise<boolean>}> = [
		{label: reloadSql(context.channel), run: async () => (await notify(bounded), true)},
		{
			label: `${queueUsageSql}; then ${reloadSql(context.channel)}`,
			run: async () => (await notify(bounded, queueUsageSql), true),
		},
		{
			label: `SIGUSR1 to the PostgREST process${(context.apiUrls?.length ?? 0) > 1 ? 'es' : ''} on this machine`,
			async run() {
				const pids = [
					...new Set(
						(context.apiUrls ?? (context.apiUrl ? [context.apiUrl] : []))
							.map(localPostgrestPid)
							.filter(pid => pid !== undefined)
					),
				];
				if (pids.length === 0 || signal.aborted) return false;
				for (const pid of pids) process.kill(pid, 'SIGUSR1');
				return true;
			},
		},
	];
	// Several instances: the ones still stale after an attempt are named, so the one that did not hear it is known.
	// Behind one address the stale one cannot be asked by name, so the instances the database shows are watched instead.
	let stale: string[] = [];
	const behind = context.before.instances
		? []
		: (context.before.instancesSeen ?? []).filter(group => group.count === 1);
	const quickly = quicklyProvable(context.before, context.recheckTarget);
	// The attempt after which PostgREST reloaded and a migration then changed the catalogs, if the last one was.
	let overtaken: string | undefined;
	for (const attempt of attempts) {
		if (signal.aborted) break;
		const started = performance.now();
		let since: Date;
		let fingerprint: CatalogFingerprint | undefined;
		try {
			// The fingerprint first: a reload that counts begins after `since`, so it reads the catalog as fingerprinted
			// or later. Without it (a catalog too slow to read in time, say) full diagnoses prove the reload alone.
			[fingerprint, since] = await withClient(bounded, async client => [
				await catalogFingerprint(client, context.before.schemas.names).catch(() => undefined),
				await databaseNow(client),
			]);
			if (!(await attempt.run())) continue;
		} catch (error) {
			if (signal.aborted) break;
			throw error;
		}
		tried.push(attempt.label);
		// Before any diagnosis: the doctor's own requests would open sessions that look like a reload.
		const unheard = behind.length > 0 ? await notReloaded(bounded, since, behind) : undefined;
		const quick =
			quickly && fingerprint !== undefined
				? startQuickProof(bounded, context.recheckTarget!, context.before, fingerprint)
				: undefined;
		const waited = await waitAfterReload(bounded, since, context.timeoutMs, {fingerprint, quick}).finally(
			async () => quick?.close()
		);
		const {healed, survived, report} = waited;
		const stillStale = stale.length > 0 ? ` (${stale.join(', ')} still stale)` : '';
		const after =
			tried.length > 1
				? overtaken
					? ` (PostgREST reloaded after ${overtaken}, then a migration changed the catalogs: asked again)`
					: ` after ${tried.slice(0, -1).join(' and ')} did not help${stillStale}`
				: '';
		overtaken = waited.overtaken ? attempt.label : undefined;
		stale = behind.length > 0 && !healed ? (unheard ?? stale) : staleInstances(report);
		if (waited.quick) {
			const elapsedMs = Math.round(performance.now() - started);
			return {
				ok: true,
				verified: true,
				message:
					`PostgREST's cache matches the database ${elapsedMs} ms after ${attempt.label}${after} (a reload seen as ` +
					`${waited.quick.evidence}; every object that differed now reads as the database has it, and the ` +
					`catalogs did not change meanwhile)`,
			};
		}
		if (healed) {
			const elapsedMs = Math.round(performance.now() - started);
			return {
				ok: true,
				verified: true,
				message: `PostgREST's cache matches the database ${elapsedMs} ms after ${attempt.label}${after}`,
			};
		}
		// Proven: escalating would only reload again, so nothing more is sent and no time is waited out.
		if (survived)
			return {ok: false, verified: true, message: survivedMessage(survived, `${attempt.label}${after}`)};
	}
	const listener = context.before.findings.find(
		found => found.code.startsWith('listener.') || found.code === 'api.other_database'
	);
	const why = listener
		? ` ${listener.message}.`
		: " The notification did not reach it, or its reload failed (see PostgREST's log).";
	const sent = tried.length > 0 ? `after ${tried.join(', then ')}` : `within ${3 * context.timeoutMs} ms`;
	const who =
		stale.length === 0
			? 'PostgREST did not reload'
			: behind.length > 0
				? `These PostgREST instances did not reload: ${stale.join('; ')}`
				: `These PostgREST instances still serve a stale cache: ${stale.join(', ')}`;
	return {
		ok: false,
		verified: false,
		message: `${who} ${sent}.${why}`,
		steps: manualReloadSteps(context.channel, context.apiUrl, context.connectionString),
	};
}

/**
 * The instances behind one address (as the database shows them) not seen reloading within the watch after `since`;
 * undefined when the watch could not finish (the deadline cut it short, or the database went away): unknown, not deaf.
 */
async function notReloaded(
	context: FixContext,
	since: Date,
	behind: NonNullable<Report['instancesSeen']>
): Promise<string[] | undefined> {
	const reloads = await withClient(context, async client =>
		waitForInstanceReloads(client, since, behind, Math.min(watchMs, context.timeoutMs), context.signal)
	).catch(() => undefined);
	if (!reloads || context.signal?.aborted) return undefined;
	return behind.filter((_group, index) => reloads[index]!.observed === false).map(describeInstance);
}

/** The instances whose cache a diagnosis of several still found different from the database. */
export function staleInstances(report: Report): string[] {
	return [
		...new Set(
			report.findings
				.filter(found => found.code.startsWith('cache.') && found.instance)
				.map(found => found.instance!)
		),
	];
}

async function manual(context: FixContext): Promise<Outcome> {
	return {
		ok: true,
		verified: null,
		message: 'Steps to reload by hand',
		steps: manualReloadSteps(context.channel, context.apiUrl, context.connectionString),
	};
}

const privilegeAlternatives = (channel: Channel) => [
	'Ask a superuser to install it: pgrst-doctor sql trigger prints the SQL to run.',
	'On Supabase the postgres role may create event triggers through supautils (images since 2025-04); ' +
		'a server that refuses it is older or not Supabase.',
	`Or end every migration with: ${reloadSql(channel)}`,
	'Or gate deploys with: pgrst-doctor wait --db-url … --api-url … (reloads and waits until the cache matches).',
];

/** PostgreSQL's refusal of CREATE EVENT TRIGGER to a role that is not a superuser (42501, "… to create event trigger …"). */
function isEventTriggerRefusal(error: unknown): boolean {
	const {code, message} = error as {code?: string; message?: string};
	return code === '42501' && /event trigger/i.test(message ?? '');
}

// The event triggers already here with their owner, state and body, and who the doctor is: read after a refusal,
// to say which reload triggers exist that the doctor's role may not touch.
const existingTriggersSql = `
select current_user as "user", e.evtname as name, e.evtowner::regrole::text as owner, e.evtenabled::text as enabled, p.prosrc as source
from pg_catalog.pg_event_trigger e
join pg_catalog.pg_proc p on p.oid = e.evtfoid
order by e.evtname`;

type ExistingTrigger = {user: string; name: string; owner: string; enabled: string; source: string};

/**
 * CREATE EVENT TRIGGER refused: one sentence that says so and what already exists (Supabase ships pgrst_ddl_watch and
 * pgrst_drop_watch, owned by supabase_admin, which a non-superuser may neither create again nor enable), then the ways on.
 */
async function refusedTrigger(context: FixContext): Promise<Outcome> {
	const rows = await withClient(
		context,
		async client => (await client.query<ExistingTrigger>(existingTriggersSql)).rows
	).catch(() => undefined);
	const user = rows?.[0]?.user;
	const role = user ? `role ${quoteIdentifier(user)}` : 'the role in --db-url';
	const reloading = (rows ?? []).filter(trigger =>
		notificationsIn(trigger.source).some(
			notification =>
				(notification.channel === null || notification.channel === context.channel) &&
				payloadEffect(notification.payload) !== 'ignored'
		)
	);
	const others = reloading.filter(trigger => trigger.owner !== user);
	const refused =
		`Nothing was installed: PostgreSQL lets only a superuser create event triggers and ${role} ` +
		`is not one (42501 permission denied)`;
	if (others.length === 0)
		return {ok: false, verified: false, message: `${refused}.`, steps: privilegeAlternatives(context.channel)};
	const names = others.map(trigger => trigger.name).join(' and ');
	const owners = [...new Set(others.map(trigger => quoteIdentifier(trigger.owner)))].join(' or ');
	const off = others.filter(trigger => trigger.enabled === 'D' || trigger.enabled === 'R');
	const state =
		off.length === 0
			? 'already here'
			: off.length === others.length
				? 'already here but disabled'
				: `already here, ${off.map(trigger => trigger.name).join(' and ')} disabled`;
	const ask =
		off.length > 0
			? `ask ${owners} or another superuser to enable them`
			: `they are ${owners}'s, which ${role} may not change`;
	const enable = off.map(trigger => `ALTER EVENT TRIGGER ${quoteIdentifier(trigger.name)} ENABLE;`);
	return {
		ok: false,
		verified: false,
		message: `${refused}; the reload triggers ${names} are ${state}, so ${ask}.`,
		steps: [
			...(enable.length > 0 ? [`As ${owners} (only the owner or a superuser may): ${enable.join(' ')}`] : []),
			...privilegeAlternatives(context.channel),
		],
	};
}

// Who the doctor is and whether it may create event triggers: only a superuser may.
const superuserSql =
	'select current_user as "user", rolsuper as superuser from pg_catalog.pg_roles where rolname = current_user';

/**
 * Whether the install would succeed, learnt without running any of it: running it, even in a transaction that is
 * rolled back, would fire the database's own ddl_command_end triggers. Reads only, in a READ ONLY transaction.
 */
export async function tryInstallTrigger(context: FixContext): Promise<string> {
	const existing = context.before.checks.find(check => check.id === 'trigger.installed');
	if (existing?.status === 'pass')
		return `would install nothing: an equivalent trigger already reloads PostgREST (${existing.summary})`;
	try {
		const plan = await withClient(context, async client => {
			await client.query(beginReadOnlySql);
			const [role] = (await client.query<{user: string; superuser: boolean}>(superuserSql)).rows;
			const collisions = (await client.query<{reason: string}>(collisionsSql)).rows.map(row => row.reason);
			const [installed] = (await client.query<Installed>(installedSql)).rows;
			await client.query('rollback');
			return {user: role?.user, superuser: role?.superuser === true, collisions, installed: installed!};
		});
		if (plan.collisions.length > 0)
			return `would be refused: ${plan.collisions.join('; ')}. pgrst-doctor changes only objects it created.`;
		if (!plan.superuser) {
			const role = plan.user ? `role ${quoteIdentifier(plan.user)}` : 'the role in --db-url';
			return `would fail: only a superuser may create event triggers, and ${role} is not one.`;
		}
		const {schemas, functions, triggers} = plan.installed;
		const present = schemas + functions + triggers;
		const state =
			present === 0
				? 'would create its schema, 2 functions and 2 event triggers'
				: present === 5
					? 'its objects exist already and would be refreshed'
					: `${present} of its 5 objects exist already, the rest would be created`;
		return `would succeed: ${state} (checked by reading the catalog; nothing was run or written)`;
	} catch (error) {
		return `could not be checked: ${writeFailure(error)}`;
	}
}

async function installTrigger(context: FixContext): Promise<Outcome> {
	const existing = context.before.checks.find(check => check.id === 'trigger.installed');
	if (existing?.status === 'pass')
		return {
			ok: true,
			verified: null,
			message: `Not installed: an equivalent trigger already reloads PostgREST (${existing.summary})`,
		};
	try {
		await runInTransaction(context, installTriggerBody(context.channel));
	} catch (error) {
		if (isEventTriggerRefusal(error)) return refusedTrigger(context);
		return {ok: false, verified: false, message: `Nothing was installed: ${writeFailure(error)}`};
	}
	// Prove it end to end: a harmless DDL on pgrst-doctor's own schema must make PostgREST reload.
	const observation = await withClient(context, async client => {
		const since = await databaseNow(client);
		if (context.signal?.aborted) throw new Cancelled();
		await client.query(proofSql);
		return waitForReload(client, since, context.timeoutMs, undefined, context.signal);
	});
	const proof =
		observation.observed === true
			? `a DDL made PostgREST reload ${observation.latencyMs} ms later`
			: observation.observed === null
				? 'whether PostgREST reloaded after a test DDL cannot be seen without pg_read_all_stats'
				: `but a test DDL did not make PostgREST reload within ${context.timeoutMs} ms: is it listening ` +
					`on ${channelIdentifier(context.channel)}?`;
	return {
		ok: observation.observed !== false,
		verified: observation.observed,
		message: `Installed ${doctorTriggers.join(' and ')} (schema ${doctorSchema}); ${proof}`,
	};
}

// The harmless DDL that proves the trigger: re-commenting pgrst-doctor's own schema.
const proofSql = `comment on schema ${doctorSchema} is ${quoteLiteral(doctorMarker)}`;

async function uninstallTrigger(context: FixContext): Promise<Outcome> {
	try {
		await runInTransaction(context, uninstallTriggerBody());
	} catch (error) {
		return {ok: false, verified: false, message: `Nothing was removed: ${writeFailure(error)}`};
	}
	const left = await withClient(context, async client => (await client.query<Installed>(installedSql)).rows[0]!);
	const removed = left.triggers === 0 && left.functions === 0;
	const kept = left.schemas > 0 ? `; schema ${doctorSchema} was kept because it holds objects of others` : '';
	return {
		ok: removed,
		verified: removed,
		message: removed
			? `Removed pgrst-doctor's event triggers and functions${kept} (objects of the same names that ` +
				`it did not create are never touched)`
			: "pgrst-doctor's event triggers are still there",
	};
}

/** Every statement this module runs besides the scripts, for the test that plants look-alikes of what they call. */
export const fixStatements = [queueUsageSql, superuserSql, proofSql, existingTriggersSql];

function writeFailure(error: unknown): string {
	const {code, message} = error as {code?: string; message?: string};
	if (error instanceof Cancelled) return 'cancelled.';
	if (code === '42501') return `permission denied (${message}).`;
	if (code === '55P03')
		return (
			`another session holds a conflicting lock, so the change was abandoned after lock_timeout (${message}). ` +
			`Try again when the migration holding it has finished.`
		);
	if (code === '2BP01') return `${message}. Something else depends on it; nothing was dropped.`;
	return message ?? String(error);
}
