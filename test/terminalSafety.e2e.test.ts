// Issue 9 case 5: names, a LISTEN channel, server answers and pasted errors carrying terminal controls, against the
// real PostgreSQL 18 and PostgREST 12.0.2 (and two small fake servers for hostile HTTP answers). Plain output must
// show them as escapes; --json keeps them exact.
import assert from 'node:assert/strict';
import {createServer, type Server} from 'node:net';
import {after, test} from 'node:test';
import pg from 'pg';
import {findingRows, runCli} from './support/cli.js';
import {useStack} from './support/e2e.js';
import {assertTerminalSafe, bel, csi, forgedPass, osc0, osc52} from './support/hostileText.js';
import {appSchema, type Scenario} from './support/scenario.js';
import {authenticatorPassword} from './support/stack.js';

const stack = useStack();
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

const schema = `s${csi}${bel}`;
const table = `t${csi}red${osc0}`;
const column = `c${osc52}`;
const forgedColumn = `x${forgedPass}`;
const fn = `f${bel}${osc0}`;
const channel = `ch${osc0}${forgedPass}`;

let item: Scenario;
let listener: pg.Client | undefined;
const servers: Server[] = [];

after(async () => {
	await listener?.end();
	for (const server of servers) server.close();
});

test("set up: hostile names created after PostgREST started, a hostile LISTEN held by PostgREST's login role", async () => {
	// PostgREST exposes the hostile schema, so its name also comes back in PostgREST's own answers.
	item = await stack.setUp(
		`${appSchema}
		create schema ${quote(schema)};
		grant usage on schema ${quote(schema)} to anon;
	`,
		{schemas: `public,${schema}`, channelEnabled: false}
	);
	await item.query(`
		create table public.${quote(table)} (id int, ${quote(column)} text);
		alter table public.organizations add column ${quote(forgedColumn)} text;
		create function public.${quote(fn)}(a int) returns int language sql as 'select a';
		grant select on all tables in schema public to anon;
	`);
	// Only sessions of PostgREST's confirmed login role and name count as its listener (case 12), so the hostile
	// channel is LISTENed on as authenticator under PostgREST's application_name, as a PostgREST with that
	// db-channel would.
	listener = new pg.Client({
		connectionString: stack.pg.url(item.name, 'authenticator', authenticatorPassword),
		application_name: 'PostgREST 12.0.2',
	});
	await listener.connect();
	await listener.query(`LISTEN ${quote(channel)}`);
});

test('check --json keeps every hostile name exact (the precondition for the text tests)', async () => {
	const {json, stdout} = await runCli(['check', '--db-url', item.dbUrl, '--api-url', item.api.url, '--json']);
	const rows = findingRows(json);
	for (const expected of [
		`cache.table_missing public ${table}`,
		`cache.column_missing public organizations ${forgedColumn}`,
		`cache.function_missing public ${fn}`,
	]) {
		assert.ok(rows.includes(expected), `${JSON.stringify(expected)} in ${JSON.stringify(rows)}`);
	}
	assert.deepEqual(json.schemas.names, ['public', schema], 'the schema list as PostgREST answered it');
	assert.ok(
		JSON.stringify(json.findings).includes(JSON.stringify(channel).slice(1, -1)),
		'the hostile LISTEN channel is reported'
	);
	assert.ok(!stdout.includes('\u001B') && !stdout.includes('\u0007'), 'JSON escapes control characters');
});

test('plain check: every control character is shown as an escape, no forged PASS line', async () => {
	const {stdout, stderr} = await runCli(['check', '--db-url', item.dbUrl, '--api-url', item.api.url], {
		NO_COLOR: '1',
	});
	assertTerminalSafe(stdout + stderr, 'check');
	// Names in messages are quoted as SQL would quote them: control characters as U&"…" escapes.
	assert.match(
		stdout,
		/U&"t\\001B\[31mred\\001B\]0;pwned\\0007"/,
		'the table name is shown with its escapes visible'
	);
	assert.ok(stdout.includes('U&"x\\000D\\000A✔ PASS  forged"'), 'the forged line is shown inline, escaped');
	assert.ok(stdout.includes('ch\\x1b]0;pwned\\x07\\r\\n✔ PASS  forged'), 'the LISTEN channel is shown escaped');
	assert.ok(stdout.includes('U&"s\\001B[31m\\0007"'), 'the schema name is shown escaped');
});

test('plain check with colour on: only our own colour codes are escape sequences', async () => {
	const {stdout} = await runCli(['check', '--db-url', item.dbUrl, '--api-url', item.api.url], {FORCE_COLOR: '1'});
	assert.ok(stdout.includes('\u001B[31m✖ FAIL'), 'colour is on');
	assertTerminalSafe(stdout, 'check in colour', {colour: true});
});

test('the dry run of --fix and the sql command print a hostile channel safely', async () => {
	const hostile = `ch${osc0}${csi}`;
	const dryRun = await runCli([
		'check',
		'--db-url',
		item.dbUrl,
		'--api-url',
		item.api.url,
		'--fix',
		'trigger',
		'--channel',
		hostile,
	]);
	assertTerminalSafe(dryRun.stdout + dryRun.stderr, 'check --fix trigger');
	assert.match(dryRun.stdout, /Would apply/);
	const sql = await runCli(['sql', 'trigger', '--channel', hostile]);
	assert.equal(sql.code, 0);
	assertTerminalSafe(sql.stdout + sql.stderr, 'sql trigger');
});

test('explain: pasted text with escapes, as an argument and on stdin, offline and against the real servers', async () => {
	const tableInJson = table.replaceAll('\u001B', '\\u001b').replaceAll('\u0007', '\\u0007');
	const pasted =
		`{"code":"PGRST205","details":null,"hint":null,"message":"Could not find the table 'public.${tableInJson}' ` +
		`in the schema cache"}`;
	const raw = `Could not find the '${column}' column of '${table}' in the schema cache${forgedPass}`;
	for (const [name, args, input] of [
		['argument', ['explain', raw], undefined],
		['stdin', ['explain', '-'], raw],
		['online', ['explain', pasted, '--db-url', item.dbUrl, '--api-url', item.api.url], undefined],
	] as const) {
		const run = await runCli([...args], {NO_COLOR: '1'}, undefined, input);
		assertTerminalSafe(run.stdout + run.stderr, `explain (${name})`);
		assert.ok(
			run.stdout.includes('\\x1b') || run.stdout.includes('\\001B'),
			`explain (${name}) shows the escape instead of emitting it`
		);
	}
});

/** A tiny server that answers every request as the given raw HTTP response (headers in latin1, so C1 bytes pass). */
async function fakeServer(
	answer: (request: string) => {status: string; headers: string; body: string}
): Promise<string> {
	const server = createServer(socket => {
		socket.once('data', data => {
			const {status, headers, body} = answer(data.toString('latin1'));
			const head =
				`HTTP/1.1 ${status}\r\n${headers}Content-Type: application/json\r\n` +
				`Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
			socket.end(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]));
		});
	}).listen(0, '127.0.0.1');
	servers.push(server);
	await new Promise(resolve => server.once('listening', resolve));
	return `http://127.0.0.1:${(server.address() as {port: number}).port}`;
}

test("a server's answers: escapes in a PostgREST error body and C1 controls in the Server header", async () => {
	const message = `JWT ${osc0}${csi}rejected${forgedPass}`;
	const refusing = await fakeServer(() => ({
		status: '401 Unauthorized',
		headers: 'Server: postgrest/12.0.2\r\n',
		body: JSON.stringify({code: 'PGRST301', message, details: null, hint: null}),
	}));
	const json = await runCli(['check', '--db-url', item.dbUrl, '--api-url', refusing, '--json']);
	assert.ok(
		JSON.stringify(json.json.findings).includes(JSON.stringify(message).slice(1, -1)),
		"the server's message is in the report"
	);
	const plain = await runCli(['check', '--db-url', item.dbUrl, '--api-url', refusing], {NO_COLOR: '1'});
	assertTerminalSafe(plain.stdout + plain.stderr, 'a hostile 401 body');
	assert.ok(plain.stdout.includes('JWT \\x1b]0;pwned\\x07'));

	// C1 controls (8-bit CSI, OSC, ST) are the only controls an HTTP header can carry past undici.
	const version = '12.0.2\u009B31m\u009D0;pwned\u009C';
	const openApi = {swagger: '2.0', info: {version, description: `PostgREST ${osc52}`}, definitions: {}};
	const lying = await fakeServer(request =>
		/accept-profile/i.test(request)
			? {
					status: '406 Not Acceptable',
					headers: `Server: postgrest/${version}\r\n`,
					body: JSON.stringify({
						code: 'PGRST106',
						message: `The schema must be one of the following: public, ${schema}`,
						details: null,
						hint: null,
					}),
				}
			: {status: '200 OK', headers: `Server: postgrest/${version}\r\n`, body: JSON.stringify(openApi)}
	);
	const lied = await runCli(['check', '--db-url', item.dbUrl, '--api-url', lying, '--json']);
	assert.equal(lied.json.postgrest.version, version, 'the Server header reached the report');
	const shown = await runCli(['check', '--db-url', item.dbUrl, '--api-url', lying], {NO_COLOR: '1'});
	assertTerminalSafe(shown.stdout + shown.stderr, 'a hostile Server header');
	assert.ok(
		shown.stdout.includes('PostgREST 12.0.2\\x9b31m\\x9d0;pwned\\x9c'),
		'the version is shown with its C1 controls visible'
	);
});
