// `pgrst-doctor sql reload|trigger|uninstall`: ready-to-paste SQL, no connection needed.
import {installTriggerSql, reloadScript, uninstallTriggerSql} from '../sql/triggerSql.js';
import type {Output} from './check.js';
import type {Channel} from '../sql/channel.js';

export const sqlScripts = {reload: reloadScript, trigger: installTriggerSql, uninstall: uninstallTriggerSql} as const;

export function sqlCommand(script: keyof typeof sqlScripts, channel: Channel, output: Output): number {
	output.write(sqlScripts[script](channel));
	return 0;
}
