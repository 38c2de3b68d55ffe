// Is a PostgREST session in this database listening on the channel NOTIFY goes to?
import {finding} from '../findings.js';
import type {Session} from '../probes/database.js';
import {type Check, outcomeOf} from './check.js';
import {isPostgrestSession, listeners, postgrestSessions} from './postgrestSessions.js';

export const listenerPresent: Check = {
	id: 'listener.present',
	title: 'PostgREST listens for reloads',
	dependsOn: ['api.database'],
	run({database, channel}) {
		const {server, sessions} = database!;
		const here = (session: Session) => session.database === server.database;
		const hereListeners = listeners(sessions).filter(here);
		const onChannel = hereListeners.filter(listener => listener.channel === channel);
		if (onChannel.length > 0) {
			const [first] = onChannel;
			return {status: 'pass', summary: `${describe(first!)} listens on "${channel}" in database ${server.database} (pid ${first!.pid})`};
		}
		if (hereListeners.length > 0) {
			return outcomeOf([finding('listener.missing', `PostgREST listens on ${hereListeners.map(listener => `"${listener.channel}"`).join(', ')}, not on "${channel}": NOTIFY ${channel} reaches nobody`, {suggestion: `Use --channel ${hereListeners[0]!.channel}, or set PostgREST's db-channel to "${channel}".`})], '', 'PostgREST listens on another channel');
		}
		const hidden = sessions.filter(session => session.query === null);
		if (!server.superuser && !server.readAllStats && hidden.length > 0) {
			return {
				status: 'warn',
				summary: 'Cannot see whether PostgREST listens',
				findings: [finding('listener.unknown', `Role ${server.user} cannot read other sessions' queries, so pgrst-doctor cannot see PostgREST's LISTEN (${hidden.length} hidden session${hidden.length === 1 ? '' : 's'})`, {suggestion: `GRANT pg_read_all_stats TO ${server.user}; or connect as a superuser.`})],
			};
		}
		const reason = postgrestSessions(sessions).some(here)
			? `PostgREST is connected to ${server.database} but no session runs LISTEN "${channel}" (db-channel-enabled=false, or a pooler that dropped it)`
			: `No PostgREST session is connected to ${server.database} and nothing listens on "${channel}"`;
		return outcomeOf([finding('listener.missing', `${reason}: NOTIFY ${channel} reaches nobody`, {suggestion: 'Enable db-channel-enabled and connect PostgREST directly or through a session-mode pooler; until then restart PostgREST or send it SIGUSR1 after migrations.'})], '', 'Nothing listens for reload notifications');
	},
};

function describe(session: Session): string {
	return isPostgrestSession(session) ? session.applicationName! : `A session of ${session.user ?? 'an unknown role'}`;
}
