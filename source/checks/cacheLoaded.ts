import {finding} from '../findings.js';
import type {Check} from './check.js';

export const cacheLoaded: Check = {
	id: 'cache.loaded',
	title: 'Schema cache loaded',
	dependsOn: ['api.reachable'],
	run({api}) {
		const error = api!.root.error;
		if (error?.code === 'PGRST002') {
			return {
				status: 'fail',
				summary: 'PostgREST has no schema cache (PGRST002)',
				findings: [
					finding(
						'cache.unloaded',
						{answer: error.message},
						{
							suggestion:
								'Read PostgREST\'s log for "Failed to load the schema cache"; check that every schema in db-schemas ' +
								'exists and that no lock or statement_timeout stops the cache queries.',
						}
					),
				],
			};
		}
		return {status: 'pass', summary: 'PostgREST has a schema cache'};
	},
};
