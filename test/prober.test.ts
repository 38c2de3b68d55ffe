// The Prober (source/probes/cacheSnapshot.ts) over answers recorded from the real PostgREST 12.0.2 and 11.2.2 by
// test/support/recordProbes.ts, served by a node:http server that gives each request the answer PostgREST gave it
// (test/support/probeExchanges.ts). The recorded state: the tests' app schema and public.projects, then, unseen by
// PostgREST, a column organizations.updated_by, a table public.invoices, a function public.fresh(a int) and a foreign
// key from projects to organizations. Which method each version allows is proved on the real servers in
// versions.e2e; here: calibration, the column search, the readings and the whole snapshot (relationships batched),
// in milliseconds, and that a silent server leaves objects unverified instead of missing.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {after, test} from 'node:test';
import {
	type CachedFunction,
	type CachedTable,
	cacheSnapshot,
	type CacheSnapshot,
	type ProbeMethods,
	Prober,
	type Unknown,
} from '../source/probes/cacheSnapshot.js';
import type {ForeignKey} from '../source/probes/foreignKeys.js';
import {foreignKeyKey} from '../source/objectKey.js';
import type {ApiFacts} from '../source/probes/postgrest.js';
import type {Catalog} from '../source/probes/database.js';
import {closeHttp} from '../source/probes/http.js';
import type {ProbeHazards} from '../source/probes/mediaHandlers.js';
import {type Exchange, replay} from './support/probeExchanges.js';

type Recorded = {
	postgrest: string;
	catalog: Catalog;
	hazards: ProbeHazards;
	listed: CachedTable[];
	calls: Array<{call: string; result: CachedTable | CachedFunction | null}>;
	methods: ProbeMethods;
	unknown: Unknown[];
	requests: number;
	api: ApiFacts;
	foreignKeys: ForeignKey[];
	snapshot: CacheSnapshot;
	exchanges: Exchange[];
};
const recorded = (version: string) =>
	JSON.parse(readFileSync(new URL(`fixtures/probes-${version}.json`, import.meta.url), 'utf8')) as Recorded;

after(async () => closeHttp());

/** The methods each version's probes must be decided by: PostgREST 11 checks Accept before its cache. */
const methodsOf = {
	'12.0.2': {columns: 'post-columns', functions: 'post-rpc'},
	'11.2.2': {columns: 'post-invalid-body', functions: 'post-rpc-filter'},
};

async function probe(fixture: Recorded, baseUrl: string) {
	const prober = new Prober({baseUrl, timeoutMs: 2000}, fixture.hazards, fixture.catalog, {
		version: fixture.postgrest,
		listed: fixture.listed,
	});
	const table = async (name: string) => prober.table(fixture.catalog.tables.find(item => item.name === name)!);
	const functions = async (name: string) =>
		prober.functionOverloads(fixture.catalog.functions.filter(item => item.name === name));
	const results = {
		organizations: await table('organizations'),
		invoices: await table('invoices'),
		members: await table('members'),
		fresh: await functions('fresh'),
		memberCount: await functions('member_count'),
	};
	return {prober, results};
}

for (const [version, methods] of Object.entries(methodsOf)) {
	test(`${version}: a column and a table added behind PostgREST's back read as missing, others cached`, async () => {
		const fixture = recorded(version);
		const server = await replay(fixture.exchanges);
		try {
			const {prober, results} = await probe(fixture, server.url);
			assert.deepEqual(server.unrecorded, [], 'every request was one the real PostgREST answered');
			assert.deepEqual(results.organizations, {
				schema: 'public',
				name: 'organizations',
				columns: ['id', 'name'],
				allColumnsKnown: false,
			});
			assert.equal(results.invoices, undefined);
			assert.deepEqual(results.members?.columns, ['id', 'organization_id', 'email']);
			assert.equal(results.fresh, undefined);
			assert.deepEqual(results.memberCount, {
				schema: 'public',
				name: 'member_count',
				overloads: [['organization']],
			});
			assert.deepEqual(prober.unknown, []);
			assert.equal(prober.methods.columns?.method, methods.columns);
			assert.equal(prober.methods.functions?.method, methods.functions);
			for (const choice of Object.values(prober.methods)) {
				assert.ok(
					choice.controls.some(control => control.control === 'negative'),
					'a negative control was run'
				);
				assert.ok(choice.controls.every(control => control.passed));
			}
			// The same calls asked the same questions as when recorded, and got the same readings.
			assert.equal(prober.requests, fixture.requests);
			assert.deepEqual(
				Object.values(results).map(result => result ?? null),
				fixture.calls.map(call => call.result)
			);
			assert.deepEqual(JSON.parse(JSON.stringify(prober.methods)), fixture.methods);
		} finally {
			await server.close();
		}
	});
}

/** The methods the whole snapshot must choose, relationships included (embed-spread where Accept comes first). */
const relationshipMethods = {'12.0.2': 'embed-accept', '11.2.2': 'embed-spread'};

for (const [version, relationships] of Object.entries(relationshipMethods)) {
	test(`${version}: the whole cache snapshot lacks exactly what was added behind PostgREST's back`, async () => {
		const fixture = recorded(version);
		const server = await replay(fixture.exchanges);
		try {
			const catalog = {...fixture.catalog, foreignKeys: fixture.foreignKeys};
			const snapshot = await cacheSnapshot(
				{baseUrl: server.url, timeoutMs: 2000},
				fixture.api,
				catalog,
				fixture.hazards
			);
			assert.deepEqual(server.unrecorded, []);
			const names = snapshot.tables.map(table => table.name);
			assert.deepEqual(names, ['members', 'organization_names', 'organizations', 'projects']);
			assert.deepEqual(snapshot.tables.find(table => table.name === 'organizations')?.columns, ['id', 'name']);
			assert.deepEqual(
				snapshot.functions.map(item => item.name),
				['member_count'],
				'fresh(a) is not cached'
			);
			const key = (name: string) => foreignKeyKey(fixture.foreignKeys.find(item => item.name === name)!);
			assert.deepEqual(snapshot.relationships, [key('members_organization_id_fkey')]);
			assert.ok(
				!snapshot.relationships?.includes(key('projects_organization_id_fkey')),
				'the new key is not cached'
			);
			assert.deepEqual(snapshot.unknown, []);
			assert.equal(snapshot.probeMethods?.relationships?.method, relationships);
			assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), fixture.snapshot);
		} finally {
			await server.close();
		}
	});
}

test('a PostgREST that stops answering leaves every object unverified, never missing from its cache', async () => {
	const fixture = recorded('12.0.2');
	const server = await replay(fixture.exchanges);
	await server.close();
	await closeHttp();
	const {prober, results} = await probe(fixture, server.url);
	assert.deepEqual(Object.values(results), [undefined, undefined, undefined, undefined, undefined]);
	assert.deepEqual(
		prober.unknown.map(item => `${item.kind} ${item.name}`),
		['table organizations', 'table invoices', 'table members', 'function fresh', 'function member_count']
	);
	for (const item of prober.unknown) assert.match(item.reason, /^the probe request failed: /);
	assert.equal(prober.methods.columns, undefined, 'no method is chosen on no answer');
	assert.ok(prober.lost, 'the lost connection is named');
});

test('a negative control answered as if cached fails the method: the column search is not trusted', async () => {
	const fixture = recorded('12.0.2');
	// The real answers, except that the made-up relation is answered as the listed relation (the positive control) was.
	const positive = fixture.exchanges.find(exchange => exchange.request.startsWith('POST /members?columns=%22id%22 '));
	assert.ok(positive, 'the positive control was recorded');
	const made = 'POST /pgrst_doctor_control_NONCE?';
	const exchanges = fixture.exchanges.map(exchange =>
		exchange.request.startsWith(made) ? {...exchange, status: positive.status, body: positive.body} : exchange
	);
	const server = await replay(exchanges);
	try {
		const {prober, results} = await probe(fixture, server.url);
		const [first] = prober.methods.columns?.controls ?? [];
		assert.deepEqual(first && [first.method, first.control, first.read, first.passed], [
			'post-columns',
			'negative',
			'cached',
			false,
		]);
		assert.notEqual(prober.methods.columns?.method, 'post-columns');
		assert.equal(results.organizations, undefined, 'no column verdict from a method that failed its control');
		assert.ok(prober.unknown.some(item => item.kind === 'table' && item.name === 'organizations'));
	} finally {
		await server.close();
	}
});
