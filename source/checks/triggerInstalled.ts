// Is there an event trigger that makes PostgREST reload after DDL, and will it fire?
import {type Finding, finding} from '../findings.js';
import type {EventTrigger, RoleSetting, ServerFacts} from '../probes/database.js';
import {quoteIdentifier} from '../sql/quoteIdentifier.js';
import type {Channel} from '../sql/channel.js';
import {reloadSql} from '../sql/reloadSql.js';
import {type Check, outcomeOf} from './check.js';
import {notificationsIn, payloadEffect} from './notifications.js';

type Classified = EventTrigger & {reloads: boolean; problems: string[]};

export const triggerInstalled: Check = {
	id: 'trigger.installed',
	title: 'Auto-reload event trigger',
	dependsOn: ['database.connect'],
	run({database, channel}) {
		const triggers = database!.eventTriggers.map(trigger => classify(trigger, channel));
		const reloading = triggers.filter(trigger => trigger.reloads);
		const findings: Finding[] = [];
		for (const trigger of triggers.filter(trigger => !trigger.reloads && trigger.problems.length > 0)) {
			findings.push(
				finding(
					'trigger.incomplete',
					{situation: 'no reload', trigger: trigger.name, problems: trigger.problems},
					{...functionOf(trigger), fixes: ['trigger'], suggestion: `Make it run ${reloadSql(channel)}`}
				)
			);
		}
		if (reloading.length === 0) {
			if (findings.length === 0) {
				findings.push(
					finding(
						'trigger.missing',
						{reload: reloadSql(channel)},
						{
							fixes: ['trigger'],
							suggestion:
								'Install the auto-reload trigger (PostgREST docs, "Automatic Schema Cache Reloading"), or reload ' +
								'after every migration.',
						}
					)
				);
			}
			return outcomeOf(findings, '', 'No event trigger reloads PostgREST after DDL');
		}
		const firing = reloading.filter(trigger => isFiring(trigger));
		for (const trigger of reloading.filter(trigger => !isFiring(trigger))) {
			if (firing.some(other => other.event === trigger.event)) continue;
			const state = trigger.enabled === 'D' ? 'disabled' : 'enabled only for replica sessions (ENABLE REPLICA)';
			findings.push(
				finding(
					'trigger.disabled',
					{trigger: trigger.name, event: trigger.event, state},
					{...functionOf(trigger), fixes: ['trigger'], suggestion: enableAdvice(trigger, database!.server)}
				)
			);
		}
		for (const trigger of firing) {
			for (const problem of trigger.problems) {
				findings.push(
					finding(
						'trigger.incomplete',
						{situation: 'problem', trigger: trigger.name, problem},
						{...functionOf(trigger), fixes: ['trigger']}
					)
				);
			}
		}
		if (firing.length > 0)
			findings.push(...coverageGaps(firing, channel), ...bypasses(firing, database!.roleSettings));
		const names = reloading.map(trigger => `${trigger.name} (${trigger.event})`).join(', ');
		return outcomeOf(
			findings,
			`${names} ${reloading.length === 1 ? 'sends' : 'send'} ${reloadSql(channel)}`,
			`Auto-reload trigger has problems: ${names}`
		);
	},
};

/** The statement that enables it, and who may run it when the doctor's role may not (Supabase's belong to supabase_admin). */
function enableAdvice(trigger: EventTrigger, server: ServerFacts): string {
	const enable = `ALTER EVENT TRIGGER ${quoteIdentifier(trigger.name)} ENABLE;`;
	if (server.superuser || trigger.owner === server.user) return enable;
	return `As its owner ${trigger.owner} or another superuser (role ${server.user} may not alter it): ${enable}`;
}

function functionOf(trigger: EventTrigger): {schema: string; function: string} {
	return {schema: trigger.functionSchema, function: trigger.functionName};
}

function isFiring(trigger: EventTrigger): boolean {
	return trigger.enabled === 'O' || trigger.enabled === 'A';
}

/** Does the trigger's function notify the channel with a payload PostgREST acts on, and what stops it? */
function classify(trigger: EventTrigger, channel: string): Classified {
	const notifications = notificationsIn(trigger.source);
	const lowerCaseTags = comparesLowerCaseTags(trigger.source);
	const reloads =
		!lowerCaseTags &&
		notifications.some(
			notification =>
				(notification.channel === channel || notification.channel === null) &&
				['reload schema', 'unknown'].includes(payloadEffect(notification.payload))
		);
	const problems: string[] = [];
	if (lowerCaseTags && notifications.length > 0) {
		problems.push(
			'its function compares command_tag with lower-case tags, but PostgreSQL reports them in upper case, so it never notifies'
		);
	}
	for (const notification of reloads ? [] : notifications) {
		if (notification.channel !== null && notification.channel !== channel) {
			problems.push(`it notifies channel "${notification.channel}" but PostgREST listens on "${channel}"`);
		} else if (payloadEffect(notification.payload) === 'reload config') {
			problems.push(`its payload 'reload config' reloads only the configuration, not the schema cache`);
		} else if (payloadEffect(notification.payload) === 'ignored') {
			problems.push(
				`PostgREST ignores the payload '${notification.payload}' (only '' and 'reload schema' reload the cache)`
			);
		}
	}
	if (
		reloads &&
		trigger.tags.length > 0 &&
		trigger.event === 'ddl_command_end' &&
		!trigger.tags.includes('ALTER TABLE')
	) {
		problems.push(`its WHEN TAG IN list (${trigger.tags.join(', ')}) leaves out ALTER TABLE`);
	}
	return {...trigger, reloads, problems};
}

function comparesLowerCaseTags(source: string): boolean {
	if (!/command_tag/i.test(source)) return false;
	const tags = [...source.matchAll(/'((?:create|alter|drop|comment|select)\b[^']*)'/gi)].map(match => match[1]!);
	return tags.length > 0 && tags.every(tag => tag === tag.toLowerCase());
}

/** A ddl_command_end function that filters pg_event_trigger_ddl_commands() sees no DROP: it needs a sql_drop partner. */
function coverageGaps(firing: Classified[], channel: Channel): Finding[] {
	const ddl = firing.filter(trigger => trigger.event === 'ddl_command_end');
	const drop = firing.filter(trigger => trigger.event === 'sql_drop');
	if (ddl.length === 0) {
		return [
			finding(
				'trigger.incomplete',
				{situation: 'no ddl_command_end'},
				{fixes: ['trigger'], suggestion: `Add a ddl_command_end event trigger that runs ${reloadSql(channel)}`}
			),
		];
	}
	if (drop.length === 0 && ddl.every(trigger => /pg_event_trigger_ddl_commands/i.test(trigger.source))) {
		return [
			finding(
				'trigger.incomplete',
				{situation: 'no sql_drop', triggers: ddl.map(trigger => trigger.name)},
				{fixes: ['trigger'], suggestion: "Add the sql_drop partner from PostgREST's docs (pgrst_drop_watch)."}
			),
		];
	}
	return [];
}

/** session_replication_role = replica set by ALTER ROLE/DATABASE silences triggers that are not ENABLE ALWAYS. */
function bypasses(firing: Classified[], settings: RoleSetting[]): Finding[] {
	if (firing.every(trigger => trigger.enabled === 'A')) return [];
	return settings
		.filter(setting => setting.settings.some(entry => /^session_replication_role=replica$/i.test(entry)))
		.map(setting => {
			const scope = setting.role
				? `role ${setting.role}${setting.database ? ` in database ${setting.database}` : ''}`
				: `database ${setting.database}`;
			const inDatabase = setting.database ? ` IN DATABASE ${quoteIdentifier(setting.database)}` : '';
			const reset = setting.role
				? `ALTER ROLE ${quoteIdentifier(setting.role)}${inDatabase} RESET session_replication_role;`
				: `ALTER DATABASE ${quoteIdentifier(setting.database ?? '')} RESET session_replication_role;`;
			return finding(
				'trigger.bypassed',
				{scope, triggers: firing.map(trigger => trigger.name)},
				{suggestion: reset}
			);
		});
}
