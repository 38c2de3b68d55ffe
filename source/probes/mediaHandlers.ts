// Which objects a cache probe could make PostgREST run. PostgREST 12 looks the probe's Accept type up among media
// type handlers (Plan.hs negotiateContent at v12.0.2): one for the request's relation and "*/*" matches any Accept,
// and then the insert or the function call reaches the database. The handlers are read the way PostgREST reads
// them (SchemaCache.hs mediaHandlers at v12.0.2), so the prober can leave those objects alone.
import type {DatabaseSession} from './database.js';
import {objectKey} from '../objectKey.js';

/** A handler PostgREST caches: for relation or function schema.name (or for anyelement), producing mediaType. */
export type MediaHandler = {schema: string; name: string; anyElement: boolean; mediaType: string; handler: string};
/** The relation a function's call is negotiated for: its composite return type's name, else its own name (Plan.hs callReadPlan). */
export type RoutineTarget = {schema: string; name: string; target: string};
export type ProbeHazards = {handlers: MediaHandler[]; routineTargets: RoutineTarget[]};
export type UnsafeObjects = {tables: Map<string, string>; functions: Map<string, string>};

// Aggregates over a relation's row type or anyelement, and plain functions (keyed by their own name), that return a
// domain named like a media type, in the exposed schemas $1.
const mediaHandlersSql = `
with media_types as (
  select t.oid, pg_catalog.lower(t.typname) as media_type
  from pg_catalog.pg_type t
  where t.typbasetype <> 0 and (t.typname ~* '^[A-Za-z0-9.-]+/[A-Za-z0-9.\\+-]+$' or t.typname = '*/*')
)
select arg_schema.nspname as schema, arg_type.typname as name,
       arg_type.oid = 'pg_catalog.anyelement'::pg_catalog.regtype as "anyElement",
       m.media_type as "mediaType", pg_catalog.format('%I.%I', proc_schema.nspname, p.proname) as handler
from media_types m
join pg_catalog.pg_proc p on p.prorettype = m.oid
join pg_catalog.pg_namespace proc_schema on proc_schema.oid = p.pronamespace
join pg_catalog.pg_aggregate a on a.aggfnoid = p.oid
join pg_catalog.pg_type arg_type on arg_type.oid = p.proargtypes[0]
join pg_catalog.pg_namespace arg_schema on arg_schema.oid = arg_type.typnamespace
where proc_schema.nspname = any($1::text[]) and p.pronargs = 1
  and (arg_type.oid = 'pg_catalog.anyelement'::pg_catalog.regtype
       or exists (select from pg_catalog.pg_class c where c.reltype = arg_type.oid and c.relkind in ('v', 'r', 'm', 'f', 'p')))
union all
select n.nspname, p.proname, false, m.media_type, pg_catalog.format('%I.%I', n.nspname, p.proname)
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
join media_types m on m.oid = p.prorettype
where n.nspname = any($1::text[]) and not p.proretset and p.prokind = 'f'`;

// For every function in $1 whose call would be negotiated for another name than its own: those returning a
// composite (after domains) or having OUT/INOUT/TABLE arguments, as PostgREST's routine query decides it.
const routineTargetsSql = `
with recursive base_types (oid, base) as (
  select oid, oid from pg_catalog.pg_type where typbasetype = 0
  union all
  select t.oid, b.base from pg_catalog.pg_type t join base_types b on t.typbasetype = b.oid
)
select n.nspname as schema, p.proname as name, coalesce(comp.relname, t.typname)::text as target
from pg_catalog.pg_proc p
join pg_catalog.pg_namespace n on n.oid = p.pronamespace
join base_types bt on bt.oid = p.prorettype
join pg_catalog.pg_type t on t.oid = bt.base
left join pg_catalog.pg_class comp on comp.oid = t.typrelid
where n.nspname = any($1::text[]) and p.prokind = 'f'
  and (t.typtype = 'c' or coalesce(p.proargmodes::text[] && '{t,b,o}', false))`;

/** Every statement this module runs, for the test that plants look-alikes of what the doctor's SQL calls. */
export const mediaHandlerStatements = [mediaHandlersSql, routineTargetsSql];

export async function readProbeHazards(
	session: Pick<DatabaseSession, 'read'>,
	schemas: string[]
): Promise<ProbeHazards> {
	return {
		handlers: await session.read<MediaHandler>(mediaHandlersSql, [schemas]),
		routineTargets: await session.read<RoutineTarget>(routineTargetsSql, [schemas]),
	};
}

// The relations and function names a probe sending `accept` could make PostgREST run, each with the reason. A
// handler for the relation producing */* or exactly `accept`, or one for anyelement producing `accept`, is chosen by
// PostgREST; a function is unsafe when any of its overloads is negotiated for such a relation, since PostgREST may
// pick another overload than the one probed.
export function unsafeObjects(
	hazards: ProbeHazards,
	accept: string,
	catalog: {tables: Array<{schema: string; name: string}>; functions: Array<{schema: string; name: string}>}
): UnsafeObjects {
	const wanted = accept.toLowerCase();
	const everything = hazards.handlers.find(handler => handler.anyElement && handler.mediaType === wanted);
	const byTarget = new Map<string, MediaHandler>();
	for (const handler of hazards.handlers) {
		if (!handler.anyElement && (handler.mediaType === '*/*' || handler.mediaType === wanted))
			byTarget.set(objectKey(handler), handler);
	}
	const reason = (handler: MediaHandler, runs: string) =>
		`a media type handler for ${handler.mediaType} (${handler.handler}) would make PostgREST ${runs}`;
	const tables = new Map<string, string>();
	for (const table of catalog.tables) {
		const handler = everything ?? byTarget.get(objectKey(table));
		if (handler) tables.set(objectKey(table), reason(handler, "run the probe's insert and its triggers"));
	}
	const functions = new Map<string, string>();
	for (const fn of catalog.functions) {
		const targets = [
			fn.name,
			...hazards.routineTargets
				.filter(item => item.schema === fn.schema && item.name === fn.name)
				.map(item => item.target),
		];
		const handler =
			everything ??
			targets.map(target => byTarget.get(objectKey({schema: fn.schema, name: target}))).find(Boolean);
		if (handler) functions.set(objectKey(fn), reason(handler, 'run the function'));
	}
	return {tables, functions};
}

export function isUnsafe(unsafe: Map<string, string>, object: {schema: string; name: string}): string | undefined {
	return unsafe.get(objectKey(object));
}
