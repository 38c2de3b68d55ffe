// The foreign keys PostgREST turns into relationships it can embed, read the way its schema cache reads them
// (SchemaCache.hs allM2OandO2ORels at v12.0.2: every FOREIGN KEY constraint but the copies partitions inherit,
// kept when both tables are in exposed schemas). Only keys between two relations of the same schema are read:
// PostgREST looks an embedding up by the request's schema, so a key across schemas is never embedded.
import type {DatabaseSession} from './database.js';

/** A foreign key constraint `name` on schema.table referencing schema.foreignTable. */
export type ForeignKey = {schema: string; table: string; name: string; foreignTable: string};

// Foreign keys in the exposed schemas $1 whose referenced relation is in the same schema.
const foreignKeysSql = `
select n.nspname as schema, t.relname as "table", c.conname as name, f.relname as "foreignTable"
from pg_catalog.pg_constraint c
join pg_catalog.pg_class t on t.oid = c.conrelid
join pg_catalog.pg_namespace n on n.oid = t.relnamespace
join pg_catalog.pg_class f on f.oid = c.confrelid
where c.contype = 'f' and c.conparentid = 0 and f.relnamespace = t.relnamespace and n.nspname = any($1::text[])
order by 1, 2, 3`;

/** Every statement this module runs, for the test that plants look-alikes of what the doctor's SQL calls. */
export const foreignKeyStatements = [foreignKeysSql];

export async function readForeignKeys(session: Pick<DatabaseSession, 'read'>, schemas: string[]): Promise<ForeignKey[]> {
	return session.read<ForeignKey>(foreignKeysSql, [schemas]);
}

/** One key per constraint: its table, its name and the relation it references. */
export function foreignKeyKey(key: ForeignKey): string {
	return [key.schema, key.table, key.name, key.foreignTable].join('\u0000');
}
