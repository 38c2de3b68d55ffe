// Does PostgREST serve the database we were given? The session that ran the doctor's own request through PostgREST
// says which database and login role PostgREST uses; sessions that only call themselves PostgREST prove nothing.
import {finding} from '../findings.js';
import {plural} from '../wording.js';
import type {Check} from './check.js';
import {postgrestView} from './postgrestSessions.js';

export const apiDatabase: Check = {
	id: 'api.database',
	title: 'PostgREST serves this database',
	dependsOn: ['database.connect'],
	run({database, api, apiFailure, postgrest: identity}) {
		if (apiFailure) return {status: 'skip', summary: `Skipped: PostgREST could not be asked (${apiFailure.code})`};
		const {server, sessions} = database!;
		const view = postgrestView(sessions, identity);
		if (identity?.confirmed) {
			const from = identity.clientAddress ? ` from ${identity.clientAddress}` : '';
			const application = identity.applicationName ? ` (${identity.applicationName})` : '';
			const who = `role ${identity.user}${from}${application}`;
			if (identity.database === server.database) {
				return {
					status: 'pass',
					summary:
						`PostgREST ran pgrst-doctor's request in ${server.database} as ${who}; ` +
						`${plural(view.sessions.length, 'session')} of it here`,
				};
			}
			return {
				status: 'fail',
				summary: `PostgREST is connected to ${identity.database}, not to ${server.database}`,
				findings: [
					finding(
						'api.other_database',
						{serving: identity.database, who, given: server.database},
						{
							suggestion: `Point --db-url at ${identity.database}, or PostgREST's db-uri at ${server.database}.`,
						}
					),
				],
			};
		}
		const reason = view.confirmed ? '' : view.reason;
		const here = view.sessions.filter(session => session.database === server.database);
		if (here.length > 0) {
			const names = [
				...new Set(
					here.map(session => `${session.applicationName || 'no application_name'}, role ${session.user}`)
				),
			].join('; ');
			return {
				status: 'warn',
				summary:
					`${plural(here.length, 'session')} in ${server.database} claim${here.length === 1 ? 's' : ''} ` +
					`to be PostgREST (${names}), unconfirmed: ${reason}`,
			};
		}
		const others = [...new Set(view.sessions.map(session => session.database))];
		// Only when PostgREST could not be asked at all: a request it failed to pass on (it stopped, say) says nothing of where it is.
		if (others.length > 0 && api && identity?.confirmed === false && identity.asked === false) {
			// PostgREST answered, none of its sessions is here and some are elsewhere: its cache is most likely another
			// database's, and a comparison with this one would call every table stale. Unconfirmed, so not a verdict.
			const where = `sessions calling themselves PostgREST are in ${others.join(', ')}`;
			return {
				status: 'fail',
				summary: `No PostgREST session in ${server.database}; ${where}`,
				findings: [
					finding(
						'api.database_unconfirmed',
						{database: server.database, where, reason},
						{
							suggestion:
								`Point --db-url at the database in PostgREST's db-uri` +
								`${others.length === 1 ? ` (most likely ${others[0]})` : ''}, ` +
								`and run the doctor again.`,
						}
					),
				],
			};
		}
		const elsewhere = others.length > 0 ? ` (sessions claiming to be PostgREST are in ${others.join(', ')})` : '';
		return {
			status: 'warn',
			summary:
				`No PostgREST session visible in ${server.database}${elsewhere}; which database PostgREST serves ` +
				`is unknown: ${reason}`,
		};
	},
};
