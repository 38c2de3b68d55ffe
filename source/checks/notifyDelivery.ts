// Does a NOTIFY reach PostgREST? Passively: is PostgreSQL's notification queue draining. With --probe: a reload
// notification was sent and PostgREST was seen acting on it (or not), with the most likely cause ranked.
import {finding, type Finding} from '../findings.js';
import {reloadSql} from '../sql/reloadSql.js';
import type {Check} from './check.js';
import {causes, listenerEvidence, rankedCauses} from './listenerEvidence.js';

export const notifyDelivery: Check = {
	id: 'notify.delivery',
	title: 'NOTIFY reaches PostgREST',
	dependsOn: ['database.connect'],
	run(facts) {
		const evidence = listenerEvidence(facts);
		const stuck = causes(evidence)['notify.queue_stuck'];
		const findings: Finding[] = evidence.queueStuck ? [stuck.found] : [];
		const {delivery, channel} = facts;
		if (!delivery) {
			return findings.length > 0
				? {status: 'fail', summary: 'The notification queue is stuck', findings}
				: {
						status: 'skip',
						summary: `Not probed: add --probe to send ${reloadSql(channel)} and watch PostgREST reload`,
					};
		}
		const each = delivery.instances;
		if (delivery.delivered === true && each) {
			const {latencyMs, evidence: seen} = delivery;
			findings.push(
				finding('notify.delivered', {
					latencyMs,
					sent: reloadSql(channel),
					evidence: seen,
					instances: each.length,
				})
			);
			return {
				status: findings.length > 1 ? 'fail' : 'pass',
				summary: `Delivered to each of the ${each.length} PostgREST instances`,
				findings,
			};
		}
		if (delivery.delivered === true) {
			const {latencyMs, evidence: seen} = delivery;
			findings.push(finding('notify.delivered', {latencyMs, sent: reloadSql(channel), evidence: seen}));
			return {
				status: findings.length > 1 ? 'fail' : 'pass',
				summary: `Delivered: PostgREST reloaded ${delivery.latencyMs} ms after the NOTIFY`,
				findings,
			};
		}
		if (delivery.delivered === null && each && !delivery.error) {
			const unknown = each.filter(instance => instance.delivered === null).map(instance => instance.instance);
			return {
				status: findings.length > 0 ? 'fail' : 'warn',
				summary:
					`Sent ${reloadSql(channel)}; whether ${unknown.length} of ${each.length} PostgREST instances ` +
					`reloaded cannot be seen (${unknown.join('; ')}): instances that share one login role, application ` +
					`name and address, or hide their sessions from this role, cannot be watched one by one`,
				findings,
			};
		}
		if (delivery.delivered === null) {
			const why =
				delivery.unseen ??
				(delivery.error
					? `the probe failed: ${delivery.error}`
					: "PostgREST's sessions are hidden from this role (grant pg_read_all_stats, or pass --admin-url " +
						'of PostgREST >= 12.2 for /metrics)');
			return {
				status: findings.length > 0 ? 'fail' : 'warn',
				summary: `Sent ${reloadSql(channel)} but could not see whether PostgREST reloaded: ${why}`,
				findings,
			};
		}
		const ranked = rankedCauses(evidence);
		const likely = ranked.causes.slice(0, ranked.tied);
		const others = ranked.causes.slice(ranked.tied);
		const deaf = each?.filter(instance => instance.delivered === false).map(instance => instance.instance) ?? [];
		const who = each
			? `${deaf.length} of the ${each.length} PostgREST instances the database shows did not reload ` +
				`within ${delivery.waitedMs} ms (${deaf.join('; ')}); ${each.filter(instance => instance.delivered === true).length} did`
			: `PostgREST did not reload within ${delivery.waitedMs} ms`;
		// rankedCauses always ranks at least one cause (listener.missing comes last in every order).
		const [mostLikely, ...tiedWith] = likely.map(cause => cause.text);
		const texts = {likely: [mostLikely!, ...tiedWith] as const, others: others.map(cause => cause.text)};
		findings.push(
			finding(
				'notify.undelivered',
				{sent: reloadSql(channel), who, ...texts},
				{suggestion: likely.map(cause => cause.cure).join(' Or: ')}
			)
		);
		for (const cause of likely.filter(item => item.code !== 'notify.queue_stuck')) findings.push(cause.found);
		return {
			status: 'fail',
			summary:
				`Undelivered: PostgREST did not reload after the ` +
				`NOTIFY (most likely: ${likely.map(cause => cause.code).join(' or ')})`,
			findings,
		};
	},
};
