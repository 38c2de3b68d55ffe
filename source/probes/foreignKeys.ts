// The foreign keys PostgREST turns into relationships it can embed, read the way its schema cache reads them
// (SchemaCache.hs allM2OandO2ORels at v12.0.2: every FOREIGN KEY constraint but the copies partitions inherit,
// kept when both tables are in exposed schemas). Only keys between two relations of the same schema are read:
// PostgREST looks an embedding up by the request's schema, so a key across schemas is never embedded.
import type {DatabaseSession} from './database.js';

/**
 * A foreign key constraint `name` on schema.table referencing schema.foreignTable. oneToOne: its columns are those
 * of a primary key or unique constraint of its table, so PostgREST may embed it as one-to-one from either side (it
 * checks the same columns in key order; any order is counted here, so no such key is ever taken for one-to-many).
 */
export type ForeignKey = {
	schema: string;
	table: string;
	name: string;
	foreignTable: string;
	columns: string[];
	oneToOne: boolean;
};

// Foreign keys in the exposed schemas $1 whose referenced relation is in the same schema.
const foreignKeysSql = `
select n.nspname as schema, t.relname as "table", c.conname as name, f.relname as "foreignTable",
       array(select a.attname::text
             from pg_catalog.unnest(c.conkey) with ordinality as k (attnum, position)
             join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
             order by k.position) as columns,
       exists (select from pg_catalog.pg_constraint u
               where u.conrelid = c.conrelid and u.contype in ('p', 'u')
                 and u.conkey operator(pg_catalog.@>) c.conkey and u.conkey operator(pg_catalog.<@) c.conkey) as "oneToOne"
from pg_catalog.pg_constraint c
join pg_catalog.pg_class t on t.oid = c.conrelid
join pg_catalog.pg_namespace n on n.oid = t.relnamespace
join pg_catalog.pg_class f on f.oid = c.confrelid
where c.contype = 'f' and c.conparentid = 0 and f.relnamespace = t.relnamespace and n.nspname = any($1::text[])
order by 1, 2, 3`;

/** Every statement this module runs, for the test that plants look-alikes of what the doctor's SQL calls. */
export const foreignKeyStatements = [foreignKeysSql];

export async function readForeignKeys(
	session: Pick<DatabaseSession, 'read'>,
	schemas: string[]
): Promise<ForeignKey[]> {
	return session.read<ForeignKey>(foreignKeysSql, [schemas]);
}
