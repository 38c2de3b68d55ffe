// `pgrst-doctor sql reload|trigger|uninstall|reload-function|uninstall-reload-function`: ready-to-paste SQL, no connection needed.
import {installTriggerSql, reloadScript, uninstallTriggerSql} from '../sql/triggerSql.js';
import {installReloadFunctionSql, uninstallReloadFunctionSql} from '../sql/reloadFunctionSql.js';
import {type ReloadFunctionOptions, reloadFunctionPlan} from '../fixes/reloadFunctionPlan.js';
import type {Output} from '../report/output.js';
import type {Channel} from '../sql/channel.js';

type ScriptOptions = {channel: Channel; reloadFunction?: ReloadFunctionOptions};

export const sqlScripts = {
	reload: ({channel}: ScriptOptions) => reloadScript(channel),
	trigger: ({channel}: ScriptOptions) => installTriggerSql(channel),
	uninstall: () => uninstallTriggerSql(),
	'reload-function': (options: ScriptOptions) => installReloadFunctionSql(reloadFunctionPlan(options)),
	'uninstall-reload-function': (options: ScriptOptions) =>
		uninstallReloadFunctionSql(reloadFunctionPlan(options).schema),
} as const;

export function sqlCommand(script: keyof typeof sqlScripts, options: ScriptOptions, output: Output): number {
	output.write(sqlScripts[script](options));
	return 0;
}
