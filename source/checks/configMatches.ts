// What PostgREST's config, as found in the environment or the files here, says against what the running server does.
// Each comparison is a claim only when both sides were read: the setting was found, and the server answered (its
// confirmed listener session for the channel, its PGRST106 answer for the schemas). Otherwise it is not compared.
import {type Finding, finding} from '../findings.js';
import {type Check, outcomeOf} from './check.js';
import {listenerEvidence} from './listenerEvidence.js';

/** A setting from the environment or a file: --channel and --schemas are what the user asked for, not PostgREST's config. */
const fromConfig = (from: string | undefined) => from !== undefined && !from.startsWith('--');

const sameList = (a: readonly string[], b: readonly string[]) =>
	a.length === b.length && a.every((name, index) => name === b[index]);

export const configListener: Check = {
	id: 'config.listener',
	title: "PostgREST's config lets it listen for reloads",
	dependsOn: [],
	appliesTo: facts => facts.settings?.channelEnabled?.value === false,
	run(facts) {
		const {from} = facts.settings!.channelEnabled!;
		if (facts.database) {
			const evidence = listenerEvidence(facts);
			const heard = [...evidence.onChannel.map(listener => listener.channel), ...evidence.otherChannels];
			if (evidence.confirmed && heard.length > 0) {
				return {
					status: 'warn',
					summary: 'The config turns the listener off, but the running PostgREST listens',
					findings: [
						finding(
							'config.channel_mismatch',
							{from, heard: heard[0]!, database: evidence.database},
							{
								suggestion:
									'Make the file and the server agree: restart PostgREST with the file, or remove db-channel-enabled ' +
									'= false from it.',
							}
						),
					],
				};
			}
		}
		return {
			status: 'fail',
			summary: "PostgREST's config turns the listener off",
			findings: [
				finding(
					'config.listener_disabled',
					{from},
					{
						suggestion:
							'Set db-channel-enabled = true (PGRST_DB_CHANNEL_ENABLED=true) and restart PostgREST; or, when ' +
							'the listener must stay off (a transaction pooler), reload after every migration with SIGUSR1 ' +
							'(kill -USR1 <pid>) or pgrst-doctor wait.',
					}
				),
			],
		};
	},
};

export const configServer: Check = {
	id: 'config.server',
	title: "PostgREST's config matches the running server",
	dependsOn: [],
	appliesTo: facts => fromConfig(facts.settings?.channel?.from) || fromConfig(facts.settings?.schemas?.from),
	run(facts) {
		const findings: Finding[] = [];
		const compared: string[] = [];
		const unread: string[] = [];
		const channel = facts.settings?.channel;
		if (facts.channelFollowed) {
			const configured = facts.channelFollowed;
			findings.push(
				finding(
					'config.channel_mismatch',
					{from: configured.from, configured: configured.value, heard: facts.channel},
					{
						suggestion:
							`Make them agree: restart PostgREST so that it reads db-channel = "${configured.value}" (then ` +
							`run pgrst-doctor check --fix trigger, which installs the trigger for it), or set db-channel ` +
							`= "${facts.channel}" in the file.`,
					}
				)
			);
		} else if (fromConfig(channel?.from)) {
			const evidence = facts.database ? listenerEvidence(facts) : undefined;
			if (evidence?.confirmed && evidence.onChannel.length > 0)
				compared.push(`db-channel "${channel!.value}" is the channel PostgREST listens on`);
			else unread.push('db-channel (no confirmed PostgREST listener was seen)');
		}
		const schemas = facts.settings?.schemas;
		if (fromConfig(schemas?.from)) {
			const exposed = facts.api?.exposedSchemas;
			if (!exposed?.length) {
				unread.push('db-schemas (PostgREST did not say which schemas it exposes)');
			} else if (sameList(exposed, schemas!.value)) {
				compared.push('db-schemas matches the schemas PostgREST exposes');
			} else {
				findings.push(
					finding(
						'config.schemas_mismatch',
						{
							from: schemas!.from,
							configured: schemas!.value,
							exposed,
							override: overriddenInDatabase(facts),
						},
						{
							suggestion:
								"Make them agree: fix db-schemas in the file, or reload PostgREST's config (NOTIFY pgrst, 'reload " +
								"config', or SIGUSR2) so that it reads the file; the doctor compares the schemas PostgREST exposes.",
						}
					)
				);
			}
		}
		if (findings.length === 0 && compared.length === 0) {
			return {status: 'skip', summary: `Not compared: ${unread.join('; ')}`};
		}
		const notCompared = unread.length > 0 ? `; not compared: ${unread.join('; ')}` : '';
		return outcomeOf(
			findings,
			`${compared.join('; ')}${notCompared}`,
			"PostgREST's config found here differs from what the running server does"
		);
	},
};

/** An in-database pgrst.db_schemas setting overrides the file: say so when one is set for a role. */
function overriddenInDatabase(facts: Parameters<Check['run']>[0]): string {
	const setting = facts.database?.roleSettings.find(
		row => row.role && row.settings.some(entry => entry.startsWith('pgrst.db_schemas='))
	);
	return setting
		? ` (role ${setting.role} has an in-database pgrst.db_schemas setting, which overrides the file)`
		: '';
}
