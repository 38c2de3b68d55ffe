// Issue 9, case 14: no probe runs a function or fires a trigger, on the real PostgreSQL 18 and PostgREST 12.0.2.
// Every shape PostgREST can route a probe to is here, each counting what it runs in public.side_effects.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {unsafeObjects} from '../source/probes/mediaHandlers.js';
import {checkStatus, findingRows, runCli} from './support/cli.js';
import {checkJson, useStack} from './support/e2e.js';
import {appSchema, type Scenario, sideEffectCounter} from './support/scenario.js';

const stack = useStack();

const hostile = `${appSchema}${sideEffectCounter()}
	create domain "*/*" as bytea;
	create domain "application/*" as text;
	create domain "text/*" as text;
	create function public.any_media(note text) returns "*/*" language sql security definer
		as $$ select public.count_effect('any_media'); select null::bytea $$;
	create function public.application_media(note text) returns "application/*" language sql security definer
		as $$ select public.count_effect('application_media'); select 'x'::text $$;
	create function public.text_media(note text) returns "text/*" language sql security definer
		as $$ select public.count_effect('text_media'); select 'x'::text $$;
	create function public.side_effect(note text) returns int language sql security definer
		as $$ select public.count_effect('side_effect'); select 1 $$;
	-- A table with a handler for */* (an aggregate over its row type) and a statement-level insert trigger,
	-- and a function returning its rows, which PostgREST negotiates for the table's name.
	create table public.handled (id int, label text);
	create trigger handled_statement after insert on public.handled for each statement execute function public.count_statement();
	create function public.handled_step(state bytea, next public.handled) returns bytea language sql as 'select state';
	create function public.handled_final(state bytea) returns "*/*" language sql as 'select state';
	create aggregate public.handled_agg(public.handled) (sfunc = public.handled_step, stype = bytea, finalfunc =
		public.handled_final, initcond = '');
	create function public.handled_rows() returns setof public.handled language sql security definer
		as $$ select public.count_effect('handled_rows'); select * from public.handled $$;
	-- A handler for anyelement and */*: PostgREST only looks it up for Accept */*, which no probe sends.
	create function public.any_step(state bytea, next anyelement) returns bytea language sql as 'select state';
	create aggregate public.any_agg(anyelement) (sfunc = public.any_step, stype = bytea, finalfunc = public.handled_final, initcond = '');
	create function public.counted() returns int language sql volatile security definer
		as $$ select public.count_effect('counted'); select 1 $$;
	create view public.counted_view as select id, public.counted() as counted from public.organizations;
	-- Handlers PostgREST caches at start and the database loses later (see below): invisible in the catalog.
	create table public.was_handled (id int);
	create function public.was_handled_rows() returns setof public.was_handled language sql security definer
		as $$ select public.count_effect('was_handled_rows'); select * from public.was_handled $$;
	create trigger was_handled_statement after insert on public.was_handled for each statement execute function public.count_statement();
	create aggregate public.was_handled_agg(public.was_handled) (sfunc = public.any_step, stype = bytea, finalfunc =
		public.handled_final, initcond = '');
	create table public.audited (id int);
	create trigger audited_statement after insert on public.audited for each statement execute function public.count_statement();
	grant all on public.handled, public.audited, public.counted_view, public.was_handled to anon;
	grant execute on all functions in schema public to anon;
`;

let item: Scenario;

async function sideEffects(): Promise<string[]> {
	return (await item.query('select what from public.side_effects')).map(row => String(row.what));
}

test("set up the hostile app, then change it behind PostgREST's back", async () => {
	// Without OpenAPI every relation is probed, as on a gateway that refuses GET /.
	item = await stack.setUp(hostile, {openApiMode: 'disabled'});
	// Each of these is only seen by a probe that reached the object: a stale column or a function PostgREST lacks.
	await item.query(`
		alter table public.audited add column note text;
		alter table public.handled add column added text;
		create view public.counted_view_late as select id, public.counted() as counted from public.organizations;
		create function public.text_media_late(note text) returns "text/*" language sql security definer
			as $$ select public.count_effect('text_media_late'); select 'x'::text $$;
		drop aggregate public.was_handled_agg(public.was_handled);
	`);
	assert.deepEqual(await sideEffects(), []);
});

test('check: nothing runs, ordinary objects are probed, handler objects are unverified and never pass', async () => {
	const {json} = await checkJson(item);
	assert.deepEqual(await sideEffects(), [], 'no function ran and no trigger fired');
	const rows = findingRows(json);
	assert.ok(
		rows.includes('cache.column_missing public audited note'),
		'the table with a statement trigger was probed'
	);
	assert.ok(rows.includes('cache.table_missing public counted_view_late'), rows.join(', '));
	assert.ok(
		rows.includes('cache.function_missing public text_media_late'),
		'a "text/*" function is probed like any other'
	);
	assert.ok(
		!rows.some(row => row.includes('handled added')),
		"the handler table's columns were not probed, so not judged"
	);
	assert.ok(!rows.some(row => /any_media|handled_rows/.test(row)));
	for (const id of ['cache.tables', 'cache.columns', 'cache.functions'])
		assert.notEqual(checkStatus(json, id), 'pass', id);
	// The handler PostgREST still caches for was_handled is gone from the catalog, so the table was probed with an
	// insert; only the strict preference stopped it, as the same probe without it shows.
	const insert = await fetch(`${item.api.url}/was_handled?columns=id`, {
		method: 'POST',
		headers: {'content-type': 'application/json', accept: 'application/vnd.some-other-client'},
		body: '[]',
	});
	assert.equal(insert.status, 201);
	assert.deepEqual(await sideEffects(), ['trigger on was_handled']);
	await item.query('delete from public.side_effects');
});

test('check --fix reload --yes: still nothing runs; healed, only the handler objects are left unverified, never passing', async () => {
	const fixed = await runCli([
		'check',
		'--db-url',
		item.dbUrl,
		'--api-url',
		item.api.url,
		'--json',
		'--fix',
		'reload',
		'--yes',
	]);
	assert.deepEqual(await sideEffects(), []);
	assert.notEqual(checkStatus(fixed.json, 'cache.functions'), 'pass');
	const {json} = await checkJson(item);
	assert.deepEqual(await sideEffects(), []);
	assert.ok(
		!findingRows(json).some(row => row.startsWith('cache.') && row !== 'cache.unverified'),
		findingRows(json).join(', ')
	);
	for (const id of ['cache.tables', 'cache.columns', 'cache.functions'])
		assert.notEqual(checkStatus(json, id), 'pass', id);
	const {message} = json.findings.find((found: {code: string}) => found.code === 'cache.unverified');
	assert.match(
		message,
		/because a media type handler for \*\/\* \(public\.any_media\) would make PostgREST run the function \(public\.any_media\(\)\)/
	);
	assert.match(
		message,
		/because a media type handler for \*\/\* \(public\.handled_final\) would make PostgREST run the function \(public\.handled_final\(\)\)/,
		'the final function returns */* itself'
	);
	assert.match(
		message,
		/because a media type handler for \*\/\* \(public\.handled_agg\) would make PostgREST run the function \(public\.handled_rows\(\)\)/
	);
	assert.match(
		message,
		/because cached, but its columns were not probed: a media type handler for \*\/\* \(public\.handled_agg\) would make PostgREST run the probe's insert and its triggers \(public\.handled\)/
	);
	assert.doesNotMatch(
		message,
		/application_media|text_media|side_effect|audited|counted_view|any_agg/,
		'only handler objects are unverified'
	);
});

test('explain probes the object it is asked about without running it', async () => {
	const rpc = await fetch(`${item.api.url}/rpc/any_media`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: '{"wrong": 1}',
	});
	const rpcError = await rpc.text();
	assert.match(rpcError, /PGRST202/);
	const insert = await fetch(`${item.api.url}/handled`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: '{"nope": 1}',
	});
	const insertError = await insert.text();
	assert.match(insertError, /PGRST204/);
	for (const text of [
		rpcError,
		insertError,
		'{"code":"PGRST202","message":"Could not find the function public.side_effect(wrong) in the schema cache"}',
	]) {
		const {json} = await runCli(['explain', text, '--db-url', item.dbUrl, '--api-url', item.api.url, '--json']);
		assert.ok(json.verdict, text);
	}
	assert.deepEqual(await sideEffects(), []);
});

test('the same probes without the guards would have run them (the control)', async () => {
	const accept = 'application/vnd.some-other-client';
	const call = await fetch(`${item.api.url}/rpc/any_media`, {
		method: 'POST',
		headers: {'content-type': 'application/json', accept},
		body: '{"note": null}',
	});
	assert.equal(call.status, 200);
	const insert = await fetch(`${item.api.url}/handled?columns=id`, {
		method: 'POST',
		headers: {'content-type': 'application/json', accept},
		body: '[]',
	});
	assert.equal(insert.status, 201);
	assert.deepEqual((await sideEffects()).sort(), ['any_media', 'trigger on handled']);
	await item.query('delete from public.side_effects');
});

test('unsafeObjects: */* or the exact Accept for the relation, or the exact Accept for anyelement', () => {
	const handler = (schema: string, name: string, mediaType: string, anyElement = false) => ({
		schema,
		name,
		mediaType,
		anyElement,
		handler: `${schema}.h`,
	});
	const catalog = {
		tables: [
			{schema: 'public', name: 't'},
			{schema: 'public', name: 'u'},
		],
		functions: [
			{schema: 'public', name: 'f'},
			{schema: 'public', name: 'rows_of_t'},
			{schema: 'api', name: 'f'},
		],
	};
	const accept = 'application/vnd.pgrst-doctor.probe-1';
	const none = unsafeObjects(
		{handlers: [handler('public', 'u', 'application/*'), handler('public', 'x', '*/*', true)], routineTargets: []},
		accept,
		catalog
	);
	assert.deepEqual([...none.tables.keys(), ...none.functions.keys()], []);
	const some = unsafeObjects(
		{
			handlers: [
				handler('public', 't', '*/*'),
				handler('public', 'f', 'Application/Vnd.Pgrst-Doctor.Probe-1'.toLowerCase()),
			],
			routineTargets: [{schema: 'public', name: 'rows_of_t', target: 't'}],
		},
		accept,
		catalog
	);
	assert.deepEqual([...some.tables.keys()], ['public\u0000t']);
	assert.deepEqual([...some.functions.keys()].sort(), ['public\u0000f', 'public\u0000rows_of_t']);
	const all = unsafeObjects(
		{handlers: [handler('pg_catalog', 'anyelement', accept, true)], routineTargets: []},
		accept,
		catalog
	);
	assert.equal(all.tables.size + all.functions.size, 5);
});
