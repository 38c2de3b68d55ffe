// Several instances of one PostgREST (replicas behind a load balancer), each checked at its own address: the same
// diagnosis once per instance against one database, the instances counted in pg_stat_activity, and with --probe one
// NOTIFY watched instance by instance, so the one that did not reload is named.
import type {Facts} from '../checks/check.js';
import {postgrestInstances} from '../checks/postgrestInstances.js';
import {collectFacts, type DiagnosisOptions} from '../collectFacts.js';
import {runChecks} from '../engine.js';
import type {Session} from '../probes/database.js';
import {type Delivery, probeInstanceReloads} from '../probes/deliveryProbe.js';
import {closeHttp} from '../probes/http.js';
import {type InstanceKey, sameInstance} from '../probes/instanceReloads.js';
import {buildReport, type Report} from '../report/buildReport.js';
import {mergeInstanceReports} from '../report/instanceReport.js';
import type {ApiTarget} from '../target.js';

export async function diagnoseInstances(options: DiagnosisOptions & {instances: ApiTarget[]}): Promise<Report> {
	try {
		// One instance after another: the identity of each is the session that ran its request, which a request to
		// another instance in the same moment would blur.
		const each: Facts[] = [];
		for (const api of options.instances) {
			if (options.signal?.aborted) break;
			each.push(await collectFacts({...options, api, admin: undefined, probe: false}));
		}
		const asked = options.instances.map(api => api.display);
		const database = each.find(facts => facts.database)?.database;
		if (database) {
			const seen = postgrestInstances(
				latestSessions(each),
				database.server.database,
				each.map(facts => facts.postgrest)
			);
			const unmatched = asked.filter((_api, index) => !each[index]?.postgrest?.confirmed);
			for (const facts of each)
				Object.assign(facts, {instancesSeen: seen, instancesAsked: asked, instancesUnmatched: unmatched});
		}
		if (options.probe && options.database && database && !options.signal?.aborted) {
			const deliveries = await probeEachInstance(options, each, asked);
			for (const [index, facts] of each.entries()) facts.delivery = deliveries[index];
		}
		const reports = each.map((facts, index) => {
			const started = performance.now();
			const results = runChecks(facts);
			facts.timings.checks = Math.round(performance.now() - started);
			return buildReport(facts, results, {
				db: options.database?.display,
				api: asked[index],
				connectionString: options.database?.connectionString,
			});
		});
		return mergeInstanceReports(reports);
	} finally {
		await closeHttp();
	}
}

/** Every session seen, the latest reading of each: the instances were asked one after another. */
function latestSessions(each: Facts[]): Session[] {
	const byPid = new Map<number, Session>();
	for (const session of each.flatMap(facts => facts.database?.sessions ?? [])) byPid.set(session.pid, session);
	return [...byPid.values()];
}

/**
 * One NOTIFY, then each instance's sessions are watched for its reload. An instance whose sessions could not be
 * found (its identity unconfirmed) or cannot be told from another's (same login role, application name and address)
 * gets no verdict rather than another instance's.
 */
async function probeEachInstance(options: DiagnosisOptions, each: Facts[], asked: string[]): Promise<Delivery[]> {
	const keys: Array<InstanceKey | string> = each.map(facts => {
		const identity = facts.postgrest;
		if (!identity?.confirmed)
			return `its sessions in the database could not be found (${identity?.reason ?? 'PostgREST was not asked'})`;
		return {user: identity.user, applicationName: identity.applicationName, clientAddress: identity.clientAddress};
	});
	const verdicts = keys.map((key, index) => {
		if (typeof key === 'string') return key;
		const twin = keys.findIndex(
			(other, at) => at !== index && typeof other !== 'string' && sameInstance(other, key)
		);
		return twin === -1
			? key
			: `its sessions in the database cannot be told from those of ${asked[twin]} (same login role, ` +
					`application name and client address): give each instance its own application_name in db-uri`;
	});
	const watched = verdicts.filter((verdict): verdict is InstanceKey => typeof verdict !== 'string');
	const waitedMs = Math.min(options.timeoutMs, 10_000);
	try {
		const observed = await probeInstanceReloads(
			{
				connectionString: options.database!.connectionString,
				channel: each[0]!.channel,
				timeoutMs: options.timeoutMs,
				signal: options.signal,
			},
			watched
		);
		let next = 0;
		return verdicts.map(verdict => {
			if (typeof verdict === 'string') return {delivered: null, waitedMs, unseen: verdict};
			const reload = observed[next++]!;
			return {
				delivered: reload.observed,
				waitedMs,
				latencyMs: reload.latencyMs,
				...(reload.observed ? {evidence: 'its own sessions reloading in pg_stat_activity'} : {}),
			};
		});
	} catch (error) {
		return verdicts.map(() => ({delivered: null, waitedMs, error: (error as Error).message}));
	}
}
