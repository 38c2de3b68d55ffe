// Is a PostgREST session in this database listening on the channel NOTIFY goes to? A LISTEN row is necessary,
// not sufficient: behind a transaction pooler it can be there while notifications are dropped (--probe proves it),
// and it counts only when the session is confirmed to be PostgREST's (a claimed name passes nothing).
import {type Finding, finding} from '../findings.js';
import {plural} from '../wording.js';
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
		const about = (code: keyof typeof cause, message = cause[code].text) => finding(code, message, {suggestion: cause[code].cure});
		const {onChannel, database, channel} = evidence;
		if (onChannel.length > 0) {
			const [first] = onChannel;
			const who = isPostgrestSession(first!) ? first!.applicationName! : `A session of ${first!.user ?? 'an unknown role'}`;
			const summary = `${who} listens on "${channel}" in database ${database} (pid ${first!.pid})`;
			if (!evidence.confirmed) {
				return {status: 'warn', summary: `${summary}, but pgrst-doctor could not confirm it is PostgREST's: ${evidence.unconfirmedReason}`};
			}
			const findings: Finding[] = [];
			const deaf = evidence.triggerChannels.filter(other => other !== channel && !evidence.otherChannels.includes(other));
			if (deaf.length > 0 && !evidence.triggerChannels.includes(channel)) {
				findings.push(about('listener.channel_mismatch', `The auto-reload trigger notifies "${deaf.join('", "')}" but PostgREST listens on "${channel}"`));
			}
			if (findings.length === 0 && evidence.poolerSigns.length > 0) {
				return {status: 'warn', summary: `${summary}, but ${evidence.poolerSigns.join('; ')}: run with --probe to prove notifications arrive`};
			}
			return outcomeOf(findings, summary, 'PostgREST listens, but not where the trigger notifies');
		}
		if (evidence.otherChannels.length > 0) {
			return outcomeOf([about('listener.missing', `Nothing listens on "${channel}" in ${database}: NOTIFY ${channel} reaches nobody`), about('listener.channel_mismatch')], '', 'PostgREST listens on another channel');
		}
		if (!evidence.canSeeQueries && evidence.hiddenSessions > 0) return hiddenListener(evidence, facts.database!.server.user);
		if (evidence.postgrestHere.length > 0) {
			const likely = evidence.poolerSigns.length > 0 ? 'listener.pooled' : evidence.listenerDownByAdmin ? undefined : 'listener.channel_disabled';
			const findings = [about('listener.missing', `PostgREST is connected to ${database} but no session runs LISTEN "${channel}": NOTIFY ${channel} reaches nobody (db-channel-enabled=false, or a transaction pooler that took the LISTEN: --probe tells more)`)];
			if (likely) findings.push(about(likely));
			return outcomeOf(findings, '', 'Nothing listens for reload notifications');
		}
		const missing = cause['listener.missing'].text;
		return outcomeOf([about('listener.missing', `${missing[0]!.toUpperCase()}${missing.slice(1)}, and nothing listens on "${channel}": NOTIFY ${channel} reaches nobody`)], '', 'Nothing listens for reload notifications');
	},
};

/**
 * Other roles' queries are hidden (no pg_monitor / pg_read_all_stats: Supabase's postgres without pg_monitor), but
 * their role, database and application name are not: PostgREST's sessions can be seen to be connected here, while
 * whether one runs LISTEN can be neither confirmed nor ruled out. Saying "nothing listens" then would be a guess.
 */
function hiddenListener(evidence: ListenerEvidence, user: string): Outcome {
	const {postgrestHere, database, channel, hiddenSessions} = evidence;
	const hidden = `role ${user} may not read other roles' queries (it has neither pg_monitor nor pg_read_all_stats)`;
	const message = postgrestHere.length > 0
		? `${plural(postgrestHere.length, 'session')} of ${[...new Set(postgrestHere.map(session => session.user ?? 'an unknown role'))].join(', ')} (${[...new Set(postgrestHere.map(session => session.applicationName ?? ''))].join(', ')}) ${postgrestHere.length === 1 ? 'is' : 'are'} connected to ${database}, but ${hidden}, so whether one of them runs LISTEN "${channel}" can be neither confirmed nor ruled out`
		: `${hidden}, so PostgREST's LISTEN "${channel}" can be neither confirmed nor ruled out (${plural(hiddenSessions, 'hidden session')})`;
	return {
		status: 'warn',
		summary: postgrestHere.length > 0 ? `PostgREST is connected to ${database}; whether it listens is hidden from role ${user}` : 'Cannot see whether PostgREST listens',
		findings: [finding('listener.unknown', message, {
			suggestion: `GRANT pg_monitor TO ${user}; (as a superuser; Supabase grants it to postgres), or connect as a role that has it. Meanwhile the cache comparison above still holds: a stale cache after the next migration means the NOTIFY did not arrive, and --fix reload proves a reload by comparing again.`,
		})],
	};
}
