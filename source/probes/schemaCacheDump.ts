// Reads PostgREST's schema cache dump: admin /schema_cache (>= 12.2) and `postgrest --dump-schema` share the shape.
// Maps with non-string keys arrive as arrays of [key, value] pairs; tableColumns is an object keyed by column name.
// The dump comes from a server: any entry that does not have this shape rejects the whole dump, never half of it.
import type {CachedFunction, CachedTable} from './cacheSnapshot.js';
import {foreignKeyKey} from '../objectKey.js';

/** relationships: the foreign keys (foreignKeyKey) the cache has a relationship for. */
export type SchemaCacheDump = {tables: CachedTable[]; functions: CachedFunction[]; relationships: string[]};

export function parseSchemaCacheDump(dump: unknown): SchemaCacheDump | undefined {
	if (!isObject(dump) || !Array.isArray(dump.dbTables)) return undefined;
	const routines = dump.dbRoutines ?? [];
	const relationshipLists = dump.dbRelationships ?? [];
	if (!Array.isArray(routines) || !Array.isArray(relationshipLists)) return undefined;
	const tables: CachedTable[] = [];
	for (const entry of dump.dbTables as unknown[]) {
		const name = qualifiedName(entry);
		const columns = isObject((entry as unknown[])[1])
			? columnNames(((entry as unknown[])[1] as {tableColumns?: unknown}).tableColumns)
			: undefined;
		if (!name || !columns) return undefined;
		tables.push({...name, columns, allColumnsKnown: true});
	}
	const functions: CachedFunction[] = [];
	for (const entry of routines as unknown[]) {
		const name = qualifiedName(entry);
		const overloads = Array.isArray((entry as unknown[])[1])
			? ((entry as unknown[])[1] as unknown[]).map(parameterNames)
			: undefined;
		if (!name || !overloads || overloads.some(names => names === undefined)) return undefined;
		functions.push({...name, overloads: overloads as string[][]});
	}
	const relationships = new Set<string>();
	for (const entry of relationshipLists as unknown[]) {
		const list =
			Array.isArray(entry) && entry.length === 2 && Array.isArray(entry[1]) ? (entry[1] as unknown[]) : undefined;
		if (!list) return undefined;
		for (const relationship of list) {
			const keys = foreignKeysOf(relationship);
			if (!keys) return undefined;
			for (const key of keys) relationships.add(key);
		}
	}
	return {tables, functions, relationships: [...relationships]};
}

/**
 * The foreign key behind one cached relationship, keyed as the catalog's (foreignKeyKey): M2O is seen from the
 * key's table, O2M from the referenced one, O2O from either (so both readings are kept). Many-to-many and computed
 * relationships are made of other keys or of functions, so they add none.
 */
function foreignKeysOf(relationship: unknown): string[] | undefined {
	if (!isObject(relationship)) return undefined;
	if (relationship.tag !== 'Relationship') return [];
	const table = identifier(relationship.relTable);
	const foreign = identifier(relationship.relForeignTable);
	const cardinality = relationship.relCardinality;
	if (!table || !foreign || !isObject(cardinality)) return undefined;
	if (cardinality.tag === 'M2M') return [];
	const name = cardinality.relCons;
	if (typeof name !== 'string') return undefined;
	const from = (owner: {schema: string; name: string}, target: {schema: string; name: string}) =>
		owner.schema === target.schema
			? [foreignKeyKey({schema: owner.schema, table: owner.name, name, foreignTable: target.name})]
			: [];
	if (cardinality.tag === 'M2O') return from(table, foreign);
	if (cardinality.tag === 'O2M') return from(foreign, table);
	if (cardinality.tag === 'O2O') return [...from(table, foreign), ...from(foreign, table)];
	return undefined;
}

function identifier(value: unknown): {schema: string; name: string} | undefined {
	if (!isObject(value)) return undefined;
	const {qiSchema, qiName} = value;
	return typeof qiSchema === 'string' && typeof qiName === 'string' ? {schema: qiSchema, name: qiName} : undefined;
}

/** [{qiSchema, qiName}, value] → {schema, name}. */
function qualifiedName(entry: unknown): {schema: string; name: string} | undefined {
	if (!Array.isArray(entry) || entry.length !== 2 || !isObject(entry[0])) return undefined;
	const {qiSchema, qiName} = entry[0];
	return typeof qiSchema === 'string' && typeof qiName === 'string' ? {schema: qiSchema, name: qiName} : undefined;
}

function columnNames(columns: unknown): string[] | undefined {
	if (columns === undefined) return [];
	if (isObject(columns)) return Object.keys(columns);
	if (!Array.isArray(columns)) return undefined;
	const names = columns.map(column =>
		Array.isArray(column) && typeof column[0] === 'string' ? column[0] : undefined
	);
	return names.every(name => name !== undefined) ? names : undefined;
}

function parameterNames(overload: unknown): string[] | undefined {
	if (!isObject(overload)) return undefined;
	const parameters = overload.pdParams ?? [];
	if (!Array.isArray(parameters)) return undefined;
	const names = parameters.map(parameter =>
		isObject(parameter) && typeof parameter.ppName === 'string' ? parameter.ppName : undefined
	);
	return names.every(name => name !== undefined) ? names : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
