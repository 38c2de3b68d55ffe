// From one parsed error and the facts about the object it names to one verdict: stale cache (reload), or the
// look-alike it really is (a typo, case folding, an unexposed schema, a missing GRANT, RPC argument names, a
// foreign key into a hidden schema, another project). Pure: all I/O happened before.
import {label} from '../checks/diffSchemas.js';
import {type Finding, finding} from '../findings.js';
import type {CachedFunction, CachedTable} from '../probes/cacheSnapshot.js';
import type {CatalogFunction, CatalogTable} from '../probes/database.js';
import type {ObjectLookup, Sequence} from '../probes/objectLookup.js';
import type {Channel} from '../sql/channel.js';
import {quoteIdentifier} from '../sql/quoteIdentifier.js';
import {reloadCure} from '../wording.js';
import {closestName} from './closestName.js';
import {type GrantEvidence, grants as grantFindings, type LiveRead, type RequestRoles} from './grants.js';
import type {ParsedError} from './parseError.js';

/**
 * sequence and schema: for a denied sequence or schema, when the database has it. namesakes: other relations of the
 * same name in exposed schemas when the error names no schema (PostgreSQL's 42501 never does): it may be about one
 * of them instead.
 */
export type Resolved = {
	table?: CatalogTable;
	overloads?: CatalogFunction[];
	sequence?: Sequence;
	schema?: string;
	namesakes?: CatalogTable[];
};

export type Evidence = {
	parsed: ParsedError;
	exposed: string[];
	lookup: ObjectLookup;
	resolved: Resolved;
	/** What PostgREST has cached of the resolved object: null when it does not have it, undefined when not probed. */
	cachedTable?: CachedTable | null;
	cachedFunction?: CachedFunction | null;
	channel: Channel;
	projectRefs: {api?: string; key?: string; database?: string};
	/** The roles requests may run as (lookup.privileges has a row for each). */
	roles: RequestRoles;
	/** For a permission denied on a relation or schema: the same denial tried now with a read of no rows, when PostgREST could be asked. */
	live?: LiveRead;
};

const same = (a: string, b: string) => a === b;
const sameFolded = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The object the error names, in the schemas that could answer: the one named, else the exposed ones in order. */
export function resolveObject(
	parsed: ParsedError,
	lookup: Pick<ObjectLookup, 'everything' | 'sequences'>,
	exposed: string[]
): Resolved {
	const schemas = parsed.schema ? [parsed.schema] : exposed;
	const inOrder = <T extends {schema: string}>(items: T[]) =>
		schemas.flatMap(schema => items.filter(item => item.schema === schema));
	if (parsed.sequence) {
		const named = lookup.sequences.filter(candidate => same(candidate.name, parsed.sequence!));
		return {sequence: inOrder(named)[0] ?? (parsed.schema ? undefined : named[0])};
	}
	if (parsed.kind === 'permission_denied' && parsed.privilegeOn === 'schema') {
		return lookup.everything.schemas.includes(parsed.schema ?? '') ? {schema: parsed.schema} : {};
	}
	if (parsed.table) {
		const [table, ...namesakes] = inOrder(lookup.everything.tables).filter(candidate =>
			same(candidate.name, parsed.table!)
		);
		// A privilege is checked wherever PostgreSQL reads: under a view or in a function, a relation of an unexposed schema.
		const under =
			parsed.kind === 'permission_denied' && !table && !parsed.schema
				? lookup.everything.tables.filter(candidate => same(candidate.name, parsed.table!))
				: [];
		if (under.length === 1) return {table: under[0]};
		// A hand-written schema.name: only when no relation has the whole name, dot included.
		const dot = parsed.table.indexOf('.');
		if (!table && !parsed.schema && dot > 0)
			return resolveObject(
				{...parsed, schema: parsed.table.slice(0, dot), table: parsed.table.slice(dot + 1)},
				lookup,
				exposed
			);
		return namesakes.length > 0 && !parsed.schema ? {table, namesakes} : {table};
	}
	if (parsed.function) {
		const overloads = inOrder(lookup.everything.functions).filter(candidate =>
			same(candidate.name, parsed.function!)
		);
		const schema = overloads[0]?.schema;
		return {overloads: overloads.filter(overload => overload.schema === schema)};
	}
	return {};
}

export function diagnoseError(evidence: Evidence): {findings: Finding[]; verdict: Finding} {
	const findings = [...projectMismatch(evidence), ...withNamesakes(lookAlikes(evidence), evidence.resolved)];
	const verdict = findings.find(found => found.severity === 'error') ?? findings[0]!;
	return {findings, verdict};
}

function lookAlikes(evidence: Evidence): Finding[] {
	const {parsed} = evidence;
	switch (parsed.kind) {
		case 'column_not_found':
			return column(evidence);
		case 'table_not_found':
			return relation(evidence);
		case 'function_not_found':
		case 'function_ambiguous':
			return rpc(evidence);
		case 'relationship_not_found':
		case 'relationship_ambiguous':
			return relationship(evidence);
		case 'permission_denied':
			return permissionDenied(evidence);
		case 'row_security':
			return rowSecurity(evidence);
		case 'schema_not_exposed':
			return [
				finding(
					'schema.not_exposed',
					{situation: 'requested', schema: parsed.schema, exposed: evidence.exposed},
					{
						schema: parsed.schema,
						suggestion:
							'Add the schema to db-schemas (Supabase: Data API settings → Exposed schemas) and reload, or ' +
							'request an exposed one.',
					}
				),
			];
		case 'cache_unloaded':
			return [
				finding(
					'cache.unloaded',
					{explained: true},
					{
						suggestion:
							'Run pgrst-doctor check, and read PostgREST\'s log for "Failed to load the schema cache".',
					}
				),
			];
		case 'pool_timeout':
			return [
				finding(
					'explain.not_reproduced',
					{situation: 'pool'},
					{
						suggestion:
							"Look for long-running queries and raise db-pool / the pooler's pool size; a reload cannot help.",
					}
				),
			];
		case 'unknown':
			return [
				finding(
					'explain.unrecognised',
					{bare: true},
					{suggestion: "Paste PostgREST's JSON body or its message."}
				),
			];
	}
}

/** When relations of the same name live in several exposed schemas, the verdict says which one it is about and how to pick another. */
function withNamesakes(findings: Finding[], resolved: Resolved): Finding[] {
	const {table, namesakes} = resolved;
	if (!table || !namesakes?.length || findings.length === 0) return findings;
	const all = [table, ...namesakes].map(label).join(' and ');
	const note =
		` ${all} all exist in exposed schemas and the error does not say which (the request's Accept-Profile ` +
		`or Content-Profile does): this is about ${label(table)}; for another, rerun with --schemas <its schema>.`;
	const [first, ...rest] = findings;
	return [{...first!, message: `${first!.message}${note}`}, ...rest];
}

function reload(evidence: Evidence) {
	return reloadCure(evidence.channel);
}

/** Where else a relation of that name lives: another schema (not exposed), another case, or a near name. */
function missingRelation(evidence: Evidence, name: string): Finding {
	const {exposed, lookup, parsed} = evidence;
	const everywhere = lookup.everything.tables;
	const elsewhere = everywhere.filter(table => same(table.name, name) && !exposed.includes(table.schema));
	if (parsed.schema && !exposed.includes(parsed.schema)) {
		return finding(
			'schema.not_exposed',
			{situation: 'named', schema: parsed.schema, exposed},
			{
				schema: parsed.schema,
				table: name,
				suggestion:
					`Add ${parsed.schema} to db-schemas (Supabase: Data API settings) and reload, or move ${name} ` +
					`to an exposed schema.`,
			}
		);
	}
	if (elsewhere.length > 0) {
		const {schema} = elsewhere[0]!;
		return finding(
			'schema.not_exposed',
			{situation: 'found there', object: label(elsewhere[0]!), exposed},
			{
				schema,
				table: name,
				suggestion:
					`Add ${schema} to db-schemas (Supabase: Data API settings → Exposed schemas), or call it with ` +
					`the profile header (supabase-js: .schema('${schema}')) if it is exposed already.`,
			}
		);
	}
	const folded = everywhere.find(table => sameFolded(table.name, name) && exposed.includes(table.schema));
	if (folded) {
		return finding(
			'client.case_folded',
			{situation: 'table', sent: name, actual: label(folded)},
			{schema: folded.schema, table: folded.name, suggestion: `Use "${folded.name}" in the client.`}
		);
	}
	const near = closestName(
		name,
		everywhere.filter(table => exposed.includes(table.schema)).map(table => table.name)
	);
	return finding(
		'client.unknown_table',
		{name, near},
		{
			table: name,
			suggestion: near
				? `Use ${near}.`
				: 'Check the name, and that the app and the migration use the same project.',
		}
	);
}

function relation(evidence: Evidence): Finding[] {
	const {resolved, parsed} = evidence;
	const table = resolved.table;
	if (!table) return [missingRelation(evidence, parsed.table ?? '')];
	if (evidence.cachedTable === null) {
		const named = {schema: table.schema, table: table.name};
		return [
			finding('cache.table_missing', {...named, kind: table.kind}, {...named, ...reload(evidence)}),
			...grants(evidence, false),
		];
	}
	const grantProblems = grants(evidence, false);
	return grantProblems.length > 0
		? grantProblems
		: [notReproduced(`${label(table)} exists, is exposed, and is in PostgREST's cache`)];
}

function column(evidence: Evidence): Finding[] {
	const {resolved, parsed} = evidence;
	const table = resolved.table;
	const name = parsed.column ?? '';
	if (!table)
		return parsed.table
			? [missingRelation(evidence, parsed.table)]
			: [finding('client.unknown_column', {name}, {column: name})];
	const about = {schema: table.schema, table: table.name, column: name};
	const cached = evidence.cachedTable;
	if (table.columns.includes(name)) {
		if (cached && !cached.columns.includes(name)) {
			return [finding('cache.column_missing', about, {...about, ...reload(evidence)})];
		}
		return [notReproduced(`${label(table)}.${quoteIdentifier(name)} exists and PostgREST's cache has it`)];
	}
	if (cached?.allColumnsKnown && cached.columns.includes(name)) {
		return [finding('cache.column_stale', about, {...about, ...reload(evidence)})];
	}
	const folded = table.columns.find(candidate => sameFolded(candidate, name));
	if (folded) {
		return [
			finding(
				'client.case_folded',
				{situation: 'column', sent: name, actual: `${label(table)}.${quoteIdentifier(folded)}`},
				{
					...about,
					column: folded,
					suggestion:
						`Use "${folded}" in the client, or rename the ` +
						`column: ALTER TABLE ${label(table)} RENAME COLUMN ${quoteIdentifier(folded)} ` +
						`TO "${name.replaceAll('"', '""')}";`,
				}
			),
		];
	}
	const near = closestName(name, table.columns);
	return [
		finding(
			'client.unknown_column',
			{table: label(table), name, near, columns: table.columns},
			{
				...about,
				suggestion: near
					? `Send ${near} instead of ${name}.`
					: `Add the column in a migration, or send one of: ${table.columns.join(', ')}.`,
			}
		),
	];
}

function rpc(evidence: Evidence): Finding[] {
	const {resolved, parsed, lookup, exposed} = evidence;
	const name = parsed.function ?? '';
	const overloads = resolved.overloads ?? [];
	if (parsed.kind === 'function_ambiguous' && overloads.length > 1) return ambiguousCall(overloads);
	const sent = parsed.args ?? [];
	if (overloads.length === 0) {
		const elsewhere = lookup.everything.functions.find(
			candidate => same(candidate.name, name) && !exposed.includes(candidate.schema)
		);
		if (elsewhere) {
			return [
				finding(
					'schema.not_exposed',
					{situation: 'found there', object: `${label(elsewhere)}()`, exposed},
					{
						schema: elsewhere.schema,
						function: name,
						suggestion: `Add ${elsewhere.schema} to db-schemas, or create the function in an exposed schema.`,
					}
				),
			];
		}
		const exposedFunctions = lookup.everything.functions.filter(candidate => exposed.includes(candidate.schema));
		const folded = exposedFunctions.find(candidate => sameFolded(candidate.name, name));
		if (folded)
			return [
				finding(
					'client.case_folded',
					{situation: 'function', sent: name, actual: label(folded)},
					{schema: folded.schema, function: folded.name, suggestion: `Call ${folded.name}.`}
				),
			];
		const near = closestName(
			name,
			exposedFunctions.map(candidate => candidate.name)
		);
		return [
			finding(
				'client.unknown_function',
				{name, near},
				{
					function: name,
					suggestion: near
						? `Call ${near}.`
						: 'Create the function, or check that the app and the migration use the same project.',
				}
			),
		];
	}
	const signature = (overload: CatalogFunction) =>
		`${label(overload)}(${overload.args.map(arg => `${arg.name}${arg.required ? '' : '?'}`).join(', ')})`;
	const matches = (overload: CatalogFunction, names: string[]) => {
		const required = overload.args.filter(arg => arg.required).map(arg => arg.name);
		const all = overload.args.map(arg => arg.name);
		return required.every(arg => names.includes(arg)) && names.every(arg => all.includes(arg));
	};
	const matching = overloads.find(overload => matches(overload, sent));
	const about = {schema: overloads[0]!.schema, function: name};
	if (matching) {
		const cachedOverloads = evidence.cachedFunction?.overloads ?? [];
		const cachedMatch = cachedOverloads.some(
			args => args.length === matching.args.length && matching.args.every(arg => args.includes(arg.name))
		);
		if (evidence.cachedFunction !== undefined && !cachedMatch) {
			// The overload's key, as check names it (findingKey): its argument names.
			const overload = {...about, arguments: matching.args.map(arg => arg.name), ...reload(evidence)};
			const cachedAs = (args: string[]) => `${label(matching)}(${args.join(', ')})`;
			const changed = {signature: signature(matching), cached: cachedAs(cachedOverloads[0] ?? [])};
			return cachedOverloads.length > 0
				? [finding('cache.function_signature', changed, overload)]
				: [finding('cache.function_missing', {signature: signature(matching)}, overload)];
		}
		const grantProblems = grants(evidence, false);
		return grantProblems.length > 0
			? grantProblems
			: [notReproduced(`${signature(matching)} exists, is exposed, and PostgREST's cache has it`)];
	}
	const folded = overloads.find(overload =>
		matches(
			overload,
			sent.map(arg => arg.toLowerCase())
		)
	);
	if (folded) {
		return [
			finding(
				'client.case_folded',
				{situation: 'arguments', sent, actual: signature(folded)},
				{...about, suggestion: `Send ${folded.args.map(arg => arg.name).join(', ')}.`}
			),
		];
	}
	// overloads is not empty here: a function without any was answered above.
	const takes = [signature(overloads[0]!), ...overloads.slice(1).map(signature)] as const;
	const names = overloads[0]!.args.map(arg => arg.name).join(', ') || 'none';
	const suggestion = `Send exactly these names: ${names}.`;
	return [finding('rpc.args_mismatch', {sent, name, takes}, {...about, suggestion})];
}

/** PGRST203: the call's argument names fit several overloads; PostgREST picks by names, never by the values' types. */
function ambiguousCall(overloads: CatalogFunction[]): Finding[] {
	const [first] = overloads;
	return [
		finding(
			'rpc.ambiguous',
			{signatures: overloads.map(overload => overload.signature)},
			{
				schema: first!.schema,
				function: first!.name,
				suggestion:
					`Give the overloads different argument names, ` +
					`or keep one of them (for example DROP FUNCTION ${overloads.at(-1)!.signature}; ` +
					`after checking nothing else calls it); a reload cannot help.`,
			}
		),
	];
}

function relationship(evidence: Evidence): Finding[] {
	const {parsed, lookup, exposed} = evidence;
	const names = [parsed.parent ?? '', parsed.child ?? ''].map(name => name.split('.').at(-1)!.replace(/!.*$/, ''));
	const between = lookup.foreignKeys.filter(key =>
		names.every(name => [key.table, key.foreignTable].some(table => sameFolded(table, name)))
	);
	const unexposed = between.find(key => !exposed.includes(key.schema) || !exposed.includes(key.foreignSchema));
	if (unexposed) {
		const hidden = exposed.includes(unexposed.schema)
			? `${unexposed.foreignSchema}.${unexposed.foreignTable}`
			: `${unexposed.schema}.${unexposed.table}`;
		const ends = {
			from: `${unexposed.schema}.${unexposed.table}`,
			to: `${unexposed.foreignSchema}.${unexposed.foreignTable}`,
		};
		return [
			finding(
				'relationship.unexposed',
				{foreignKey: unexposed.name, ...ends, hidden},
				{
					table: names[0],
					suggestion:
						`Point the foreign key at a table in an exposed schema (for auth.users: a public profiles table ` +
						`keyed by the user id), or expose a view.`,
				}
			),
		];
	}
	if (between.length > 0) {
		return [
			finding(
				'cache.relationship_missing',
				{foreignKey: between[0]!.name, between: [names[0]!, names[1]!]},
				{table: names[0], ...reload(evidence)}
			),
		];
	}
	return [
		finding(
			'relationship.missing',
			{between: [names[0]!, names[1]!]},
			{
				table: names[0],
				suggestion: `Add a foreign key between them (then reload), or embed through a table that has one.`,
			}
		),
	];
}

function grants(evidence: Evidence, reportedDenied: boolean): Finding[] {
	const {parsed, resolved, lookup, roles, live} = evidence;
	const grantEvidence: GrantEvidence = {
		parsed,
		...resolved,
		privileges: lookup.privileges,
		roles,
		live,
		definerViews: lookup.definerViews,
	};
	return grantFindings(grantEvidence, reportedDenied);
}

/**
 * 42501: the GRANT the roles requests may run as lack. Not reproduced only when none lacks it and the live read
 * (where one could be made) now succeeds: a read still refused is a grant.missing for the role it really runs as.
 */
function permissionDenied(evidence: Evidence): Finding[] {
	const {parsed, resolved} = evidence;
	const known = resolved.table ?? resolved.overloads?.[0] ?? resolved.sequence ?? resolved.schema;
	if (!known) {
		if (parsed.privilegeOn === 'sequence' || parsed.privilegeOn === 'schema' || parsed.privilegeOn === 'function') {
			const name = parsed.sequence ?? parsed.function ?? parsed.schema ?? '';
			return [
				notReproduced(
					`No ${parsed.privilegeOn} named ${quoteIdentifier(name)} exists in this database now, so its ` +
						`privileges cannot be checked; the error came from another database or an earlier state`
				),
			];
		}
		return relation(evidence);
	}
	const found = grants(evidence, true);
	if (found.length > 0) return found;
	const roles = evidence.roles.names.join(', ') || 'none found';
	const object = resolved.sequence
		? `sequence ${label(resolved.sequence)}`
		: resolved.table
			? label(resolved.table)
			: resolved.overloads?.[0]
				? `${label(resolved.overloads[0])}()`
				: `schema ${quoteIdentifier(resolved.schema!)}`;
	const readNow = Boolean(evidence.live && evidence.live.status < 400);
	const absent = evidence.roles.missing?.length
		? ` No role named ${evidence.roles.missing.map(quoteIdentifier).join(', ')} exists in this database: check --role.`
		: '';
	const other = evidence.roles.pinnedBy
		? absent
		: " If it still fails, the request runs as another role: rerun with --role <role> (PostgREST's " +
			"db-anon-role, or the JWT's role claim).";
	return [
		finding(
			'explain.not_reproduced',
			{situation: 'nothing denied', roles, object, readNow, other},
			{
				suggestion:
					'Retry the request; if it still fails, check that the app talks to this database and PostgREST (pgrst-doctor check).',
			}
		),
	];
}

/** A policy refused the row: name the table's policies for writes, with their checks, from the catalog. */
function rowSecurity(evidence: Evidence): Finding[] {
	const {resolved, parsed} = evidence;
	const table = resolved.table;
	const name = table ? label(table) : (parsed.table ?? '(unknown)');
	const policies = evidence.lookup.policies ?? [];
	const listed = policies.map(policy => {
		const to = policy.roles.length > 0 ? ` to ${policy.roles.join(', ')}` : '';
		const expression = policy.check
			? `, WITH CHECK ${policy.check}`
			: policy.using
				? `, USING ${policy.using}`
				: '';
		return `${quoteIdentifier(policy.name)} (${policy.command}${to}${expression})`;
	});
	const which =
		listed.length > 0
			? ` Its policies for writes: ${listed.join('; ')}.`
			: table
				? ' It has no policy for writes, so row-level security refuses every written row.'
				: '';
	return [
		finding(
			'rls.rejected',
			{table: name, policies: which},
			{
				schema: table?.schema ?? parsed.schema,
				table: table?.name ?? parsed.table,
				suggestion:
					'Send a row the policy accepts for that command and role (a user id column often has to match ' +
					"auth.uid() or the JWT's sub; a request without a valid JWT runs as the anonymous role), or " +
					'change the policy.',
			}
		),
	];
}

function notReproduced(what: string): Finding {
	return finding(
		'explain.not_reproduced',
		{situation: 'fine now', what},
		{
			suggestion:
				'Retry the request; if it still fails, check that the app talks to this database and PostgREST (pgrst-doctor check).',
		}
	);
}

function projectMismatch({projectRefs}: Evidence): Finding[] {
	const named = Object.entries(projectRefs).filter((entry): entry is [string, string] => Boolean(entry[1]));
	if (new Set(named.map(([, ref]) => ref)).size <= 1) return [];
	const where = {api: 'the API URL', key: 'the API key', database: 'the database URL'} as Record<string, string>;
	return [
		finding(
			'config.project_mismatch',
			{named: named.map(([source, ref]) => `${where[source]} → ${ref}`).join(', ')},
			{
				suggestion:
					"Use the URL, key and database of one project; a migration applied to one project never shows up in another's API.",
			}
		),
	];
}
