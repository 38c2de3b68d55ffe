// Is a PostgREST session in this database listening on the channel NOTIFY goes to? A LISTEN row is necessary,
// not sufficient: behind a transaction pooler it can be there while notifications are dropped (--probe proves it),
// and it counts only when the session is confirmed to be PostgREST's (a claimed name passes nothing).
import {type Finding, finding} from '../findings.js';
import {type Check, type Outcome, outcomeOf} from './check.js';
import {causes, type ListenerEvidence, listenerEvidence} from './listenerEvidence.js';
import {isPostgrestSession} from './postgrestSessions.js';

export const listenerPresent: Check = {
	id: 'listener.present',
	title: 'PostgREST listens for reloads',
	dependsOn: ['api.database'],
	run(facts) {
		const evidence = listenerEvidence(facts);
		const cause = causes(evidence);
		const cureOf = (code: keyof typeof cause) => ({suggestion: cause[code].cure});
		const {onChannel, database, channel} = evidence;
		if (onChannel.length > 0) {
			const [first] = onChannel;
			const who = isPostgrestSession(first!)
				? first!.applicationName!
				: `A session of ${first!.user ?? 'an unknown role'}`;
			const summary = `${who} listens on "${channel}" in database ${database} (pid ${first!.pid})`;
			if (!evidence.confirmed) {
				return {
					status: 'warn',
					summary: `${summary}, but pgrst-doctor could not confirm it is PostgREST's: ${evidence.unconfirmedReason}`,
				};
			}
			const findings: Finding[] = [];
			const deaf = evidence.triggerChannels.filter(
				other => other !== channel && !evidence.otherChannels.includes(other)
			);
			if (deaf.length > 0 && !evidence.triggerChannels.includes(channel)) {
				findings.push(
					finding(
						'listener.channel_mismatch',
						{notified: deaf, heard: channel},
						cureOf('listener.channel_mismatch')
					)
				);
			}
			if (findings.length === 0 && evidence.poolerSigns.length > 0) {
				return {
					status: 'warn',
					summary: `${summary}, but ${evidence.poolerSigns.join('; ')}: run with --probe to prove notifications arrive`,
				};
			}
			return outcomeOf(findings, summary, 'PostgREST listens, but not where the trigger notifies');
		}
		if (evidence.otherChannels.length > 0) {
			const nothing = finding(
				'listener.missing',
				{situation: 'elsewhere', database, channel},
				cureOf('listener.missing')
			);
			return outcomeOf(
				[nothing, cause['listener.channel_mismatch'].found],
				'',
				'PostgREST listens on another channel'
			);
		}
		if (!evidence.canSeeQueries && evidence.hiddenSessions > 0)
			return hiddenListener(evidence, facts.database!.server.user);
		if (evidence.postgrestHere.length > 0) {
			const likely =
				evidence.poolerSigns.length > 0
					? 'listener.pooled'
					: evidence.listenerDownByAdmin
						? undefined
						: 'listener.channel_disabled';
			const findings: Finding[] = [
				finding('listener.missing', {situation: 'no LISTEN', database, channel}, cureOf('listener.missing')),
			];
			if (likely) findings.push(cause[likely].found);
			return outcomeOf(findings, '', 'Nothing listens for reload notifications');
		}
		const nobody = {
			situation: 'nobody',
			database,
			channel,
			apiUrl: evidence.apiUrl,
			api: evidence.absent ?? 'not asked',
		} as const;
		return outcomeOf(
			[finding('listener.missing', nobody, cureOf('listener.missing'))],
			'',
			'Nothing listens for reload notifications'
		);
	},
};

/**
 * Other roles' queries are hidden (no pg_monitor / pg_read_all_stats: Supabase's postgres without pg_monitor), but
 * their role, database and application name are not: PostgREST's sessions can be seen to be connected here, while
 * whether one runs LISTEN can be neither confirmed nor ruled out. Saying "nothing listens" then would be a guess.
 */
function hiddenListener(evidence: ListenerEvidence, user: string): Outcome {
	const {postgrestHere, database, channel, hiddenSessions} = evidence;
	const distinct = (values: string[]) => [...new Set(values)].join(', ');
	const parts =
		postgrestHere.length > 0
			? {
					role: user,
					channel,
					database,
					sessions: postgrestHere.length,
					roles: distinct(postgrestHere.map(session => session.user ?? 'an unknown role')),
					names: distinct(postgrestHere.map(session => session.applicationName ?? '')),
				}
			: {role: user, channel, hidden: hiddenSessions};
	return {
		status: 'warn',
		summary:
			postgrestHere.length > 0
				? `PostgREST is connected to ${database}; whether it listens is hidden from role ${user}`
				: 'Cannot see whether PostgREST listens',
		findings: [
			finding('listener.unknown', parts, {
				suggestion:
					`GRANT pg_monitor TO ${user}; (as a superuser; Supabase grants it to postgres), or connect ` +
					`as a role that has it. Meanwhile the cache comparison above still holds: a stale cache after ` +
					`the next migration means the NOTIFY did not arrive, and --fix reload proves a reload by comparing again.`,
			}),
		],
	};
}
