import {finding} from '../findings.js';
import type {Check} from './check.js';

export const databaseConnect: Check = {
	id: 'database.connect',
	title: 'Database reachable',
	dependsOn: [],
	run({database, databaseFailure, timings}) {
		if (databaseFailure)
			return {
				status: 'fail',
				summary: databaseFailure.message,
				findings: [databaseFailure],
				durationMs: timings.database,
			};
		if (!database) {
			const notCompared = finding(
				'cache.not_compared',
				{missing: 'database'},
				{
					suggestion:
						'Add --db-url <the database PostgREST serves> (or set DATABASE_URL) to compare the cache.',
				}
			);
			return {
				status: 'skip',
				summary: 'No database URL given (--db-url or DATABASE_URL): the cache was not compared',
				findings: [notCompared],
			};
		}
		const {server} = database;
		return {
			status: 'pass',
			summary: `PostgreSQL ${server.version}, database ${server.database}, role ${server.user}`,
			durationMs: timings.database,
		};
	},
};
