import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {finding, type FindingCode, findingCodes, findingKey} from '../source/findings.js';
import {say, type WordingParts} from '../source/wording.js';
import {runCli} from './support/cli.js';

const readme = readFileSync(new URL('../readme.md', import.meta.url), 'utf8');

test('the readme documents every finding code with its severity, cause and cure', () => {
	for (const [code, info] of Object.entries(findingCodes)) {
		const row = readme.split('\n').find(line => line.startsWith(`| \`${code}\` |`));
		assert.ok(row, `${code} is missing from the readme`);
		assert.ok(
			row.includes(`| ${info.severity} |`) && row.includes(info.cause) && row.includes(info.cure),
			`${code}'s readme row differs from the code`
		);
		const blocks = 'blocksDiagnosis' in info;
		assert.ok(
			row.endsWith(blocks ? '| always |' : '| |'),
			`${code}'s readme row ${blocks ? 'lacks' : 'has'} the "always blocks" mark`
		);
	}
});

test('`codes --json` lists the same vocabulary', async () => {
	const {code, json} = await runCli(['codes', '--json']);
	assert.equal(code, 0);
	assert.deepEqual(
		json.map((row: {code: string}) => row.code),
		Object.keys(findingCodes)
	);
	const blocking = Object.entries(findingCodes)
		.filter(([, info]) => 'blocksDiagnosis' in info)
		.map(([name]) => name);
	assert.ok(blocking.length > 0);
	assert.deepEqual(
		json.filter((row: {blocksDiagnosis: boolean}) => row.blocksDiagnosis).map((row: {code: string}) => row.code),
		blocking
	);
	assert.ok(
		json.every((row: {blocksDiagnosis: unknown}) => typeof row.blocksDiagnosis === 'boolean'),
		'every row says it, true or false'
	);
});

test('the Finding codes table has a row for each code and no other', () => {
	const section = readme.split('\n## Finding codes\n')[1]!.split('\n## ')[0]!;
	const rows = [...section.matchAll(/^\| `([a-z_]+\.[a-z_]+)` \|/gm)].map(match => match[1]);
	assert.deepEqual(rows, Object.keys(findingCodes), 'the table lists the vocabulary, in its order');
});

/**
 * Sample parts for every code's sentence, one per situation it can say: a code without samples is a type error here,
 * as a code without a sentence is one in source/wording.ts (`satisfies Record<FindingCode, …>`).
 */
const samples: {[C in FindingCode]: Array<WordingParts<C>>} = {
	'db.unreachable': [
		{where: 'app@db.example:5432/app', reason: 'the connection was refused.'},
		{where: 'app@db.example:5432/app', missingDatabase: 'database "shop" does not exist'},
	],
	'db.auth_failed': [
		{where: 'app@db.example:5432/app', answer: 'password authentication failed for user "app"'},
		{where: 'app@pooler.example:6543/postgres', answer: 'Tenant or user not found', pooler: true},
	],
	'api.unreachable': [
		{situation: 'unanswered', where: 'http://api.example:3000', reason: 'the connection was refused'},
		{situation: 'server error', where: 'http://api.example:3000', status: 503, detail: 'PGRST001 no connection'},
		{situation: 'stopped', where: 'http://api.example:3000', reason: 'socket hang up'},
	],
	'api.unauthorized': [
		{situation: 'gateway forbids', where: 'https://ref.supabase.co/rest/v1', key: 'the anon key'},
		{situation: 'gateway no key', where: 'https://ref.supabase.co/rest/v1'},
		{
			situation: 'gateway invalid key',
			where: 'https://ref.supabase.co/rest/v1',
			key: 'the anon key',
			expired: true,
		},
		{
			situation: 'jwt unverifiable',
			where: 'http://api.example:3000',
			status: 500,
			answer: 'Server lacks JWT secret',
		},
		{situation: 'refused', where: 'http://api.example:3000', detail: 'PGRST301 JWT expired'},
	],
	'api.not_postgrest': [{where: 'http://api.example:8080', status: 404}],
	'cache.not_compared': [{missing: 'api'}, {missing: 'database'}],
	'api.redirected': [{where: 'http://api.example', status: 301, target: 'https://api.example/'}],
	'api.wrong_base_url': [
		{where: 'http://api.example:3001', postgrest: 'PostgREST 12.0.2', status: 404, control: 404, admin: true},
		{
			where: 'http://api.example:3000/rest/v1',
			postgrest: 'PostgREST 12.0.2',
			status: 404,
			control: 404,
			root: 'http://api.example:3000',
		},
	],
	'api.other_database': [{serving: 'staging', who: 'authenticator', given: 'app'}],
	'api.database_unconfirmed': [
		{database: 'app', where: 'its sessions are in staging', reason: 'no table to ask about'},
	],
	'cache.unloaded': [{answer: 'Could not query the database for the schema cache. Retrying.'}, {explained: true}],
	'cache.unverified': [
		{objects: '2 relations', reasons: ['2 relations because PostgREST answered 500 (public.a, public.b)']},
	],
	'cache.table_missing': [{schema: 'public', table: 'invoices', kind: 'v'}],
	'cache.table_stale': [{schema: 'public', table: 'invoices'}],
	'cache.column_missing': [{schema: 'public', table: 'invoices', column: 'total'}],
	'cache.column_stale': [{schema: 'public', table: 'invoices', column: 'total'}],
	'cache.function_missing': [{signature: 'public.invoice_total(invoice)'}],
	'cache.function_stale': [{schema: 'public', name: 'invoice_total'}],
	'cache.function_signature': [
		{signature: 'public.invoice_total(invoice, currency)', cached: 'public.invoice_total(invoice)'},
	],
	'trigger.missing': [{reload: "NOTIFY pgrst, 'reload schema';"}],
	'trigger.disabled': [{trigger: 'pgrst_watch', event: 'ddl_command_end', state: 'disabled'}],
	'trigger.incomplete': [
		{situation: 'no reload', trigger: 'pgrst_watch', problems: ['it notifies "other"', 'its payload is "reload"']},
		{situation: 'problem', trigger: 'pgrst_watch', problem: 'it skips ALTER TABLE'},
		{situation: 'no ddl_command_end'},
		{situation: 'no sql_drop', triggers: ['pgrst_watch']},
	],
	'trigger.bypassed': [{scope: 'role migrator', triggers: ['pgrst_watch', 'pgrst_drop_watch']}],
	'listener.missing': [
		{situation: 'not listening', database: 'app', channel: 'pgrst', adminDown: true},
		{situation: 'absent', database: 'app', apiUrl: 'http://api.example:3000', api: 'unreachable'},
		{situation: 'absent', database: 'app', apiUrl: 'http://api.example:3000', api: 'answered'},
		{situation: 'absent', database: 'app', apiUrl: 'http://api.example:3000', api: 'unusable'},
		{situation: 'absent', database: 'app', api: 'not asked'},
		{situation: 'elsewhere', database: 'app', channel: 'pgrst'},
		{situation: 'no LISTEN', database: 'app', channel: 'pgrst'},
		{situation: 'instance', instance: 'authenticator from 10.0.0.12', database: 'app', channel: 'pgrst'},
		{situation: 'nobody', database: 'app', apiUrl: 'http://api.example:3000', api: 'answered', channel: 'pgrst'},
	],
	'listener.unknown': [
		{
			role: 'doctor',
			channel: 'pgrst',
			sessions: 2,
			roles: 'authenticator',
			names: 'PostgREST 12.0.2',
			database: 'app',
		},
		{role: 'doctor', channel: 'pgrst', hidden: 3},
	],
	'listener.pooled': [{signs: ["port 6543 is Supavisor's transaction mode"]}, {signs: []}],
	'listener.channel_mismatch': [
		{heard: 'other', sent: 'pgrst'},
		{notified: ['other', 'third'], heard: 'pgrst'},
	],
	'listener.channel_disabled': [{database: 'app'}],
	'notify.undelivered': [
		{
			sent: "NOTIFY pgrst, 'reload schema';",
			who: 'PostgREST did not reload within 3000 ms',
			likely: ['a pooler'],
			others: ['no listener'],
		},
		{
			sent: "NOTIFY pgrst, 'reload schema';",
			who: 'PostgREST did not reload within 3000 ms',
			likely: ['a pooler', 'a disabled channel'],
			others: [],
		},
	],
	'notify.queue_stuck': [{usage: 0.25}, {usage: null}],
	'notify.delivered': [
		{latencyMs: 41, sent: "NOTIFY pgrst, 'reload schema';", evidence: 'its session in pg_stat_activity'},
		{latencyMs: 41, sent: "NOTIFY pgrst, 'reload schema';", evidence: "each instance's session", instances: 2},
		{latencyMs: 41, sent: "NOTIFY pgrst, 'reload schema';", evidence: 'its own session', instances: 1},
		{sent: "NOTIFY pgrst, 'reload schema';"},
		{sent: "NOTIFY pgrst, 'reload schema';", instances: 3},
	],
	'schema.not_exposed': [
		{situation: 'requested', schema: 'private', exposed: ['public', 'api']},
		{situation: 'named', schema: 'private', exposed: ['public']},
		{situation: 'found there', object: 'private.invoices', exposed: ['public']},
		{situation: 'requested', schema: 'private', exposed: []},
		{situation: 'named', schema: 'private', exposed: []},
		{situation: 'found there', object: 'private.invoices', exposed: []},
	],
	'schema.missing': [{schema: 'billing', source: '--schemas'}],
	'grant.missing': [
		{situation: 'lacking', roles: ['anon'], object: 'public.invoices', what: 'SELECT', notes: ' A sequence note.'},
		{situation: 'lacking', roles: ['anon', 'authenticated'], object: 'public.invoices', what: 'SELECT', notes: ''},
		{situation: 'view owner', view: 'public.invoice_view', table: 'private.invoices', owner: 'reporter'},
		{situation: 'another role', checked: 'anon, authenticated', what: 'SELECT', notes: ' A role note.'},
	],
	'client.unknown_table': [{name: 'invoice', near: 'invoices'}, {name: 'nothing'}],
	'client.unknown_column': [
		{name: 'totl'},
		{table: 'public.invoices', name: 'totl', near: 'total', columns: ['id', 'total']},
	],
	'client.unknown_function': [{name: 'invoice_totl', near: 'invoice_total'}, {name: 'nothing'}],
	'client.case_folded': [
		{situation: 'table', sent: 'Invoices', actual: 'public.invoices'},
		{situation: 'column', sent: 'createdAt', actual: 'public.invoices.createdat'},
		{situation: 'function', sent: 'invoiceTotal', actual: 'public.invoicetotal'},
		{situation: 'arguments', sent: ['invoiceId'], actual: 'public.invoice_total(invoiceid)'},
	],
	'rpc.args_mismatch': [
		{sent: ['id'], name: 'invoice_total', takes: ['public.invoice_total(invoice, currency?)']},
		{sent: [], name: 'invoice_total', takes: ['public.invoice_total(invoice)']},
	],
	'rpc.ambiguous': [{signatures: ['public.f(a integer)', 'public.f(a text)']}],
	'relationship.unexposed': [
		{foreignKey: 'profiles_id_fkey', from: 'public.profiles', to: 'auth.users', hidden: 'auth.users'},
	],
	'rls.rejected': [{table: 'public.invoices', policies: ' Its policies for writes: "own rows" (INSERT).'}],
	'relationship.missing': [{between: ['invoices', 'customers']}],
	'cache.inconsistent': [
		{
			url: 'http://balancer.example',
			disagreeing: 1,
			answers: 4,
			majority: 3,
			unanswered: '',
			differences: 'public.invoices in 3 answers, not in 1',
		},
	],
	'api.instance_unchecked': [
		{
			database: 'app',
			total: 2,
			list: '10.0.0.11; 10.0.0.12',
			through: 'the one --api-url',
			notes: ['1 instance no --api-url reached'],
		},
		{database: 'app', total: 1, list: '10.0.0.11', through: 'the one --api-url', notes: []},
	],
	'cache.relationship_missing': [
		{foreignKey: 'invoices_customer_fkey', from: 'public.invoices', to: 'public.customers'},
		{foreignKey: 'invoices_customer_fkey', between: ['invoices', 'customers']},
	],
	'config.project_mismatch': [
		{who: 'the API URL names abc, the database URL def'},
		{named: 'the API URL → abc, the database URL → def'},
	],
	'config.listener_disabled': [{from: 'postgrest.conf'}],
	'config.channel_mismatch': [
		{from: 'postgrest.conf', heard: 'pgrst', database: 'app'},
		{from: 'postgrest.conf', configured: 'other', heard: 'pgrst'},
	],
	'config.schemas_mismatch': [
		{from: 'postgrest.conf', configured: ['public', 'api'], exposed: ['public'], override: ''},
		{from: 'postgrest.conf', configured: [], exposed: ['public'], override: ''},
	],
	'explain.not_reproduced': [
		{situation: 'fine now', what: "public.invoices exists, is exposed, and is in PostgREST's cache"},
		{situation: 'pool'},
		{
			situation: 'nothing denied',
			roles: 'anon',
			object: 'public.invoices',
			readNow: true,
			other: ' Rerun with --role.',
		},
	],
	'explain.unrecognised': [{recognised: ['PGRST204', 'PGRST205']}, {bare: true}],
};

/** The parts that choose a sentence rather than appear in it. */
const selectors = new Set([
	'situation',
	'missing',
	'api',
	'kind',
	'pooler',
	'admin',
	'expired',
	'adminDown',
	'readNow',
	'explained',
	'bare',
]);

function namedValues(parts: object): string[] {
	return (
		Object.entries(parts)
			.filter(([name]) => !selectors.has(name))
			.flatMap(([, value]) => (Array.isArray(value) ? value : [value]))
			// null says a value is unknown: the sentence leaves it out rather than print null.
			.filter(value => value !== null)
			.map(value => String(value).trim().replace(/\.$/, ''))
			.filter(value => value !== '')
	);
}

test('every code has one wording, and each sentence says the parts it is given on one line', () => {
	assert.deepEqual(Object.keys(say), Object.keys(findingCodes));
	for (const code of Object.keys(findingCodes) as FindingCode[]) {
		const wording = say[code] as (parts: object) => string;
		assert.ok(samples[code].length > 0, `${code} has samples`);
		for (const parts of samples[code]) {
			const message = wording(parts);
			assert.match(message, /^\S.*\S$/, `${code}: one line, no stray space`);
			assert.doesNotMatch(message, /\bundefined\b|\[object |\n/, `${code}: ${message}`);
			// No unknown value said as null, no empty list left as "( )", ": ," or "= ,", no "each of the 1".
			const leftOver = /\bnull\b| \)|\( |[:=] [,.]|\s,|\b[Ee]ach of the [01] /;
			assert.doesNotMatch(message, leftOver, `${code}: ${message}`);
			for (const value of namedValues(parts))
				assert.ok(message.includes(value), `${code} says ${value}: ${message}`);
			const found = finding(code, parts as never, {});
			assert.equal(found.message, message, `${code}: finding() says the code's sentence`);
			assert.equal(found.severity, findingCodes[code].severity);
		}
	}
});

test('the edge values of the parts still make a sentence: unknown numbers left out, empty lists not listed', () => {
	const sent = "NOTIFY pgrst, 'reload schema';";
	const rerun = 'the cache was compared before this reload, so run the check again to see the cache after it';
	assert.equal(say['notify.delivered']({sent}), `PostgREST reloaded after ${sent}; ${rerun}`);
	const one = {sent, latencyMs: 7, evidence: 'its session', instances: 1};
	assert.equal(
		say['notify.delivered'](one),
		`The one PostgREST instance the database shows reloaded 7 ms after ${sent} (seen through its session); ${rerun}`
	);
	assert.equal(
		say['notify.queue_stuck']({usage: null}),
		"PostgreSQL's notification queue is not being drained (pg_notification_queue_usage() > 0)"
	);
	const notExposed = say['schema.not_exposed'];
	assert.equal(
		notExposed({situation: 'named', schema: 'private', exposed: []}),
		'Schema private is not exposed by PostgREST'
	);
	assert.equal(
		notExposed({situation: 'requested', schema: 'private', exposed: []}),
		'The request named schema private, but PostgREST does not expose it'
	);
	assert.equal(
		notExposed({situation: 'found there', object: 'private.f()', exposed: []}),
		'private.f() exists, but PostgREST does not expose its schema'
	);
	assert.equal(
		say['api.instance_unchecked']({database: 'app', total: 1, list: 'a', through: 'the one --api-url', notes: []}),
		'The database app shows 1 PostgREST instance (a), and the one --api-url did not reach each of them at its own' +
			' address, so their caches were not compared one by one'
	);
	const emptyConfig = {from: 'postgrest.conf', configured: [], exposed: ['api', 'public'], override: ''};
	assert.equal(
		say['config.schemas_mismatch'](emptyConfig),
		'postgrest.conf says db-schemas = "", but the running PostgREST exposes api,public'
	);
	// A part that is never empty says so in its type: an empty list does not compile (npx tsc -p tsconfig.test.json).
	// @ts-expect-error notify.undelivered names at least one likely cause
	const noCause: WordingParts<'notify.undelivered'> = {sent, who: 'PostgREST did not reload', likely: [], others: []};
	// @ts-expect-error rpc.args_mismatch names at least one overload
	const noOverload: WordingParts<'rpc.args_mismatch'> = {sent: ['x'], name: 'f', takes: []};
	void [noCause, noOverload];
});

test("a finding's key is its code and object, percent-encoded, never its message", () => {
	const about = {schema: 'public', table: 'Order Items', column: 'a.b'};
	const found = finding('cache.column_missing', about, about);
	assert.equal(found.key, 'cache.column_missing:public.Order%20Items.a%2Eb');
	assert.equal(
		findingKey('cache.function_missing', {schema: 'public', function: 'f()'}),
		'cache.function_missing:public.f%28%29()'
	);
	assert.equal(
		findingKey('cache.function_missing', {schema: 'public', function: 'f'}),
		'cache.function_missing:public.f()'
	);
	assert.equal(findingKey('trigger.missing', {}), 'trigger.missing');
	assert.equal(
		findingKey('cache.column_missing', {...about, instance: 'http://a:3000'}),
		`${found.key}@http%3A%2F%2Fa%3A3000`
	);
	assert.equal(
		findingKey('client.unknown_table', {table: 'x\u001B]0;y\u0007'}),
		'client.unknown_table:x%1B%5D0%3By%07'
	);
});
