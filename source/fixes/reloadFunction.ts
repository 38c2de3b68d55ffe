// Installs and removes the reload function (source/sql/reloadFunctionSql.ts), and proves what it installed: run as
// its owner with search_path pinned, executable by exactly the roles named and by no role that must not reload.
import {quoteIdentifier} from '../sql/quoteIdentifier.js';
import {reloadSql} from '../sql/reloadSql.js';
import {
	installReloadFunctionBody,
	reloadFunctionIdentifier,
	reloadFunctionName,
	type ReloadFunctionState,
	reloadFunctionStateSql,
	uninstallReloadFunctionBody,
} from '../sql/reloadFunctionSql.js';
import type {SqlName} from '../sql/sqlName.js';
import {deadlineSignal, type FixContext, type FixResult} from './applyFixes.js';
import {withClient} from '../probes/session.js';
import {
	defaultCallerRole,
	forbiddenRoles,
	type ReloadFunctionOptions,
	reloadFunctionPlan,
} from './reloadFunctionPlan.js';
import {runInTransaction} from './writeSession.js';

export type {ReloadFunctionOptions} from './reloadFunctionPlan.js';

type Outcome = Omit<FixResult, 'id' | 'durationMs'>;

const roleExistsSql = 'select exists (select from pg_catalog.pg_roles where rolname = $1) as "exists"';

export async function installReloadFunction(
	context: FixContext & {reloadFunction?: ReloadFunctionOptions}
): Promise<Outcome> {
	const plan = reloadFunctionPlan(context);
	const forbidden = forbiddenRoles(context.reloadFunction);
	const refused = plan.roles.filter(role => forbidden.includes(role));
	if (refused.length > 0) {
		return {
			ok: false,
			verified: false,
			message:
				`Nothing was installed: ${refused.map(role => quoteIdentifier(role)).join(', ')} is the anonymous ` +
				`role (or everyone), and whoever can call the function can make PostgREST reload. Name the ` +
				`role your server-side key runs as with --role.`,
		};
	}
	if (!context.reloadFunction?.roles?.length) {
		const exists = await withClient(
			context,
			async client =>
				(await client.query<{exists: boolean}>(roleExistsSql, [defaultCallerRole])).rows[0]?.exists === true
		);
		if (!exists)
			return {
				ok: false,
				verified: false,
				message:
					`Nothing was installed: no role was named and this database has no ${defaultCallerRole} role. ` +
					`Name the role your server-side key runs as with --role <role>; never the anonymous role.`,
			};
	}
	try {
		await runInTransaction(context, installReloadFunctionBody(plan));
	} catch (error) {
		const {message} = error as {message?: string};
		return {ok: false, verified: false, message: `Nothing was installed: ${message ?? String(error)}`};
	}
	const [state] = await withClient(context, async client => {
		const rows = (
			await client.query<ReloadFunctionState>(reloadFunctionStateSql, [plan.schema, plan.roles, forbidden])
		).rows;
		// The function is new: PostgREST caches it only after a reload.
		await client.query(reloadSql(context.channel));
		return rows;
	});
	const name = `${reloadFunctionIdentifier(plan.schema)}()`;
	const problems = state ? stateProblems(state, plan.roles) : ['it is not there after the install'];
	if (problems.length > 0)
		return {ok: false, verified: false, message: `Installed ${name}, but ${problems.join('; ')}`};
	const reach = exposure(plan.schema, context.before.schemas, name);
	const executors = state!.executors.map(role => quoteIdentifier(role)).join(', ');
	const exposed =
		context.apiUrl !== undefined &&
		context.before.schemas.source !== 'default' &&
		context.before.schemas.names.includes(plan.schema);
	const anonymous = exposed ? await anonymousCall(context.apiUrl!, plan.schema, context) : undefined;
	if (anonymous?.executed) {
		try {
			await runInTransaction(context, uninstallReloadFunctionBody(plan.schema));
		} catch (error) {
			const {message} = error as {message?: string};
			return {
				ok: false,
				verified: false,
				message:
					`Installed ${name}, but an anonymous call through PostgREST ran it (${anonymous.answer}), and ` +
					`removing it failed: ${message ?? String(error)}. ` +
					'Remove it now: pgrst-doctor check --fix uninstall-reload-function --yes',
			};
		}
		return {
			ok: false,
			verified: false,
			message:
				`Nothing was kept: an anonymous call through PostgREST ran ${name} (${anonymous.answer}), so ` +
				`PostgREST's anonymous role may execute it; it was removed again. Name a role the anonymous ` +
				`role is not, nor a member of, with --role.`,
		};
	}
	const checked = `checked in the catalog: not by ${forbidden.map(role => quoteIdentifier(role)).join(', ')}`;
	const anonRole =
		context.reloadFunction?.anonRole === undefined
			? `; PostgREST's anonymous role (db-anon-role) is not known, so only anon and PUBLIC were checked`
			: '';
	const proof =
		anonymous === undefined
			? `${checked}${anonRole}`
			: anonymous.refused
				? `${checked}; an anonymous call through PostgREST was refused (${anonymous.answer})`
				: `${checked}${anonRole}; an anonymous call through PostgREST proved nothing (${anonymous.answer})`;
	// Proved only when the anonymous role itself was checked: by name in the catalog, or by calling as it.
	const verified = anonymous ? anonymous.refused : context.reloadFunction?.anonRole !== undefined;
	return {
		ok: true,
		verified,
		message:
			`Installed ${name}: SECURITY DEFINER with search_path pinned, executable by ${executors} and ` +
			`superusers, as the catalog says (${proof}), at most one NOTIFY per ${plan.intervalSeconds} s; ${reach}`,
	};
}

type AnonymousAnswer = {executed: boolean; refused: boolean; answer: string};

/**
 * Calls the function through PostgREST with no key at all, as anyone on the internet could, until PostgREST's cache
 * has it (it was new: the reload was asked for above) or the deadline passes. PostgREST refuses with 42501 (the
 * anonymous role may not execute it) or PGRST302 (no anonymous access); anything else proves nothing.
 */
async function anonymousCall(apiUrl: string, schema: SqlName, context: FixContext): Promise<AnonymousAnswer> {
	const signal = deadlineSignal(context.timeoutMs, context.signal);
	for (;;) {
		let status: number;
		let code: string | undefined;
		try {
			const response = await fetch(`${apiUrl.replace(/\/+$/, '')}/rpc/${reloadFunctionName}`, {
				method: 'POST',
				headers: {'content-type': 'application/json', 'content-profile': schema},
				body: '{}',
				signal,
				redirect: 'manual',
			});
			status = response.status;
			code = ((await response.json().catch(() => undefined)) as {code?: unknown} | undefined)?.code as
				string | undefined;
		} catch {
			return {executed: false, refused: false, answer: `no answer within ${context.timeoutMs} ms`};
		}
		const answer = `HTTP ${status}${typeof code === 'string' ? ` ${code}` : ''}`;
		if (status >= 200 && status < 300) return {executed: true, refused: false, answer};
		if ((status === 401 || status === 403) && (code === '42501' || code === 'PGRST302'))
			return {executed: false, refused: true, answer};
		if (status !== 404 || code !== 'PGRST202') return {executed: false, refused: false, answer};
		if (signal.aborted)
			return {
				executed: false,
				refused: false,
				answer: `${answer} until the deadline: PostgREST did not load the function`,
			};
		await new Promise(resolve => setTimeout(resolve, 200));
	}
}

/** Whether apps can reach the function, as far as this diagnosis knows which schemas PostgREST exposes. */
function exposure(schema: SqlName, schemas: {names: string[]; source: string}, name: string): string {
	const call = `a server-side client calls it with .schema('${schema}').rpc('${name.replace(/^.*\.|\(\)$/g, '')}')`;
	if (schemas.source === 'default')
		return (
			`whether PostgREST exposes ${quoteIdentifier(schema)} is not known (PostgREST was not asked: ` +
			`pass --api-url); once it does, ${call}`
		);
	if (schemas.names.includes(schema))
		return `PostgREST exposes ${quoteIdentifier(schema)} (${schemas.source}): ${call}`;
	return (
		`PostgREST does not expose ${quoteIdentifier(schema)} (${schemas.source}), so no app can call ` +
		`it through the API until you add it to db-schemas (Supabase: Data API settings → Exposed schemas)`
	);
}

function stateProblems(state: ReloadFunctionState, roles: string[]): string[] {
	return [
		...(state.securityDefiner ? [] : ['it is not SECURITY DEFINER']),
		...(state.pinnedPath ? [] : ['its search_path is not pinned']),
		...(state.publicExecutes ? ['PUBLIC may execute it'] : []),
		...(state.forbiddenAllowed.length > 0 ? [`${state.forbiddenAllowed.join(', ')} may execute it`] : []),
		...roles.filter(role => !state.allowed.includes(role)).map(role => `${role} may not execute it`),
	];
}

const leftSql = `
select (select pg_catalog.count(*) from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
        where n.nspname = $1 and p.proname = 'reload_schema_cache' and p.pronargs = 0
          and pg_catalog.obj_description(p.oid, 'pg_proc') like 'Installed by pgrst-doctor (reload function)%')::int as functions`;

export async function uninstallReloadFunction(
	context: FixContext & {reloadFunction?: ReloadFunctionOptions}
): Promise<Outcome> {
	const {schema} = reloadFunctionPlan(context);
	try {
		await runInTransaction(context, uninstallReloadFunctionBody(schema));
	} catch (error) {
		const {message} = error as {message?: string};
		return {ok: false, verified: false, message: `Nothing was removed: ${message ?? String(error)}`};
	}
	const left = await withClient(
		context,
		async client => (await client.query<{functions: number}>(leftSql, [schema])).rows[0]!.functions
	);
	return left === 0
		? {
				ok: true,
				verified: true,
				message:
					`Removed pgrst-doctor's ${reloadFunctionIdentifier(schema)}() and its state (objects of the ` +
					`same names that it did not create are never touched)`,
			}
		: {ok: false, verified: false, message: `pgrst-doctor's ${reloadFunctionIdentifier(schema)}() is still there`};
}
