// Which of the schemas the doctor was asked to compare do not exist, read in the diagnosis's read-only transaction.
import type {DatabaseSession} from './database.js';

// The names from $1 that no pg_namespace row has, in the order given. Everything schema-qualified.
const missingSchemasSql = `
select asked.name
from pg_catalog.unnest($1::pg_catalog.text[]) with ordinality as asked(name, position)
where not exists (select from pg_catalog.pg_namespace n where n.nspname operator(pg_catalog.=) asked.name)
order by asked.position`;

/** Every statement this module runs, for the test that plants look-alikes of what the doctor's SQL calls. */
export const missingSchemasStatements = [missingSchemasSql];

export async function missingSchemas(session: DatabaseSession, schemas: string[]): Promise<string[]> {
	return (await session.read<{name: string}>(missingSchemasSql, [schemas])).map(row => row.name);
}
