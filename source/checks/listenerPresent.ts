// Is a PostgREST session in this database listening on the channel NOTIFY goes to? A LISTEN row is necessary,
// not sufficient: behind a transaction pooler it can be there while notifications are dropped (--probe proves it),
// and it counts only when the session is confirmed to be PostgREST's (a claimed name passes nothing).
import {type Finding, finding} from '../findings.js';
import {type Check, outcomeOf} from './check.js';
import {causes, listenerEvidence} from './listenerEvidence.js';
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
		if (!evidence.canSeeQueries && evidence.hiddenSessions > 0) {
			const {user} = facts.database!.server;
			return {
				status: 'warn',
				summary: 'Cannot see whether PostgREST listens',
				findings: [finding('listener.unknown', `Role ${user} cannot read other sessions' queries, so pgrst-doctor cannot see PostgREST's LISTEN (${evidence.hiddenSessions} hidden session${evidence.hiddenSessions === 1 ? '' : 's'})`, {suggestion: `GRANT pg_read_all_stats TO ${user}; or connect as a superuser.`})],
			};
		}
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
