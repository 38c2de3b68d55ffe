// Fixes are data: what they do, the exact SQL or steps, whether they write, and which checks prove them.
import type {Finding, FixId} from '../findings.js';
import type {Channel} from '../sql/channel.js';
import {reloadSql} from '../sql/reloadSql.js';
import {installReloadFunctionSql, uninstallReloadFunctionSql} from '../sql/reloadFunctionSql.js';
import {installTriggerSql, uninstallTriggerSql} from '../sql/triggerSql.js';
import {manualReloadSteps} from './manualReload.js';
import {type ReloadFunctionOptions, reloadFunctionPlan} from './reloadFunctionPlan.js';

export type {FixId} from '../findings.js';
export type Fix = {
	id: FixId;
	kind: 'sql' | 'reload' | 'signal' | 'manual';
	title: string;
	preview: string;
	writes: boolean;
	proves: string[];
};

export const cacheCheckIds = ['cache.tables', 'cache.columns', 'cache.functions', 'cache.relationships'];

export function fixCatalog(
	channel: Channel,
	apiUrl?: string,
	databaseUrl?: string,
	reloadFunction?: ReloadFunctionOptions
): Record<FixId, Fix> {
	const plan = reloadFunctionPlan({channel, reloadFunction});
	return {
		reload: {
			id: 'reload',
			kind: 'reload',
			title: "Reload PostgREST's schema cache now",
			preview:
				`${reloadSql(channel)}\n-- if PostgREST does not reload: select pg_catalog.pg_notification_queue_usage(); ` +
				`and NOTIFY again, then SIGUSR1 to a PostgREST on this machine`,
			writes: false,
			proves: cacheCheckIds,
		},
		trigger: {
			id: 'trigger',
			kind: 'sql',
			title: 'Install the auto-reload event trigger',
			preview: installTriggerSql(channel),
			writes: true,
			proves: ['trigger.installed'],
		},
		'uninstall-trigger': {
			id: 'uninstall-trigger',
			kind: 'sql',
			title: 'Remove the trigger pgrst-doctor installed',
			preview: uninstallTriggerSql(),
			writes: true,
			proves: ['trigger.installed'],
		},
		'reload-function': {
			id: 'reload-function',
			kind: 'sql',
			title: 'Install the reload function apps may call through PostgREST',
			preview: installReloadFunctionSql(plan),
			writes: true,
			proves: [],
		},
		'uninstall-reload-function': {
			id: 'uninstall-reload-function',
			kind: 'sql',
			title: 'Remove the reload function pgrst-doctor installed',
			preview: uninstallReloadFunctionSql(plan.schema),
			writes: true,
			proves: [],
		},
		'manual-reload': {
			id: 'manual-reload',
			kind: 'manual',
			title: 'Reload by hand',
			preview: manualReloadSteps(channel, apiUrl, databaseUrl).join('\n'),
			writes: false,
			proves: cacheCheckIds,
		},
	};
}

/** The fixes the findings point at; a reload always comes with the way to do it by hand. */
export function fixesFor(findings: readonly Finding[], catalog: Record<FixId, Fix>): Fix[] {
	return [...fixIdsFor(findings)].filter(id => id in catalog).map(id => catalog[id]);
}

/** The ids of the fixes the findings point at, `manual-reload` with every `reload`. */
export function fixIdsFor(findings: readonly Finding[]): Set<FixId> {
	const ids = new Set(findings.flatMap(found => found.fixes ?? []));
	if (ids.has('reload')) ids.add('manual-reload');
	return ids;
}
