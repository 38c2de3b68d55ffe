import type {Check} from './check.js';

export const apiReachable: Check = {
	id: 'api.reachable',
	title: 'PostgREST reachable',
	dependsOn: [],
	run({api, apiFailure, apiUrl, timings}) {
		if (apiFailure) return {status: 'fail', summary: apiFailure.message, findings: [apiFailure], durationMs: timings.api};
		if (!api) return {status: 'skip', summary: 'No PostgREST URL given (--api-url)'};
		const admin = api.admin ? `; admin server ${api.admin.error ? `unreachable (${api.admin.error})` : `/ready ${api.admin.ready}`}` : '';
		return {status: 'pass', summary: `PostgREST ${api.version ?? '(version unknown)'} at ${apiUrl}${admin}`, durationMs: timings.api};
	},
};
