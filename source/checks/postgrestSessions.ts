// Which client sessions belong to PostgREST. Claims are cheap: any role may set application_name 'PostgREST 12.0.2'
// and LISTEN. Only a confirmed identity (the session that ran the doctor's own request, see postgrestIdentity.ts)
// says whose sessions really are PostgREST's; without one, the claimants are reported as unconfirmed.
import type {Session} from '../probes/database.js';
import type {PostgrestIdentity} from '../probes/postgrestIdentity.js';
import {listenChannel} from './notifications.js';

export type Listener = Session & {channel: string};

/** The session says it is PostgREST (its application_name); anyone can say so. */
export function isPostgrestSession(session: Session): boolean {
	return /^postgrest\b/i.test(session.applicationName ?? '');
}

export function listeners(sessions: Session[]): Listener[] {
	return sessions.flatMap(session => {
		const channel = session.query === null ? undefined : listenChannel(session.query);
		return channel === undefined ? [] : [{...session, channel}];
	});
}

/** Sessions that claim to be PostgREST: its application_name, or a LISTEN left as the last query. */
export function postgrestSessions(sessions: Session[]): Session[] {
	const listening = new Set(listeners(sessions).map(session => session.pid));
	return sessions.filter(session => isPostgrestSession(session) || listening.has(session.pid));
}

export type PostgrestView =
	{sessions: Session[]; confirmed: true} | {sessions: Session[]; confirmed: false; reason: string};

/**
 * PostgREST's sessions as far as they are known: with a confirmed identity, the sessions of its login role in its
 * database under its application name (pool and listener share its db-uri); otherwise the claimants, unconfirmed.
 */
export function postgrestView(sessions: Session[], identity: PostgrestIdentity | undefined): PostgrestView {
	if (identity?.confirmed) {
		const own = sessions.filter(
			session =>
				session.user === identity.user &&
				session.database === identity.database &&
				(identity.applicationName === '' || session.applicationName === identity.applicationName)
		);
		return {sessions: own, confirmed: true};
	}
	return {
		sessions: postgrestSessions(sessions),
		confirmed: false,
		reason: identity?.reason ?? 'PostgREST was not asked',
	};
}
