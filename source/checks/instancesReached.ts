// Was every PostgREST instance the database shows checked? Past one machine PostgREST runs as replicas, and the
// one whose cache is stale is the one nobody asked: the doctor counts the instances in pg_stat_activity and says
// which of them no --api-url reached.
import {finding} from '../findings.js';
import {plural} from '../wording.js';
import type {Check} from './check.js';
import {describeInstance, instanceCount} from './postgrestInstances.js';

export const instancesReached: Check = {
	id: 'api.instances',
	title: 'Every PostgREST instance checked',
	dependsOn: ['database.connect'],
	appliesTo: facts => facts.instancesSeen !== undefined,
	run(facts) {
		const seen = facts.instancesSeen!;
		const asked = facts.instancesAsked ?? (facts.apiUrl ? [facts.apiUrl] : []);
		const {database} = facts.database!.server;
		const total = instanceCount(seen);
		const unreached = seen.filter(group => group.reachedBy.length === 0);
		// An address whose sessions were not found (it did not answer, say) matters only while some instance is unreached.
		const unmatched = asked.length > 1 && unreached.length > 0 ? (facts.instancesUnmatched ?? []) : [];
		const list = seen
			.map(group => {
				const through = group.reachedBy.map(index => asked[index]).join(', ');
				return `${describeInstance(group)}${group.reachedBy.length > 0 ? ` (reached through ${through})` : ''}`;
			})
			.join('; ');
		const shared = seen.filter(group => group.reachedBy.length > 1);
		// Through one address the instances' own listeners are checked here; several addresses check each in listener.present.
		const server = facts.database!.server;
		const deaf =
			asked.length === 1 && (server.superuser || server.readAllStats)
				? seen.filter(group => !group.channels.includes(facts.channel))
				: [];
		const listenerFindings = deaf.map(group =>
			finding(
				'listener.missing',
				{situation: 'instance', instance: describeInstance(group), database, channel: facts.channel},
				{
					suggestion:
						'Check that this instance connects directly or through a session-mode pooler with db-channel-enabled=true; ' +
						'meanwhile reload it with SIGUSR1 or a restart.',
				}
			)
		);
		if (
			unreached.length === 0 &&
			unmatched.length === 0 &&
			shared.length === 0 &&
			seen.every(group => group.count === 1)
		) {
			return {
				status: 'pass',
				summary: `${plural(total, 'PostgREST instance')} in ${database}, each reached through its own --api-url`,
			};
		}
		const through = asked.length === 1 ? `the one --api-url ${asked[0]}` : `the ${asked.length} --api-url given`;
		const notes = [
			...(asked.length === 1 && unreached.length > 0
				? [`${asked[0]} reaches whichever instance a balancer picks for each request`]
				: []),
			...(asked.length > 1 && unreached.length > 0 && unmatched.length === 0
				? [`${plural(instanceCount(unreached), 'instance')} no --api-url reached`]
				: []),
			...(unmatched.length > 0
				? [
						`the sessions of ${unmatched.join(', ')} could not be found (see api.database), so which ` +
							`${unreached.length === 1 ? 'instance is' : 'instances are'} ` +
							`not reached cannot be told`,
					]
				: []),
			...(shared.length > 0
				? [
						`${shared.map(group => group.reachedBy.map(index => asked[index]).join(' and ')).join('; ')} ` +
							`reached the same sessions`,
					]
				: []),
			...(seen.some(group => group.count > 1)
				? ['several instances share one login role, application name and address']
				: []),
		];
		const unheard = deaf.length > 0 ? `; ${plural(deaf.length, 'instance')} without a listener` : '';
		return {
			status: deaf.length > 0 ? 'fail' : 'warn',
			summary: `${plural(total, 'PostgREST instance')} in ${database}: ${notes.join('; ')}${unheard}`,
			findings: [
				...listenerFindings,
				finding(
					'api.instance_unchecked',
					{database, total, list, through, notes},
					{
						suggestion:
							"Give every instance's own address (pod IP, container port) with --api-url, repeated or as " +
							'a comma list; instances on one host with one config look like one in the database: give each ' +
							'its own application_name in db-uri (or PGAPPNAME).',
					}
				),
			],
		};
	},
};
