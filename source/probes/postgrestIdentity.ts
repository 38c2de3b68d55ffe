// Which sessions are PostgREST's. Anyone can call a session "PostgREST 12.0.2" and LISTEN, so the doctor has PostgREST
// run a request of its own and looks for the session that ran it: its login role, database and application name
// identify PostgREST's pool and listener. The request reads a column that does not exist from a base table, so
// PostgreSQL rejects it while parsing, before any rule, policy, trigger or function could run. PostgREST's text is
// not left behind (its transaction ends with ABORT, as hasql-transaction ends every failed one), so the session
// is found by that ABORT inside the request's time window, twice, measured on the database's own clock.
import {randomBytes} from 'node:crypto';
import type {DatabaseSession, ServerFacts} from './database.js';
import {type HttpTarget, postgrestError, send} from './http.js';

export type PostgrestIdentity =
	| {confirmed: true; user: string; database: string; applicationName: string; clientAddress: string | null}
	/**
	 * asked: whether PostgREST was sent the doctor's request (not when the role cannot see sessions or no table can be named).
	 * answeredRoles: the login roles of sessions that ran one of the doctor's requests, when no one session ran enough of
	 * them (several instances behind one address take turns): whose claims to be PostgREST are corroborated.
	 */
	| {confirmed: false; reason: string; asked?: boolean; answeredRoles?: string[]};

type Answering = {user: string; database: string; applicationName: string; clientAddress: string | null};

// A base table (never a view: reading one can run functions) in the schema PostgREST is asked about, preferring the
// names PostgREST lists, since PostgREST 13 and later answer only for relations it has cached.
const baseTableSql = `
select c.relname as name
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = $1 and c.relkind = 'r' and not c.relispartition
order by c.relname = any($2::text[]) desc, c.relname
limit 1`;

const clockSql = 'select pg_catalog.clock_timestamp()::text as at';

// Sessions whose last statement was an ABORT that started between $1 and $2 and that have done nothing since.
const answeringSql = `
select usename as "user", datname as database, coalesce(application_name, '') as "applicationName",
	pg_catalog.host(client_addr) as "clientAddress"
from pg_catalog.pg_stat_activity, pg_catalog.pg_stat_clear_snapshot()
where pid <> pg_catalog.pg_backend_pid() and state = 'idle' and pg_catalog.upper(query) in ('ABORT', 'ROLLBACK')
  and query_start between $1::timestamptz and $2::timestamptz and usename is not null and datname is not null`;

/** Every statement this module runs, for the test that plants look-alikes of what the doctor's SQL calls. */
export const postgrestIdentityStatements = [baseTableSql, clockSql, answeringSql];

const rounds = 3;
const roundsNeeded = 2;

export async function identifyPostgrest(
	session: Pick<DatabaseSession, 'read'>,
	target: HttpTarget,
	server: ServerFacts,
	schema: {name: string; profile: boolean},
	listed: string[]
): Promise<PostgrestIdentity> {
	if (!server.superuser && !server.readAllStats) {
		return {
			confirmed: false,
			asked: false,
			reason: `role ${server.user} cannot see other sessions' activity (GRANT pg_read_all_stats TO ${server.user};)`,
		};
	}
	const [table] = await session.read<{name: string}>(baseTableSql, [schema.name, listed]);
	if (!table)
		return {confirmed: false, asked: false, reason: `schema ${schema.name} has no table to ask PostgREST about`};
	const column = `pgrst_doctor_${randomBytes(8).toString('hex')}`;
	const headers: Record<string, string> = {accept: 'application/json'};
	if (schema.profile) headers['accept-profile'] = schema.name;
	let common: Map<string, Answering> | undefined;
	let matched = 0;
	const answeredRoles = new Set<string>();
	for (let round = 0; round < rounds && matched < roundsNeeded; round++) {
		const [started] = await session.read<{at: string}>(clockSql, []);
		const answer = await send(target, `/${encodeURIComponent(table.name)}?select=${column}&limit=0`, {
			headers,
		}).catch(() => undefined);
		const [ended] = await session.read<{at: string}>(clockSql, []);
		const error = answer && postgrestError(answer);
		if (!answer || !(error?.code === '42703' && error.message.includes(column))) {
			const said = answer ? `${answer.status}${error ? ` ${error.code}` : ''}` : 'nothing';
			return {
				confirmed: false,
				reason: `PostgREST answered ${said} instead of passing the doctor's request to its database`,
			};
		}
		const answering = await session.read<Answering>(answeringSql, [started!.at, ended!.at]);
		if (answering.length === 0) continue;
		matched++;
		for (const row of answering) answeredRoles.add(row.user);
		const seen = new Map(answering.map(row => [identityKey(row), row]));
		common = common ? new Map([...common].filter(([key]) => seen.has(key))) : seen;
	}
	if (!common || matched < roundsNeeded) {
		return {
			confirmed: false,
			reason:
				"no session on this server ran the doctor's request to PostgREST: PostgREST most likely uses " +
				'a database on another server (or its connections were too busy to tell)',
			answeredRoles: [...answeredRoles],
		};
	}
	const found = [...common.values()];
	if (found.length !== 1) {
		const who =
			found.length === 0
				? "different sessions ran the doctor's requests each time"
				: `sessions of ${found.map(row => `${row.user} in ${row.database}`).join(', ')} all ran them`;
		return {
			confirmed: false,
			reason: `${who}, so none can be told to be PostgREST's`,
			answeredRoles: [...answeredRoles],
		};
	}
	return {confirmed: true, ...found[0]!};
}

function identityKey(row: Answering): string {
	return [row.user, row.database, row.applicationName].join('\u0000');
}
