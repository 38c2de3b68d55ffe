// Re-records test/fixtures/pasted-<client>-<major>.json: `npx tsx test/support/recordPasted.ts`. Each error of
// test/support/clientErrors.ts, produced live by the real client against the real PostgREST (every binary installed:
// 12.0.2 and 11.2.2), in the three forms developers paste. Entries name the request and the PostgREST version.
import {writeFileSync} from 'node:fs';
import {
	afterStart,
	type ClientError,
	clientErrors,
	type ClientName,
	clientVersions,
	pastedSchema,
} from './clientErrors.js';
import {scenario} from './scenario.js';
import {postgrestVersions, startPostgres} from './stack.js';

export type PastedFixture = ClientError & {postgrestVersion: string};

const recorded: PastedFixture[] = [];
const pg = await startPostgres();
try {
	for (const version of postgrestVersions) {
		const item = await scenario(pg, pastedSchema, {version, schemas: 'public,api'});
		try {
			await item.query(afterStart);
			for (const error of await clientErrors(item)) recorded.push({postgrestVersion: version, ...error});
		} finally {
			await item.stop();
		}
	}
} finally {
	await pg.stop();
}
for (const client of Object.keys(clientVersions) as ClientName[]) {
	const major = clientVersions[client].split('.')[0];
	const entries = recorded.filter(entry => entry.client === client);
	writeFileSync(
		new URL(`../fixtures/pasted-${client}-${major}.json`, import.meta.url),
		JSON.stringify(entries, null, 1) + '\n'
	);
}
