import type {Check} from './check.js';

export const databaseConnect: Check = {
	id: 'database.connect',
	title: 'Database reachable',
	dependsOn: [],
	run({database, databaseFailure, timings}) {
		if (databaseFailure) return {status: 'fail', summary: databaseFailure.message, findings: [databaseFailure], durationMs: timings.database};
		if (!database) return {status: 'skip', summary: 'No database URL given (--db-url or DATABASE_URL)'};
		const {server} = database;
		return {status: 'pass', summary: `PostgreSQL ${server.version}, database ${server.database}, role ${server.user}`, durationMs: timings.database};
	},
};
