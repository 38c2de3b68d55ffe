// The three views of one diff: relations, columns and functions, each its own check so each can pass on its own.
// A check passes only when everything in its scope was compared: an object that could not be probed, or a schema
// that does not exist, fails it with a finding that blocks the diagnosis (exit 2), never a quiet warning.
import {type Finding, type FindingCode, finding} from '../findings.js';
import {plural} from '../wording.js';
import type {CacheSnapshot, Unknown} from '../probes/cacheSnapshot.js';
import type {Catalog} from '../probes/database.js';
import {type Check, type Facts, outcomeOf} from './check.js';
import {diffSchemas, label} from './diffSchemas.js';
import type {Channel} from '../sql/channel.js';

/** How many names a message lists before it counts the rest. */
const namedPerReason = 3;

function cacheCheck(
	id: string,
	title: string,
	codes: FindingCode[],
	noun: string,
	kind: Unknown['kind'],
	count: (facts: Facts) => number
): Check {
	return {
		id,
		title,
		dependsOn: ['database.connect', 'api.database', 'cache.loaded'],
		run(facts) {
			const {catalog, cache, channel} = facts;
			const findings = differences(catalog!, cache!, channel).filter(found => codes.includes(found.code));
			const unknown = cache!.unknown.filter(item => item.kind === kind);
			const missing = facts.missingSchemas ?? [];
			const outcome = outcomeOf(
				findings,
				`${plural(count(facts), noun)} in the database, all as PostgREST's cache has them (${cache!.source})`,
				`${plural(findings.length, `${noun} difference`)} between the database and PostgREST's cache`
			);
			if (unknown.length === 0 && missing.length === 0) return outcome;
			const blind = [
				...missing.map(schema => schemaMissing(schema, facts.schemasSource)),
				...(unknown.length > 0 ? [unverified(cache!.unknown)] : []),
				...(unknown.length > 0 && cache!.apiLost ? [apiLost(facts.apiUrl, cache!.apiLost)] : []),
			];
			const scope = {table: 'relation', function: 'function', relationship: 'relationship'}[kind];
			const summary = [
				...(missing.length > 0
					? [
							`${plural(missing.length, 'schema')} asked for ${missing.length === 1 ? 'does' : 'do'} not ` +
								`exist: ${missing.join(', ')}`,
						]
					: []),
				...(unknown.length > 0
					? [
							`${plural(unknown.length, scope)} could not be compared (${reasons(unknown)
								.map(([reason, items]) => `${items.length}: ${reason}`)
								.join('; ')})`,
						]
					: []),
				...(findings.length > 0 ? [outcome.summary] : []),
			].join('; ');
			return {status: 'fail', summary, findings: [...findings, ...blind]};
		},
	};
}

/** The diff is computed once per snapshot and shared by the three checks: a cache of 200,000 relations is diffed once, not three times. */
const diffs = new WeakMap<CacheSnapshot, Finding[]>();
function differences(catalog: Catalog, cache: CacheSnapshot, channel: Channel): Finding[] {
	let found = diffs.get(cache);
	if (!found) diffs.set(cache, (found = diffSchemas(catalog, cache, channel)));
	return found;
}

/** One finding for everything the probes could not compare, grouped by reason, naming a few of each. */
export function unverified(unknown: Unknown[]): Finding {
	const groups = reasons(unknown).map(([reason, items]) => {
		const named = items
			.slice(0, namedPerReason)
			.map(item => `${label(item)}${item.kind === 'function' ? '()' : ''}`)
			.join(', ');
		const rest = items.length > namedPerReason ? ` and ${items.length - namedPerReason} more` : '';
		return `${kinds(items)} because ${reason} (${named}${rest})`;
	});
	return finding(
		'cache.unverified',
		{objects: kinds(unknown), reasons: groups},
		{
			suggestion:
				'The doctor cannot call this cache healthy without comparing them: fix what PostgREST answers ' +
				'(see its log) or rerun with a longer --timeout.',
		}
	);
}

function reasons(unknown: Unknown[]): Array<[string, Unknown[]]> {
	const groups = new Map<string, Unknown[]>();
	for (const item of unknown) groups.set(item.reason, [...(groups.get(item.reason) ?? []), item]);
	return [...groups].sort(([, a], [, b]) => b.length - a.length);
}

function kinds(items: Unknown[]): string {
	const count = (kind: Unknown['kind'], noun: string) => {
		const found = items.filter(item => item.kind === kind).length;
		return found > 0 ? plural(found, noun) : '';
	};
	return [count('table', 'relation'), count('function', 'function'), count('relationship', 'foreign key')]
		.filter(Boolean)
		.join(' and ');
}

function schemaMissing(schema: string, source: string): Finding {
	return finding(
		'schema.missing',
		{schema, source},
		{
			schema,
			suggestion:
				source === '--schemas'
					? 'Fix the name in --schemas, or create the schema.'
					: "Remove it from PostgREST's db-schemas, or create the schema.",
		}
	);
}

function apiLost(apiUrl: string | undefined, reason: string): Finding {
	return finding(
		'api.unreachable',
		{situation: 'stopped', where: apiUrl, reason},
		{
			suggestion:
				'Check that PostgREST is still running (it may have crashed or restarted), then run the doctor again.',
		}
	);
}

export const cacheChecks: Check[] = [
	cacheCheck(
		'cache.tables',
		'Tables and views in the cache',
		['cache.table_missing', 'cache.table_stale'],
		'relation',
		'table',
		({catalog}) => catalog!.tables.length
	),
	cacheCheck(
		'cache.columns',
		'Columns in the cache',
		['cache.column_missing', 'cache.column_stale'],
		'column',
		'table',
		({catalog}) => catalog!.tables.reduce((sum, table) => sum + table.columns.length, 0)
	),
	cacheCheck(
		'cache.functions',
		'Functions in the cache',
		['cache.function_missing', 'cache.function_stale', 'cache.function_signature'],
		'function',
		'function',
		({catalog}) => catalog!.functions.length
	),
	cacheCheck(
		'cache.relationships',
		'Relationships in the cache',
		['cache.relationship_missing'],
		'relationship',
		'relationship',
		({catalog}) => catalog!.foreignKeys?.length ?? 0
	),
];
