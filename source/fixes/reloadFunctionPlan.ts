// The reload function's plan as far as it is known without the database: who may call it, where it lives, who must
// never. Pure, so the fix catalog's previews and `sql reload-function` need no connection code; reloadFunction.ts
// installs it.
import type {Channel} from '../sql/channel.js';
import {defaultReloadIntervalSeconds, type ReloadFunctionPlan, reloadFunctionSchema} from '../sql/reloadFunctionSql.js';
import type {SqlName} from '../sql/sqlName.js';

/** Who may call the function and where it lives; unset, the schema is pgrst_doctor_reload and the role service_role. */
export type ReloadFunctionOptions = {schema?: SqlName; roles?: SqlName[]; anonRole?: string};

/** The role Supabase's secret and service_role keys run as: the default caller when it exists. */
export const defaultCallerRole = 'service_role' as SqlName;

/** The plan as far as it is known without the database: for previews and `sql reload-function`. */
export function reloadFunctionPlan(context: {
	channel: Channel;
	reloadFunction?: ReloadFunctionOptions;
}): ReloadFunctionPlan {
	const options = context.reloadFunction ?? {};
	return {
		schema: options.schema ?? reloadFunctionSchema,
		roles: options.roles?.length ? options.roles : [defaultCallerRole],
		channel: context.channel,
		intervalSeconds: defaultReloadIntervalSeconds,
		forbidden: forbiddenRoles(options).filter(role => role !== 'public'),
	};
}

/** Roles that must never reload: PUBLIC, anon and PostgREST's configured anonymous role. */
export function forbiddenRoles(options: ReloadFunctionOptions | undefined): string[] {
	return [...new Set(['public', 'anon', ...(options?.anonRole ? [options.anonRole] : [])])];
}
