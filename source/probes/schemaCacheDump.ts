// Reads PostgREST's schema cache dump: admin /schema_cache (>= 12.2) and `postgrest --dump-schema` share the shape.
// Maps with non-string keys arrive as arrays of [key, value] pairs; tableColumns is an object keyed by column name.
// The dump comes from a server: any entry that does not have this shape rejects the whole dump, never half of it.
import type {CachedFunction, CachedTable} from './cacheSnapshot.js';

export function parseSchemaCacheDump(dump: unknown): {tables: CachedTable[]; functions: CachedFunction[]} | undefined {
	if (!isObject(dump) || !Array.isArray(dump.dbTables)) return undefined;
	const routines = dump.dbRoutines ?? [];
	if (!Array.isArray(routines)) return undefined;
	const tables: CachedTable[] = [];
	for (const entry of dump.dbTables as unknown[]) {
		const name = qualifiedName(entry);
		const columns = isObject((entry as unknown[])[1]) ? columnNames(((entry as unknown[])[1] as {tableColumns?: unknown}).tableColumns) : undefined;
		if (!name || !columns) return undefined;
		tables.push({...name, columns, allColumnsKnown: true});
	}
	const functions: CachedFunction[] = [];
	for (const entry of routines as unknown[]) {
		const name = qualifiedName(entry);
		const overloads = Array.isArray((entry as unknown[])[1]) ? ((entry as unknown[])[1] as unknown[]).map(parameterNames) : undefined;
		if (!name || !overloads || overloads.some(names => names === undefined)) return undefined;
		functions.push({...name, overloads: overloads as string[][]});
	}
	return {tables, functions};
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
	const names = columns.map(column => (Array.isArray(column) && typeof column[0] === 'string' ? column[0] : undefined));
	return names.every(name => name !== undefined) ? names as string[] : undefined;
}

function parameterNames(overload: unknown): string[] | undefined {
	if (!isObject(overload)) return undefined;
	const parameters = overload.pdParams ?? [];
	if (!Array.isArray(parameters)) return undefined;
	const names = parameters.map(parameter => (isObject(parameter) && typeof parameter.ppName === 'string' ? parameter.ppName : undefined));
	return names.every(name => name !== undefined) ? names as string[] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
