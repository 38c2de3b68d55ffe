// Does PostgREST serve the database we were given? Its sessions say which database it is connected to.
import {finding} from '../findings.js';
import type {Check} from './check.js';
import {postgrestSessions} from './postgrestSessions.js';

export const apiDatabase: Check = {
	id: 'api.database',
	title: 'PostgREST serves this database',
	dependsOn: ['database.connect'],
	run({database, api, apiFailure}) {
		if (apiFailure) return {status: 'skip', summary: 'Skipped: PostgREST did not answer'};
		const {server, sessions} = database!;
		const postgrest = postgrestSessions(sessions);
		const here = postgrest.filter(session => session.database === server.database);
		if (here.length > 0) {
			const names = [...new Set(here.map(session => session.applicationName || session.user))].join(', ');
			return {status: 'pass', summary: `${here.length} PostgREST session${here.length === 1 ? '' : 's'} in ${server.database} (${names})`};
		}
		// Only a PostgREST that just answered us is known to hold a pool connection in the database it serves.
		if (postgrest.length > 0 && api) {
			const databases = [...new Set(postgrest.map(session => session.database))].join(', ');
			return {
				status: 'fail',
				summary: `PostgREST is connected to ${databases}, not to ${server.database}`,
				findings: [finding('api.other_database', `PostgREST is connected to database ${databases}, not to ${server.database}: migrations and NOTIFY sent here never reach it`, {suggestion: `Point --db-url at ${databases}, or PostgREST's db-uri at ${server.database}.`})],
			};
		}
		const elsewhere = postgrest.length > 0 ? ` (PostgREST sessions exist in ${[...new Set(postgrest.map(session => session.database))].join(', ')})` : '';
		return {status: 'warn', summary: `No PostgREST session visible in ${server.database}${elsewhere}; which database PostgREST serves is unknown`};
	},
};
