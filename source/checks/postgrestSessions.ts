// Which client sessions belong to PostgREST: its application_name, or a LISTEN it left as the last query.
import type {Session} from '../probes/database.js';
import {listenChannel} from './notifications.js';

export type Listener = Session & {channel: string};

export function isPostgrestSession(session: Session): boolean {
	return /^postgrest\b/i.test(session.applicationName ?? '');
}

export function listeners(sessions: Session[]): Listener[] {
	return sessions.flatMap(session => {
		const channel = session.query === null ? undefined : listenChannel(session.query);
		return channel === undefined ? [] : [{...session, channel}];
	});
}

export function postgrestSessions(sessions: Session[]): Session[] {
	const listening = new Set(listeners(sessions).map(session => session.pid));
	return sessions.filter(session => isPostgrestSession(session) || listening.has(session.pid));
}
