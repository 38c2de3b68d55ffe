// Reads PostgREST's schema cache dump: admin /schema_cache (>= 12.2) and `postgrest --dump-schema` share the shape.
// Maps with non-string keys arrive as arrays of [key, value] pairs; tableColumns is an object keyed by column name.
import type {CachedFunction, CachedTable} from './cacheSnapshot.js';

type QualifiedName = {qiSchema: string; qiName: string};
type DumpTable = {tableColumns?: Record<string, unknown> | Array<[string, unknown]>};
type DumpRoutine = {pdParams?: Array<{ppName: string}>};

export function parseSchemaCacheDump(dump: unknown): {tables: CachedTable[]; functions: CachedFunction[]} | undefined {
	if (!dump || typeof dump !== 'object' || !Array.isArray((dump as {dbTables?: unknown}).dbTables)) return undefined;
	const {dbTables, dbRoutines} = dump as {dbTables: Array<[QualifiedName, DumpTable]>; dbRoutines?: Array<[QualifiedName, DumpRoutine[]]>};
	const tables = dbTables.map(([name, table]) => ({
		schema: name.qiSchema,
		name: name.qiName,
		columns: columnNames(table.tableColumns),
		allColumnsKnown: true,
	}));
	const functions = (dbRoutines ?? []).map(([name, overloads]) => ({
		schema: name.qiSchema,
		name: name.qiName,
		overloads: overloads.map(overload => (overload.pdParams ?? []).map(parameter => parameter.ppName)),
	}));
	return {tables, functions};
}

function columnNames(columns: DumpTable['tableColumns']): string[] {
	if (!columns) return [];
	return Array.isArray(columns) ? columns.map(([name]) => name) : Object.keys(columns);
}
