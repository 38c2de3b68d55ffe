// Several PostgREST instances on one database, the way a cluster runs replicas: three real PostgREST processes, two
// connected directly and one through real PgBouncer in transaction mode (deaf to NOTIFY), and a small real
// round-robin HTTP proxy in front of them. A migration adds a column and sends NOTIFY: two replicas reload, the deaf
// one does not, and one write in three through the proxy fails with PGRST204. The doctor must name the deaf replica,
// notice the intermittent failure through the proxy, and heal all three.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {apiKeySecret, checkStatus, runCli, type JsonDocument} from './support/cli.js';
import {useStack} from './support/e2e.js';
import {type ReplicaBed, replicaBed, writeStatus} from './support/replicaBed.js';
import {appSchema, type Scenario} from './support/scenario.js';
import {freePort, type PostgrestVersion} from './support/stack.js';

const stack = useStack();

type Found = {code: string; instance?: string; message: string; suggestion?: string; table?: string; column?: string};
const findings = (json: JsonDocument, code: string): Found[] =>
	(json.findings as Found[]).filter(found => found.code === code);
const instanceStatuses = (json: JsonDocument, id: string): string[] =>
	(json.instances as Array<{checks: Array<{id: string; status: string}>}>).map(
		instance => instance.checks.find(check => check.id === id)?.status ?? 'absent'
	);

/** The bed after the migration: the column is there, two replicas heard the NOTIFY, the deaf one serves a stale cache. */
async function migratedBed(version: PostgrestVersion = '12.0.2'): Promise<{item: Scenario; bed: ReplicaBed}> {
	const item = await stack.setUp(appSchema);
	const bed = await replicaBed(stack.pg, item, version);
	await item.query("alter table public.organizations add column region text; notify pgrst, 'reload schema'");
	const [a, b] = bed.replicas;
	for (const replica of [a!, b!]) {
		const deadline = Date.now() + 10_000;
		while ((await writeStatus(replica, 'organizations', 'region')) !== 201) {
			assert.ok(Date.now() < deadline, `${replica.url} did not reload after the NOTIFY`);
			await new Promise(resolve => setTimeout(resolve, 50));
		}
	}
	// The control: the deaf replica really is stale, and a client through the proxy fails one write in three.
	assert.equal(
		await writeStatus(bed.deaf, 'organizations', 'region'),
		400,
		'the replica behind the transaction pooler did not hear the NOTIFY'
	);
	const through = [];
	for (let index = 0; index < 3; index++) through.push(await writeStatus(bed.balancer, 'organizations', 'region'));
	assert.deepEqual(through.sort(), [201, 201, 400], 'one write in three through the proxy fails');
	return {item, bed};
}

const apiUrls = (bed: ReplicaBed) => bed.replicas.flatMap(replica => ['--api-url', replica.url]);

for (const version of ['12.0.2', '11.2.2'] as const) {
	describe(`three PostgREST ${version} replicas, each asked at its own address`, () => {
		let item: Scenario;
		let bed: ReplicaBed;
		before(async () => ({item, bed} = await migratedBed(version)));
		after(async () => bed?.stop());

		test('the deaf replica is named: its findings carry its address, the cache checks have a column per instance', async () => {
			const {code, json} = await runCli([
				'check',
				'--db-url',
				item.dbUrl,
				...apiUrls(bed),
				'--json',
				'--timeout',
				'5',
			]);
			assert.equal(code, 1);
			assert.deepEqual(
				json.instances.map((instance: {label: string; api: string}) => [instance.label, instance.api]),
				bed.replicas.map((replica, index) => [`#${index + 1}`, replica.url])
			);
			const missing = findings(json, 'cache.column_missing');
			assert.deepEqual(
				missing.map(found => [found.instance, found.table, found.column]),
				[[bed.deaf.url, 'organizations', 'region']],
				'only the deaf replica misses the column, and the finding names it'
			);
			assert.deepEqual(instanceStatuses(json, 'cache.columns'), ['pass', 'pass', 'fail']);
			assert.equal(checkStatus(json, 'cache.columns'), 'fail', "the report's own status is the worst instance's");
			assert.deepEqual(instanceStatuses(json, 'cache.tables'), ['pass', 'pass', 'pass']);
			assert.equal(
				checkStatus(json, 'api.instances'),
				'pass',
				'the database shows three instances, each reached at its own address'
			);
			assert.equal(json.instancesSeen.length, 3);
			assert.deepEqual(
				json.instancesSeen.map((seen: {reachedBy: string[]}) => seen.reachedBy),
				bed.replicas.map(replica => [replica.url])
			);
			// A finding every instance reported is about the database: it is listed once, without an instance.
			const trigger = findings(json, 'trigger.missing');
			assert.equal(trigger.length, 1);
			assert.equal(trigger[0]!.instance, undefined);
		});

		test('a comma list is the same as repeating --api-url, and the text report shows a column per instance', async () => {
			const {code, stdout} = await runCli([
				'check',
				'--db-url',
				item.dbUrl,
				'--api-url',
				bed.replicas.map(replica => replica.url).join(','),
				'--timeout',
				'5',
			]);
			assert.equal(code, 1);
			assert.match(stdout, /^ {2}instance #3 http:\/\/127\.0\.0\.1:\d+ \(PostgREST/m);
			assert.match(stdout, /^ +#1 {4}#2 {4}#3/m);
			assert.match(stdout, /cache\.columns +PASS +PASS +FAIL +#3: 1 column difference/);
			assert.ok(
				stdout.includes(
					`cache.column_missing  [#3 ${bed.deaf.url}] public.organizations.region is in the database ` +
						`but not in PostgREST's schema cache`
				),
				stdout
			);
		});

		test('an instance that does not answer makes the run undiagnosed (exit 2), named, while the others are still compared', async () => {
			const gone = `http://127.0.0.1:${await freePort()}`;
			const {code, json} = await runCli([
				'check',
				'--db-url',
				item.dbUrl,
				...apiUrls(bed),
				'--api-url',
				gone,
				'--json',
				'--timeout',
				'3',
			]);
			assert.equal(code, 2);
			assert.deepEqual(
				findings(json, 'api.unreachable').map(found => found.instance),
				[gone]
			);
			assert.deepEqual(instanceStatuses(json, 'cache.columns'), ['pass', 'pass', 'fail', 'skip']);
			assert.equal(
				checkStatus(json, 'api.instances'),
				'pass',
				'the three instances the database shows were each reached'
			);
		});

		test('an API key no replica accepts: every instance refused it, said once, and the key appears nowhere', async () => {
			// runCli fails the test if the key (or a password) is in any output.
			const {code, json} = await runCli([
				'check',
				'--db-url',
				item.dbUrl,
				...apiUrls(bed),
				'--api-key',
				apiKeySecret,
				'--json',
				'--timeout',
				'3',
			]);
			assert.equal(code, 2);
			assert.ok(
				findings(json, 'api.unauthorized').length > 0,
				JSON.stringify(json.findings.map((found: Found) => found.code))
			);
			assert.deepEqual(instanceStatuses(json, 'api.reachable'), ['fail', 'fail', 'fail']);
		});

		test('--probe: one NOTIFY, each replica watched in the database; the deaf one did not reload and is named', async () => {
			const {json} = await runCli([
				'check',
				'--db-url',
				item.dbUrl,
				...apiUrls(bed),
				'--json',
				'--probe',
				'--timeout',
				'3',
			]);
			assert.deepEqual(instanceStatuses(json, 'notify.delivery'), ['pass', 'pass', 'fail']);
			assert.deepEqual(
				findings(json, 'notify.undelivered').map(found => found.instance),
				[bed.deaf.url]
			);
			assert.match(findings(json, 'notify.undelivered')[0]!.message, /transaction-mode pooler/);
			assert.deepEqual(
				findings(json, 'notify.delivered')
					.map(found => found.instance)
					.sort(),
				[bed.replicas[0]!.url, bed.replicas[1]!.url].sort()
			);
			assert.equal(
				await writeStatus(bed.deaf, 'organizations', 'region'),
				400,
				"the probe's NOTIFY did not heal the deaf replica either"
			);
		});

		test('wait names the replica that did not heal', async () => {
			const {code, json} = await runCli([
				'wait',
				'--db-url',
				item.dbUrl,
				...apiUrls(bed),
				'--json',
				'--timeout',
				'3',
			]);
			assert.equal(code, 1);
			assert.equal(json.waited.healed, false);
			assert.deepEqual(json.waited.staleInstances, [bed.deaf.url]);
			// The replicas seen reloading were the others: the deaf one's difference is still a stale cache.
			assert.equal(json.waited.survivedReload, undefined);
		});

		test('--fix reload --yes escalates until every replica serves the new column, and names the one NOTIFY did not heal', async () => {
			const {json} = await runCli([
				'check',
				'--db-url',
				item.dbUrl,
				...apiUrls(bed),
				'--json',
				'--fix',
				'reload',
				'--yes',
				'--timeout',
				'2',
			]);
			const [reload] = json.fixesApplied;
			assert.equal(reload.ok, true, reload.message);
			assert.equal(reload.verified, true);
			assert.ok(reload.message.includes(`(${bed.deaf.url} still stale)`), reload.message);
			assert.match(reload.message, /SIGUSR1 to the PostgREST processes on this machine/);
			assert.deepEqual(instanceStatuses(json, 'cache.columns'), ['pass', 'pass', 'pass']);
			for (const replica of bed.replicas)
				assert.equal(
					await writeStatus(replica, 'organizations', 'region'),
					201,
					`${replica.url} serves the new column`
				);
			const healed = await runCli(['wait', '--db-url', item.dbUrl, ...apiUrls(bed), '--timeout', '5']);
			assert.equal(healed.code, 0);
			assert.match(healed.stdout, /matches the database on each of the 3 instances/);
		});
	});
}

describe('three replicas behind one round-robin address', () => {
	let item: Scenario;
	let bed: ReplicaBed;
	before(async () => ({item, bed} = await migratedBed()));
	after(async () => bed?.stop());

	test('identical requests through the proxy disagree: cache.inconsistent, with how many disagreed and how to reach each instance', async () => {
		const {code, json} = await runCli([
			'check',
			'--db-url',
			item.dbUrl,
			'--api-url',
			bed.balancer.url,
			'--json',
			'--timeout',
			'5',
		]);
		assert.equal(code, 1);
		const [inconsistent] = findings(json, 'cache.inconsistent');
		assert.ok(inconsistent, JSON.stringify(json.findings));
		assert.match(
			inconsistent.message,
			/^3 of 9 identical requests for PostgREST's OpenAPI description through http:\/\/127\.0\.0\.1:\d+ \(each on a new connection\) described another schema cache than the other 6: column organizations\.region in 6 answers, not in 3\./
		);
		assert.match(inconsistent.suggestion!, /--api-url <instance 1> --api-url <instance 2>/);
		assert.match(inconsistent.suggestion!, /"PostgREST 12\.0\.2 replica-c" from 127\.0\.0\.1/);
		assert.equal(checkStatus(json, 'cache.consistent'), 'fail');
		const [unchecked] = findings(json, 'api.instance_unchecked');
		assert.match(unchecked!.message, /shows 3 PostgREST instances .* reaches whichever instance a balancer picks/);
		assert.equal(json.instances, undefined, 'one --api-url keeps the single-instance report');
	});

	test('--probe through the proxy proves delivery to each instance the database shows, not just one: the deaf one is named', async () => {
		const {json} = await runCli([
			'check',
			'--db-url',
			item.dbUrl,
			'--api-url',
			bed.balancer.url,
			'--json',
			'--probe',
			'--timeout',
			'3',
		]);
		assert.equal(checkStatus(json, 'notify.delivery'), 'fail');
		const [undelivered] = findings(json, 'notify.undelivered');
		assert.match(
			undelivered!.message,
			/1 of the 3 PostgREST instances the database shows did not reload within \d+ ms \(authenticator as "PostgREST 12\.0\.2 replica-c" from 127\.0\.0\.1\); 2 did/
		);
	});

	test('wait through the proxy does not call the cache healed while one replica behind it is stale', async () => {
		const {code, json} = await runCli([
			'wait',
			'--db-url',
			item.dbUrl,
			'--api-url',
			bed.balancer.url,
			'--json',
			'--timeout',
			'3',
		]);
		assert.equal(code, 1);
		assert.equal(json.waited.healed, false);
		assert.ok(
			findings(json, 'cache.inconsistent').length > 0,
			JSON.stringify(json.findings.map((found: Found) => found.code))
		);
		assert.equal(await writeStatus(bed.deaf, 'organizations', 'region'), 400);
	});

	test('--fix reload through the proxy: not healed while the samples disagree, and the replica that did not reload is named', async () => {
		const {json} = await runCli([
			'check',
			'--db-url',
			item.dbUrl,
			'--api-url',
			bed.balancer.url,
			'--json',
			'--fix',
			'reload',
			'--yes',
			'--timeout',
			'3',
		]);
		const [reload] = json.fixesApplied;
		assert.equal(reload.ok, false);
		assert.deepEqual(
			json.before.findings.filter((found: Found) => found.code.startsWith('api.unreachable')),
			[],
			'the diagnosis before the fix was made'
		);
		assert.match(
			reload.message,
			/^These PostgREST instances did not reload: authenticator as "PostgREST 12\.0\.2 replica-c" from 127\.0\.0\.1 after NOTIFY pgrst/
		);
		assert.ok(findings(json, 'cache.inconsistent').length > 0);
		assert.equal(json.exitCode, 1);
	});

	test('once every replica is healed, the samples agree, which is reported as no disagreement seen rather than proof', async () => {
		process.kill(bed.deaf.process.pid!, 'SIGUSR1');
		const deadline = Date.now() + 10_000;
		while ((await writeStatus(bed.deaf, 'organizations', 'region')) !== 201) {
			assert.ok(Date.now() < deadline, 'the deaf replica did not reload on SIGUSR1');
			await new Promise(resolve => setTimeout(resolve, 50));
		}
		const {json} = await runCli([
			'check',
			'--db-url',
			item.dbUrl,
			'--api-url',
			bed.balancer.url,
			'--json',
			'--timeout',
			'5',
		]);
		assert.equal(checkStatus(json, 'cache.consistent'), 'pass');
		assert.deepEqual(findings(json, 'cache.inconsistent'), []);
		assert.match(
			json.checks.find((check: {id: string}) => check.id === 'cache.consistent').summary,
			/^9 of 9 identical requests .* described the same schema cache \(no disagreement seen; that does not prove every instance was reached\)$/
		);
	});
});
