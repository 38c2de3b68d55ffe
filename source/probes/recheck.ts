// The quick proof of a reload: instead of a second full comparison, PostgREST is asked again about exactly the objects
// a full diagnosis found differing, and the database's catalogs are shown unchanged meanwhile. It is exact only
// together with what the caller proves first (fixes/applyFixes.ts quickProof): a reload that PostgREST began after
// the request, seen in pg_stat_activity, and finished. Then the cache was loaded from a database that, by the
// fingerprint, did not change from before the request until after these probes; so it holds what the database has,
// and the objects that differed reading as the database has them shows that this new cache is the one answering.
import type {Finding, FindingCode} from '../findings.js';
import type {Catalog, CatalogTable, DatabaseSession} from './database.js';
import {readForeignKeys} from './foreignKeys.js';
import type {HttpTarget} from './http.js';
import {type ProbeHazards, readProbeHazards} from './mediaHandlers.js';
import {Prober} from './cacheSnapshot.js';
import type pg from 'pg';

// For the exposed schemas' catalog rows the doctor compares (schemas, relations, their columns, functions,
// constraints) and role memberships, two digests per catalog:
// - versions: how many rows and an md5 of every row version's (ctid, xmin), in ctid order. A committed change adds,
//   removes or rewrites a row, and a rewritten row is a new version in a new place, so it moves (a sum of xmin would
//   not: a transaction keeps the xid it first wrote with, which can be older than the rows it rewrites). VACUUM and
//   ANALYZE update pg_class in place; TRUNCATE, REFRESH MATERIALIZED VIEW, CLUSTER and VACUUM FULL give a relation a
//   new file, a new pg_class row version; role memberships are shared by every database of the server. So it also
//   moves with changes that are not migrations: the quick proof reads it, where a move costs time, not truth.
// - contents: what the doctor compares of pg_namespace and pg_class rows (names, kinds, privileges, partitions) in
//   place of their versions, the other catalogs' versions as above, and no role memberships: it moves with a migration
//   but not with TRUNCATE or a role made elsewhere. The survivor rule reads it (applyFixes.ts waitAfterReload).
// Temporary tables live in other schemas.
const fingerprintSql = `
with spaces as (
  select oid, ctid, xmin, nspname, nspacl from pg_catalog.pg_namespace where nspname = any ($1::text[])
), relations as (
  select c.oid, c.ctid, c.xmin, c.relname, c.relkind, c.relacl, c.relispartition
  from pg_catalog.pg_class c join spaces s on c.relnamespace = s.oid
), versions as (
  select 'pg_namespace' as catalog, ctid, xmin, oid::text || ' ' || nspname::text || ' ' || coalesce(nspacl::text, '') as content
  from spaces
  union all select 'pg_class', ctid, xmin,
    oid::text || ' ' || relname::text || ' ' || relkind::text || ' ' || coalesce(relacl::text, '') || ' ' || relispartition::text
  from relations
  union all select 'pg_attribute', a.ctid, a.xmin, a.ctid::text || ' ' || a.xmin::text
  from pg_catalog.pg_attribute a join relations r on a.attrelid = r.oid
  union all select 'pg_proc', p.ctid, p.xmin, p.ctid::text || ' ' || p.xmin::text
  from pg_catalog.pg_proc p join spaces s on p.pronamespace = s.oid
  union all select 'pg_constraint', k.ctid, k.xmin, k.ctid::text || ' ' || k.xmin::text
  from pg_catalog.pg_constraint k join spaces s on k.connamespace = s.oid
  union all select 'pg_auth_members', ctid, xmin, null from pg_catalog.pg_auth_members
)
select catalog, pg_catalog.count(*)::int8 as count,
       pg_catalog.md5(pg_catalog.string_agg(ctid::text || ' ' || xmin::text, ',' order by ctid)) as versions,
       pg_catalog.md5(pg_catalog.string_agg(content, ',' order by content)) as contents
from versions group by catalog order by catalog`;

export const recheckStatements = [fingerprintSql];

/** Two fingerprints of the same moment (see fingerprintSql): equal strings, no change of that kind in between. */
export type CatalogFingerprint = {versions: string; contents: string};

/**
 * The catalogs' fingerprint for these schemas. Read on a session outside any transaction, so the statement sees what
 * is committed now whatever default_transaction_isolation says (inside a REPEATABLE READ transaction it would see the
 * transaction's first snapshot).
 */
export async function catalogFingerprint(
	client: Pick<pg.Client, 'query'>,
	schemas: string[]
): Promise<CatalogFingerprint> {
	type Row = {catalog: string; count: string; versions: string; contents: string | null};
	const rows = (await client.query<Row>(fingerprintSql, [schemas])).rows;
	return {
		versions: rows.map(row => `${row.catalog} ${row.count} ${row.versions}`).join(', '),
		contents: rows.flatMap(row => (row.contents === null ? [] : [`${row.catalog} ${row.contents}`])).join(', '),
	};
}

/** What the probes of a recheck need from the database: the catalog (with its foreign keys) and the probe hazards. */
export type CatalogState = {catalog: Catalog; hazards: ProbeHazards};

export async function readCatalogState(session: DatabaseSession, schemas: string[]): Promise<CatalogState> {
	const catalog = await session.catalog(schemas);
	catalog.foreignKeys = await readForeignKeys(session, schemas);
	return {catalog, hazards: await readProbeHazards(session, schemas)};
}

type Recheck = (prober: Prober, catalog: Catalog, found: Finding, table: CatalogTable | undefined) => Promise<boolean>;

/**
 * The finding codes a recheck can ask about one object at a time, and how: true when the object now reads as the
 * database has it. Any other cache finding needs a full diagnosis.
 */
const rechecks: Partial<Record<FindingCode, Recheck>> = {
	async 'cache.table_missing'(prober, _catalog, _found, table) {
		const cached = table && (await prober.table(table));
		return cached !== undefined && table!.columns.every(column => cached.columns.includes(column));
	},
	async 'cache.column_missing'(prober, _catalog, found, table) {
		if (!table || found.column === undefined || !table.columns.includes(found.column)) return false;
		return (await prober.table(table))?.columns.includes(found.column) ?? false;
	},
	async 'cache.table_stale'(prober, _catalog, found, table) {
		return !table && (await prober.nameReading({schema: found.schema!, name: found.table!})) === 'not cached';
	},
	async 'cache.column_stale'(prober, _catalog, found, table) {
		if (!table || found.column === undefined || table.columns.includes(found.column)) return false;
		const cached = await prober.table({...table, columns: [found.column]});
		return cached !== undefined && cached.columns.length === 0;
	},
	async 'cache.function_missing'(prober, catalog, found) {
		const overloads = catalog.functions.filter(fn => fn.schema === found.schema && fn.name === found.function);
		const cached = overloads.length > 0 ? await prober.functionOverloads(overloads) : undefined;
		if (!cached || cached.otherArguments) return false;
		const wanted = found.arguments ? [found.arguments] : overloads.map(fn => fn.args.map(arg => arg.name));
		return wanted.every(args => cached.overloads.some(names => JSON.stringify(names) === JSON.stringify(args)));
	},
	async 'cache.relationship_missing'(prober, catalog, found, table) {
		const key = catalog.foreignKeys?.find(
			item => item.schema === found.schema && item.table === found.table && item.name === found.constraint
		);
		if (!key || !table) return false;
		const columns = (await prober.table(table))?.columns ?? [];
		return (await prober.relationship(key, columns))?.cached === true;
	},
};

export function canRecheck(findings: Finding[]): boolean {
	const cache = findings.filter(found => found.code.startsWith('cache.'));
	return cache.length > 0 && cache.every(found => rechecks[found.code] !== undefined);
}

/**
 * Whether every one of these cache findings now reads as the database (the catalog given) has it: a missing object
 * cached, a stale one gone. Methods are chosen by their controls as in a full diagnosis; anything unclear is false.
 */
export async function findingsSettled(
	target: HttpTarget,
	version: string | null,
	state: CatalogState,
	findings: Finding[]
): Promise<boolean> {
	const prober = new Prober(target, state.hazards, state.catalog, {version});
	for (const found of findings.filter(item => item.code.startsWith('cache.')))
		if (!(await settled(prober, state.catalog, found))) return false;
	return prober.unknown.length === 0;
}

async function settled(prober: Prober, catalog: Catalog, found: Finding): Promise<boolean> {
	const table = catalog.tables.find(item => item.schema === found.schema && item.name === found.table);
	return (await rechecks[found.code]?.(prober, catalog, found, table)) ?? false;
}
