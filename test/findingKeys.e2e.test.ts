// One key per problem against the real servers: overloads and foreign keys added after PostgREST started are each
// their own finding with their own key, the checks' summaries count them all, and --ignore of one leaves the others.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {runCli} from './support/cli.js';
import {checkJson, useStack} from './support/e2e.js';
import {appSchema} from './support/scenario.js';
import {authenticatorPassword, startPostgrest} from './support/stack.js';

const stack = useStack();
const {setUp} = stack;

const before = `${appSchema}
	create table public.links (id int primary key, a int, b int);
	create function public.total(a int) returns int language sql as 'select a';
	grant select on public.links to anon;
`;
const migration = `
	create function public.total(b text) returns text language sql as 'select b';
	create function public.total(c date) returns date language sql as 'select c';
	alter table public.links add constraint links_a foreign key (a) references public.organizations (id);
	alter table public.links add constraint links_b foreign key (b) references public.organizations (id);
`;
type Found = {key: string; code: string; message: string};
const keysOf = (findings: Found[]) =>
	findings
		.map(found => found.key)
		.filter(key => key.startsWith('cache.'))
		.sort();
const summaryOf = (json: {checks: Array<{id: string; summary: string}>}, id: string) =>
	json.checks.find(check => check.id === id)?.summary;

test('two new overloads and two new foreign keys: a finding and a key each; ignoring one leaves the rest', async () => {
	const item = await setUp(before);
	await item.query(migration);
	const stale = await checkJson(item);
	assert.equal(stale.code, 1);
	assert.deepEqual(keysOf(stale.json.findings), [
		'cache.function_missing:public.total(b)',
		'cache.function_missing:public.total(c)',
		'cache.relationship_missing:public.links.links_a',
		'cache.relationship_missing:public.links.links_b',
	]);
	const messages = (stale.json.findings as Found[]).map(found => found.message);
	for (const named of ['public.total(b)', 'public.total(c)', 'links_a', 'links_b']) {
		assert.ok(
			messages.some(message => message.includes(named)),
			`a finding names ${named}`
		);
	}
	const differences = (noun: string) => `2 ${noun} differences between the database and PostgREST's cache`;
	assert.equal(summaryOf(stale.json, 'cache.functions'), differences('function'));
	assert.equal(summaryOf(stale.json, 'cache.relationships'), differences('relationship'));

	const oneEach = await checkJson(
		item,
		'--ignore',
		'cache.function_missing:public.total(b)',
		'--ignore',
		'cache.relationship_missing:public.links.links_a'
	);
	assert.equal(oneEach.code, 1, 'the overload and the foreign key not ignored still fail the run');
	assert.deepEqual(keysOf(oneEach.json.findings), [
		'cache.function_missing:public.total(c)',
		'cache.relationship_missing:public.links.links_b',
	]);
	assert.deepEqual(keysOf(oneEach.json.ignoredFindings), [
		'cache.function_missing:public.total(b)',
		'cache.relationship_missing:public.links.links_a',
	]);
	assert.deepEqual(oneEach.json.unmatchedIgnores, []);

	const all = await checkJson(item, '--ignore', [...keysOf(stale.json.findings), 'trigger.missing'].join(','));
	assert.equal(all.code, 0, 'every key accepted: the run passes');
	assert.deepEqual(all.json.findings, []);
});

test('several instances: --ignore of a key without @ matches the finding on the instance that reports it', async () => {
	const item = await setUp();
	await item.query('alter table public.organizations add column created_by text;');
	// Started after the migration: its cache has the column; the scenario's PostgREST's does not.
	const fresh = await startPostgrest({dbUri: stack.pg.url(item.name, 'authenticator', authenticatorPassword)});
	try {
		const both = ['check', '--db-url', item.dbUrl, '--api-url', item.api.url, '--api-url', fresh.url, '--json'];
		const column = 'cache.column_missing:public.organizations.created_by';
		const stale = await runCli(both);
		const keys = (stale.json.findings as Found[]).map(found => found.key);
		const onStale = keys.find(key => key.startsWith(`${column}@`));
		assert.ok(onStale, `one instance reports the column, its key ends in @<its address>: ${keys.join(', ')}`);
		assert.ok(!keys.includes(column), 'not every instance reports it');

		const plainKey = await runCli([...both, '--ignore', column]);
		const left = (plainKey.json.findings as Found[]).map(found => found.key);
		assert.ok(!left.some(key => key.startsWith(column)), 'ignored on that instance');
		assert.deepEqual(
			(plainKey.json.ignoredFindings as Found[]).map(found => found.key),
			[onStale]
		);
		assert.deepEqual(plainKey.json.unmatchedIgnores, []);

		const otherInstance = `${column}@${encodeURIComponent(fresh.url).replaceAll('.', '%2E')}`;
		const onOther = await runCli([...both, '--ignore', otherInstance]);
		const kept = (onOther.json.findings as Found[]).map(found => found.key);
		assert.ok(kept.includes(onStale), 'a key with @ names only its instance');
		assert.deepEqual(onOther.json.unmatchedIgnores, [otherInstance]);
	} finally {
		await fresh.stop();
	}
});
