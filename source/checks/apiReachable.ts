import {finding} from '../findings.js';
import type {Check} from './check.js';

export const apiReachable: Check = {
	id: 'api.reachable',
	title: 'PostgREST reachable',
	dependsOn: [],
	run({api, apiFailure, apiUrl, timings}) {
		if (apiFailure)
			return {status: 'fail', summary: apiFailure.message, findings: [apiFailure], durationMs: timings.api};
		if (!api) {
			const notCompared = finding(
				'cache.not_compared',
				{missing: 'api'},
				{
					suggestion:
						"Add --api-url <PostgREST's root URL> (self-hosted: http://localhost:3000; Supabase: https://<ref>.supabase.co/rest/v1) " +
						'to compare the cache.',
				}
			);
			return {
				status: 'skip',
				summary: 'No PostgREST URL given (--api-url): the cache was not compared',
				findings: [notCompared],
			};
		}
		const admin = api.admin
			? `; admin server ${api.admin.error ? `unreachable (${api.admin.error})` : `/ready ${api.admin.ready}`}`
			: '';
		return {
			status: 'pass',
			summary: `PostgREST ${api.version ?? '(version unknown)'} at ${apiUrl}${admin}`,
			durationMs: timings.api,
		};
	},
};
