// The three views of one diff: relations, columns and functions, each its own check so each can pass on its own.
import type {FindingCode} from '../findings.js';
import {type Check, outcomeOf} from './check.js';
import {diffSchemas} from './diffSchemas.js';

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function cacheCheck(id: string, title: string, codes: FindingCode[], noun: string, count: (facts: Parameters<Check['run']>[0]) => number): Check {
	return {
		id,
		title,
		dependsOn: ['database.connect', 'api.database', 'cache.loaded'],
		run(facts) {
			const {catalog, cache, channel} = facts;
			const findings = diffSchemas(catalog!, cache!, channel).filter(found => codes.includes(found.code));
			const unknown = cache!.unknown.filter(item => (noun === 'function') === (item.kind === 'function'));
			const outcome = outcomeOf(findings, `${plural(count(facts), noun)} in the database, all as PostgREST's cache has them (${cache!.source})`, `${plural(findings.length, `${noun} difference`)} between the database and PostgREST's cache`);
			if (outcome.status === 'pass' && unknown.length > 0) {
				return {status: 'warn', summary: `${plural(unknown.length, noun)} could not be probed: ${unknown.map(item => `${item.schema}.${item.name} (${item.reason})`).join(', ')}`};
			}
			return outcome;
		},
	};
}

export const cacheChecks: Check[] = [
	cacheCheck('cache.tables', 'Tables and views in the cache', ['cache.table_missing', 'cache.table_stale'], 'relation', ({catalog}) => catalog!.tables.length),
	cacheCheck('cache.columns', 'Columns in the cache', ['cache.column_missing', 'cache.column_stale'], 'column', ({catalog}) => catalog!.tables.reduce((sum, table) => sum + table.columns.length, 0)),
	cacheCheck('cache.functions', 'Functions in the cache', ['cache.function_missing', 'cache.function_stale', 'cache.function_signature'], 'function', ({catalog}) => catalog!.functions.length),
];
