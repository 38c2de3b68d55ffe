// Database truth against PostgREST's cache, in both directions. Names stay exactly as in the catalog.
import {type Finding, finding} from '../findings.js';
import type {CacheSnapshot} from '../probes/cacheSnapshot.js';
import type {Catalog, CatalogFunction} from '../probes/database.js';
import {foreignKeyKey, objectKey as key} from '../objectKey.js';
import {quoteIdentifier as quoteName} from '../sql/quoteIdentifier.js';
import type {Channel} from '../sql/channel.js';
import {label, reloadCure} from '../wording.js';

export function diffSchemas(catalog: Catalog, cache: CacheSnapshot, channel: Channel): Finding[] {
	const about = reloadCure(channel);
	const findings: Finding[] = [];
	// A foreign key that could not be compared leaves its table's relation and columns comparable.
	const unknown = new Set(cache.unknown.filter(item => item.kind !== 'relationship').map(key));
	const cachedTables = new Map(cache.tables.map(table => [key(table), table]));
	const databaseTables = new Map(catalog.tables.map(table => [key(table), table]));

	for (const table of catalog.tables) {
		if (unknown.has(key(table))) continue;
		const cached = cachedTables.get(key(table));
		if (!cached) {
			findings.push(
				finding(
					'cache.table_missing',
					{schema: table.schema, table: table.name, kind: table.kind},
					{schema: table.schema, table: table.name, ...about}
				)
			);
			continue;
		}
		const cachedColumns = new Set(cached.columns);
		for (const column of table.columns.filter(column => !cachedColumns.has(column))) {
			const named = {schema: table.schema, table: table.name, column};
			findings.push(finding('cache.column_missing', named, {...named, ...about}));
		}
		if (cached.allColumnsKnown) {
			const columns = new Set(table.columns);
			for (const column of cached.columns.filter(column => !columns.has(column))) {
				const named = {schema: table.schema, table: table.name, column};
				findings.push(finding('cache.column_stale', named, {...named, ...about}));
			}
		}
	}
	for (const cached of cache.tables) {
		if (!databaseTables.has(key(cached))) {
			const named = {schema: cached.schema, table: cached.name};
			findings.push(finding('cache.table_stale', named, {...named, ...about}));
		}
	}

	const cachedFunctions = new Map(cache.functions.map(fn => [key(fn), fn]));
	const databaseFunctions = new Set(catalog.functions.map(key));
	for (const fn of catalog.functions) {
		if (unknown.has(key(fn))) continue;
		const cached = cachedFunctions.get(key(fn));
		const names = argumentNames(fn);
		if (cached?.overloads.some(overload => sameNames(overload, names))) continue;
		const signature = `${label(fn)}(${names.join(', ')})`;
		// One finding per overload, named by its argument names (as PostgREST tells overloads apart).
		const thisOverload = {schema: fn.schema, function: fn.name, arguments: names, ...about};
		const other = cached?.overloads.find(
			overload =>
				!catalog.functions.some(
					candidate => key(candidate) === key(fn) && sameNames(overload, argumentNames(candidate))
				)
		);
		if (other || cached?.otherArguments) {
			const cachedAs = other ? `${label(fn)}(${other.join(', ')})` : `${label(fn)} with other arguments`;
			findings.push(finding('cache.function_signature', {signature, cached: cachedAs}, thisOverload));
		} else {
			findings.push(finding('cache.function_missing', {signature}, thisOverload));
		}
	}
	if (cache.complete) {
		for (const cached of cache.functions.filter(fn => !databaseFunctions.has(key(fn)))) {
			findings.push(
				finding('cache.function_stale', cached, {schema: cached.schema, function: cached.name, ...about})
			);
		}
	}
	findings.push(...missingRelationships(catalog, cache, cachedTables, about));
	return findings;
}

/**
 * Foreign keys PostgREST has no relationship for (embedding answers PGRST200 until a reload). A key whose table or
 * referenced relation the cache lacks, or that was not compared, is left to those findings: the reload is the same.
 */
function missingRelationships(
	catalog: Catalog,
	cache: CacheSnapshot,
	cachedTables: Map<string, unknown>,
	about: ReturnType<typeof reloadCure>
): Finding[] {
	if (!catalog.foreignKeys || !cache.relationships) return [];
	const cached = new Set(cache.relationships);
	const unknown = new Set(cache.unknown.filter(item => item.kind === 'relationship').map(key));
	return catalog.foreignKeys
		.filter(
			foreignKey =>
				!cached.has(foreignKeyKey(foreignKey)) &&
				!unknown.has(key({schema: foreignKey.schema, name: foreignKey.table}))
		)
		.filter(
			foreignKey =>
				cachedTables.has(key({schema: foreignKey.schema, name: foreignKey.table})) &&
				cachedTables.has(key({schema: foreignKey.schema, name: foreignKey.foreignTable}))
		)
		.map(foreignKey => {
			const table = {schema: foreignKey.schema, name: foreignKey.table};
			const parts = {
				foreignKey: quoteName(foreignKey.name),
				from: label(table),
				to: label({schema: foreignKey.schema, name: foreignKey.foreignTable}),
			};
			// One finding per foreign key: a table can have several, each its own relationship.
			const named = {schema: foreignKey.schema, table: foreignKey.table, constraint: foreignKey.name};
			return finding('cache.relationship_missing', parts, {...named, ...about});
		});
}

function argumentNames(fn: CatalogFunction): string[] {
	return fn.args.map(arg => arg.name);
}

function sameNames(a: string[], b: string[]): boolean {
	const left = new Set(a);
	return a.length === b.length && b.every(name => left.has(name));
}

/** schema.name for messages, quoted the way SQL would need it (the wording's own). */
export {label} from '../wording.js';
