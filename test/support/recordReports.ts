// Records test/fixtures/report-healthy-<version>.json from the real servers, the way report-stale and
// report-reloaded were made: `check --json` (the built CLI, so run `npx tsc -p tsconfig.json` first) on the tests'
// app schema, here after `check --fix trigger --yes` installed the auto-reload trigger, so that nothing is found.
// `npx tsx test/support/recordReports.ts`; <version> is the PostgREST binary's version (12.0.2 by default).
import {writeFileSync} from 'node:fs';
import {runCli} from './cli.js';
import {checkJson} from './e2e.js';
import {scenario} from './scenario.js';
import {type PostgrestVersion, startPostgres} from './stack.js';

const version: PostgrestVersion = '12.0.2';
const db = await startPostgres();
try {
	const item = await scenario(db, undefined, {version});
	try {
		const target = ['--db-url', item.dbUrl, '--api-url', item.api.url];
		const installed = await runCli(['check', ...target, '--fix', 'trigger', '--yes']);
		if (installed.code !== 0) {
			throw new Error(`the trigger was not installed:\n${installed.stdout}${installed.stderr}`);
		}
		const healthy = await checkJson(item);
		if (healthy.code !== 0 || healthy.json.findings.length > 0) throw new Error(`not healthy:\n${healthy.stdout}`);
		writeFileSync(new URL(`../fixtures/report-healthy-${version}.json`, import.meta.url), healthy.stdout);
	} finally {
		await item.stop();
	}
} finally {
	await db.stop();
}
