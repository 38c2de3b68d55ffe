// Can PostgREST hear NOTIFY? Real PostgREST 12.0.2 and 11.2.2 directly, behind real PgBouncer 1.x (Debian) in transaction and
// session mode, on another channel, with the channel disabled, on another database, and stopped.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {checkStatus, findingRows, runCli, type JsonDocument} from './support/cli.js';
import {useStack} from './support/e2e.js';
import {appSchema, docsTriggers, type Scenario} from './support/scenario.js';
import {authenticatorPassword, postgrestVersions, startPgbouncer, startPostgrest} from './support/stack.js';

const stack = useStack();

const probe = async (item: Pick<Scenario, 'dbUrl'> & {api: {url: string}}, ...extra: string[]) =>
	runCli([
		'check',
		'--db-url',
		item.dbUrl,
		'--api-url',
		item.api.url,
		'--json',
		'--probe',
		'--timeout',
		'3',
		...extra,
	]);

const finding = (json: JsonDocument, code: string) =>
	json.findings.find((found: {code: string}) => found.code === code);

for (const version of postgrestVersions) {
	test(`PostgREST ${version}: direct connection: the probe sees PostgREST reload and reports the latency`, async () => {
		const item = await stack.setUp(appSchema, {version});
		const {code, json} = await probe(item);
		assert.equal(checkStatus(json, 'notify.delivery'), 'pass');
		assert.match(
			finding(json, 'notify.delivered').message,
			/PostgREST reloaded \d+ ms after NOTIFY pgrst, 'reload schema';/
		);
		assert.equal(finding(json, 'notify.delivered').severity, 'info');
		assert.equal(code, 0);
		const passive = await runCli(['check', '--db-url', item.dbUrl, '--api-url', item.api.url, '--json']);
		assert.equal(checkStatus(passive.json, 'notify.delivery'), 'skip', 'no NOTIFY without --probe');
	});

	for (const mode of ['transaction', 'session'] as const) {
		test(`PostgREST ${version}: behind PgBouncer in ${mode} mode`, async () => {
			const item = await stack.setUp(appSchema, {version});
			await item.api.stop();
			const bouncer = await startPgbouncer(stack.pg, mode);
			const api = await startPostgrest({
				dbUri: bouncer.url(item.name, 'authenticator', authenticatorPassword),
				preparedStatements: false,
				version,
			});
			try {
				await item.query('alter table public.organizations add column created_by text');
				const {json} = await probe({dbUrl: item.dbUrl, api});
				if (mode === 'transaction') {
					assert.ok(findingRows(json).includes('notify.undelivered'));
					assert.ok(findingRows(json).includes('listener.pooled'), findingRows(json).join(', '));
					assert.match(
						finding(json, 'notify.undelivered').message,
						/PostgREST connects through a transaction-mode pooler/
					);
					assert.match(finding(json, 'listener.pooled').suggestion, /direct or session-mode connection/);
					assert.equal(json.exitCode, 1);
				} else {
					assert.equal(checkStatus(json, 'notify.delivery'), 'pass', findingRows(json).join(', '));
					assert.ok(findingRows(json).includes('notify.delivered'));
					assert.ok(!findingRows(json).includes('listener.pooled'));
					const healed = await runCli(['check', '--db-url', item.dbUrl, '--api-url', api.url, '--json']);
					assert.ok(
						!findingRows(healed.json).some(row => row.startsWith('cache.')),
						"the probe's reload healed the stale column"
					);
				}
			} finally {
				await api.stop();
				await bouncer.stop();
			}
		});
	}

	test(`PostgREST ${version}: PostgREST on another channel than the trigger notifies`, async () => {
		const item = await stack.setUp(`${appSchema}${docsTriggers}`, {channel: 'app_reload', version});
		const {json} = await probe(item);
		assert.ok(findingRows(json).includes('listener.channel_mismatch'));
		assert.match(finding(json, 'listener.channel_mismatch').message, /"app_reload", not on "pgrst"/);
		assert.ok(findingRows(json).includes('notify.undelivered'));
		const aligned = await probe(item, '--channel', 'app_reload');
		assert.equal(checkStatus(aligned.json, 'notify.delivery'), 'pass');
		assert.match(
			finding(aligned.json, 'listener.channel_mismatch').message,
			/trigger notifies "pgrst" but PostgREST listens on "app_reload"/
		);
	});

	test(`PostgREST ${version}: PostgREST with the channel disabled`, async () => {
		const item = await stack.setUp(appSchema, {channelEnabled: false, version});
		const {json} = await probe(item);
		assert.ok(findingRows(json).includes('listener.channel_disabled'));
		assert.match(
			finding(json, 'notify.undelivered').message,
			/Most likely one of these.*PostgREST is connected to \w+ but listens on no channel/
		);
		assert.match(finding(json, 'listener.channel_disabled').suggestion, /db-channel-enabled=true/);
	});
}

test('PostgREST on another database, and PostgREST stopped', async () => {
	const other = await stack.setUp();
	const item = await stack.setUp(appSchema, {apiDatabase: other.name});
	const elsewhere = await probe(item);
	assert.ok(findingRows(elsewhere.json).includes('api.other_database'));
	assert.ok(findingRows(elsewhere.json).includes('notify.undelivered'));

	await Promise.all([other.api.stop(), item.api.stop()]);
	const stopped = await runCli([
		'check',
		'--db-url',
		other.dbUrl,
		'--api-url',
		other.api.url,
		'--json',
		'--probe',
		'--timeout',
		'2',
	]);
	assert.ok(findingRows(stopped.json).includes('api.unreachable'));
	assert.ok(findingRows(stopped.json).includes('notify.undelivered'));
	assert.equal(stopped.code, 2);
});
