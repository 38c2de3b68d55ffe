// Errors as developers paste them, end to end: the real supabase-js 2, postgrest-js 2 and postgrest-js 1 clients
// make each failing request live against the real PostgREST (12.0.2 and 11.2.2) and PostgreSQL; what the app gets
// back — returned as `{error}` or thrown by .throwOnError() — is fed to `explain` as console.log(error) prints it,
// as JSON.stringify(error) and as error.message, and the verdict is asserted for every one of them.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	afterStart,
	anonKey,
	clients,
	type ClientName,
	type ErrorCase,
	errorCases,
	pastedForms,
	pastedSchema,
	produceError,
} from './support/clientErrors.js';
import {runCli} from './support/cli.js';
import {useStack} from './support/e2e.js';
import type {Scenario} from './support/scenario.js';
import {postgrestVersions, startPostgrest} from './support/stack.js';

const stack = useStack();

type Verdict = {code: string; message: string; suggestion?: string};

/** What explain must conclude for each error, in every pasted form (the request line added where one is pasted). */
const verdicts: Record<string, {paste?: (form: string) => string; assert(verdict: Verdict): void}> = {
	'42501 table': {assert: verdict => grant(verdict, 'GRANT SELECT ON public.secrets TO anon;')},
	'42501 view': {assert: verdict => grant(verdict, 'GRANT SELECT ON public.secret_names TO anon;')},
	'42501 materialized view': {assert: verdict => grant(verdict, 'GRANT SELECT ON public.secret_totals TO anon;')},
	'42501 sequence': {
		assert: verdict => {
			grant(verdict, 'GRANT USAGE ON SEQUENCE public.notes_id_seq TO anon;');
			assert.match(verdict.message, /serial|identity/, 'the verdict explains why an insert needs the sequence');
			assert.match(verdict.message, /\bnotes\.id\b|\bid\b/, 'the verdict names the serial column');
		},
	},
	'42501 schema': {
		assert: verdict => {
			assert.notEqual(verdict.code, 'schema.not_exposed', 'api is exposed; it lacks USAGE');
			grant(verdict, 'GRANT USAGE ON SCHEMA api TO anon;');
		},
	},
	'42501 function': {
		assert: verdict => grant(verdict, 'GRANT EXECUTE ON FUNCTION public.payout_total(integer) TO anon;'),
	},
	// PostgreSQL names only the table; the request line from the network tab says which column was asked for.
	'42501 column': {
		paste: form =>
			`GET https://abcdefghijklmnopqrst.supabase.co/rest/v1/people?select=id,salary 401 (Unauthorized)\n${form}`,
		assert: verdict => grant(verdict, 'GRANT SELECT (salary) ON public.people TO anon;'),
	},
	'PGRST204 typo column': {assert: verdict => assert.equal(verdict.code, 'client.unknown_column')},
	'PGRST204 stale column': {assert: verdict => assert.equal(verdict.code, 'cache.column_missing')},
	'PGRST202 wrong arguments': {assert: verdict => assert.equal(verdict.code, 'rpc.args_mismatch')},
	'PGRST200 no relationship': {assert: verdict => assert.equal(verdict.code, 'relationship.missing')},
	'unknown table': {assert: verdict => assert.equal(verdict.code, 'client.unknown_table')},
	'insert into an uncached table': {
		paste: form => `POST /invoices 404 {}\n${form}`,
		assert: verdict => assert.equal(verdict.code, 'cache.table_missing'),
	},
};

function grant(verdict: Verdict, statement: string) {
	assert.equal(verdict.code, 'grant.missing', verdict.message);
	assert.ok(verdict.suggestion?.includes(statement), `the suggestion has ${statement}: ${verdict.suggestion}`);
}

/**
 * explain --json with the anon key supabase-js uses (or none, for a request made without one: a key's role claim
 * decides the role); neither the key nor any stack secret may appear in its output.
 */
async function explain(item: {dbUrl: string; apiUrl: string}, text: string, key: string | null = anonKey) {
	const run = await runCli([
		'explain',
		text,
		'--db-url',
		item.dbUrl,
		'--api-url',
		item.apiUrl,
		...(key ? ['--api-key', key] : []),
		'--json',
	]);
	assert.ok(
		!run.stdout.includes(anonKey) && !run.stderr.includes(anonKey),
		"the API key never appears in explain's output"
	);
	assert.ok(!run.stdout.includes(anonKey.split('.')[2]!), 'nor its signature');
	return run;
}

/**
 * Every distinct text the three clients give for one error, in both styles and all three forms, with who gave it.
 * Clients that print the same text share one explain run.
 */
async function pastedTexts(
	byName: Record<ClientName, Parameters<typeof produceError>[0]>,
	errorCase: ErrorCase
): Promise<Map<string, string[]>> {
	const texts = new Map<string, string[]>();
	for (const [client, builder] of Object.entries(byName)) {
		for (const style of ['returned', 'thrown'] as const) {
			const forms = pastedForms(await produceError(builder, errorCase, style));
			for (const [form, text] of Object.entries(forms)) {
				// JSON.stringify drops a postgrest-js 1 PostgrestError's message (an Error without toJSON): nothing to
				// explain but its code.
				if (client === 'postgrest-js-1' && style === 'thrown' && form === 'json') continue;
				texts.set(text, [...(texts.get(text) ?? []), `${client} ${style} ${form}`]);
			}
		}
	}
	return texts;
}

for (const version of postgrestVersions) {
	let item: Scenario;
	let connected: Awaited<ReturnType<typeof clients>>;

	test(`PostgREST ${version}: the app, with a column and a table PostgREST has not loaded`, async () => {
		item = await stack.setUp(pastedSchema, {version, schemas: 'public,api'});
		await item.query(afterStart);
		connected = await clients(item);
		assert.ok(item.api.url);
	});

	for (const errorCase of errorCases) {
		test(
			`PostgREST ${version}: ${errorCase.label}, produced by supabase-js, postgrest-js 2 and 1, explained in every pasted form`,
			{timeout: 240_000},
			async () => {
				const expected = verdicts[errorCase.label]!;
				const texts = await pastedTexts(connected.clients, errorCase);
				assert.ok(texts.size >= 3, 'at least the three forms');
				for (const [text, from] of texts) {
					const {json} = await explain(
						{dbUrl: item.dbUrl, apiUrl: item.api.url},
						expected.paste ? expected.paste(text) : text
					);
					try {
						expected.assert(json.verdict);
					} catch (error) {
						throw new Error(`${from.join(', ')}: ${(error as Error).message}\n--- pasted:\n${text}`, {
							cause: error,
						});
					}
				}
			}
		);
	}

	test(`PostgREST ${version}: the clients are closed`, async () => {
		await connected.close();
	});

	test(`PostgREST ${version} logged in as a superuser, anon without SELECT on payouts: grant.missing, never not_reproduced`, async () => {
		const own = await stack.setUp(
			`create table public.payouts (id int primary key, amount int); create table public.visible ` +
				`(id int); grant select on public.visible to anon;`,
			{version}
		);
		// PostgREST logs in as the postgres superuser and runs requests as its anonymous role, anon.
		const api = await startPostgrest({dbUri: stack.pg.url(own.name), version});
		const superuserApi = await clients({...own, api});
		try {
			const text = pastedForms(
				await produceError(
					superuserApi.clients['supabase-js'],
					{
						label: 'payouts',
						request: {method: 'GET', path: '/payouts'},
						send: client => client.from('payouts').select('*'),
					},
					'returned'
				)
			).consoleLog;
			assert.match(text, /permission denied for table payouts/);
			const {json} = await explain({dbUrl: own.dbUrl, apiUrl: api.url}, text);
			assert.notEqual(json.verdict.code, 'explain.not_reproduced');
			grant(json.verdict, 'GRANT SELECT ON public.payouts TO anon;');
		} finally {
			await superuserApi.close();
			await api.stop();
		}
	});

	test(`PostgREST ${version} logged in as a superuser with an anonymous role of its own (web_anon, as in PostgREST's tutorial): grant.missing for that role`, async () => {
		const own = await stack.setUp(
			`
			do $$ begin if not exists (select from pg_catalog.pg_roles where rolname = 'web_anon')
				then create role web_anon nologin; end if; end $$;
			grant usage on schema public to web_anon;
			create table public.payouts (id int primary key, amount int);
			grant select on public.payouts to anon, authenticated;
		`,
			{version}
		);
		// In-database configuration (PostgREST reads its login role's settings) overrides PGRST_DB_ANON_ROLE=anon.
		await own.query(`alter role postgres in database ${own.name} set pgrst.db_anon_role = 'web_anon'`);
		const api = await startPostgrest({dbUri: stack.pg.url(own.name), version});
		try {
			const failing = await fetch(`${api.url}/payouts`);
			const body = await failing.text();
			assert.match(body, /permission denied for table payouts/, 'the request really runs as web_anon');
			// The failing request carried no key, so neither does explain: with the anon key it would run as anon.
			const {json} = await explain({dbUrl: own.dbUrl, apiUrl: api.url}, body, null);
			assert.notEqual(json.verdict.code, 'explain.not_reproduced');
			grant(json.verdict, 'GRANT SELECT ON public.payouts TO web_anon;');
		} finally {
			await api.stop();
		}
	});
}
