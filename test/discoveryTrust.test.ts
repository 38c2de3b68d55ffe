// The two tiers of trust: flags and the process environment (yours) over every file of the folder (a cloned
// repository, a CI checkout). A secret of yours never goes to an address the files chose, a value of yours never
// becomes shown text through a file's interpolation, and reading the folder stays bounded whatever it holds.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {once} from 'node:events';
import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import {createServer as createHttpServer, type IncomingHttpHeaders} from 'node:http';
import {createServer} from 'node:net';
import path from 'node:path';
import {test} from 'node:test';
import {connectClient} from '../source/probes/connectClient.js';
import {ConnectionSettingsError, readConnectionConfig} from '../source/probes/connectionConfig.js';
import {ConfSyntaxError, parsePostgrestConf} from '../source/settings/postgrestConf.js';
import {shownSettings} from '../source/settings/shownSettings.js';
import {databaseTarget} from '../source/target.js';
import {runCli} from './support/cli.js';
import {discover, projectFolder as folder} from './support/projectFolder.js';

const serviceKey = 'sb_secret_the-admins-own-service-key';

test('F1: a key of yours is not sent to an API URL a file chose; a key of the same file, or an API URL of yours, is', () => {
	const directory = folder({'postgrest.conf': 'server-port = 3999\n'});
	const settings = discover(directory, {SUPABASE_SERVICE_ROLE_KEY: serviceKey});
	assert.equal(settings.apiUrl!.value, 'http://127.0.0.1:3999');
	assert.equal(settings.apiKey, undefined);
	assert.ok(
		settings.notes.includes(
			'the API key from environment (SUPABASE_SERVICE_ROLE_KEY) was not sent to http://127.0.0.1:3999, ' +
				'an address postgrest.conf (server-port) chose; pass --api-url http://127.0.0.1:3999 to send it there'
		),
		settings.notes.join('\n')
	);
	assert.ok(!settings.notes.join('\n').includes(serviceKey));
	assert.equal(discover(directory, {}, {apiKey: serviceKey}).apiKey, undefined, 'a key given by flag too');
	assert.equal(
		discover(directory, {SUPABASE_SERVICE_ROLE_KEY: serviceKey}, {apiUrl: 'http://127.0.0.1:3999'}).apiKey!.value,
		serviceKey,
		'an API URL of yours gets it'
	);
	assert.equal(
		discover(directory, {SUPABASE_SERVICE_ROLE_KEY: serviceKey, PGRST_DOCTOR_API_URL: 'http://127.0.0.1:3999'})
			.apiKey!.value,
		serviceKey
	);
	const own = discover(
		folder({'.env': `SUPABASE_URL=http://127.0.0.1:54321\nSUPABASE_SERVICE_ROLE_KEY=${serviceKey}\n`})
	);
	assert.equal(own.apiKey!.value, serviceKey, "the folder's own key goes to the folder's own URL");
});

test("F1: a database URL of the folder's without a password connects with none, never with PGPASSWORD", async () => {
	const directory = folder({'postgrest.conf': 'db-uri = "postgres://authenticator@127.0.0.1:5/app"\n'});
	const settings = discover(directory, {PGPASSWORD: 'the-admins-password'});
	assert.equal(settings.dbUrlFromFolder, true);
	assert.ok(
		settings.notes.includes(
			'postgrest.conf (db-uri) has no password, so pgrst-doctor connects without one, not with PGPASSWORD ' +
				'from your environment; put the password in the URL or pass --db-url'
		),
		settings.notes.join('\n')
	);
	assert.equal(
		discover(directory, {}, {dbUrl: 'postgres://a@127.0.0.1/app'}).dbUrlFromFolder,
		undefined,
		'a flag is yours'
	);
	assert.equal(
		discover(folder({'postgrest.conf': 'db-uri = "$(APP_DB_URL)"\n'}), {APP_DB_URL: 'postgres://a@127.0.0.1/app'})
			.dbUrlFromFolder,
		undefined,
		'one variable of yours is yours'
	);

	// A server that asks for a cleartext password and records the one it gets, in place of PostgreSQL.
	const received: string[] = [];
	const server = createServer(socket => {
		let startup = true;
		socket.on('data', (data: Buffer) => {
			if (startup) {
				startup = false;
				socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3]));
				return;
			}
			if (data[0] === 0x70) received.push(data.subarray(5, data.readUInt32BE(1) + 1 - 1).toString());
			socket.destroy();
		});
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const {port} = server.address() as {port: number};
	const previous = process.env.PGPASSWORD;
	process.env.PGPASSWORD = 'the-admins-password';
	try {
		for (const [url, ambientPassword] of [
			[`postgres://folder@127.0.0.1:${port}/app?sslmode=disable`, false],
			[`postgres://yours@127.0.0.1:${port}/app?sslmode=disable`, true],
		] as const) {
			const target = databaseTarget(url, {ambientPassword});
			assert.equal(target.ambientPassword, ambientPassword ? undefined : false);
			await assert.rejects(connectClient(target.connectionString, {timeoutMs: 2000}));
		}
	} finally {
		if (previous === undefined) delete process.env.PGPASSWORD;
		else process.env.PGPASSWORD = previous;
		server.close();
	}
	assert.deepEqual(
		received,
		['', 'the-admins-password'],
		"the folder's URL sent an empty password; a URL of yours still takes PGPASSWORD, as before"
	);
});

test('F1: with no password to give, a server that wants SCRAM is a refused login, not a crash', async () => {
	// Asks for SCRAM-SHA-256 and answers the client's first message, after which pg needs the password.
	const server = createServer(socket => {
		let messages = 0;
		socket.on('data', () => {
			messages++;
			if (messages === 1) {
				const mechanism = Buffer.from('SCRAM-SHA-256\0\0');
				const header = Buffer.alloc(9);
				header.write('R');
				header.writeUInt32BE(8 + mechanism.length, 1);
				header.writeUInt32BE(10, 5);
				socket.write(Buffer.concat([header, mechanism]));
			} else if (messages === 2) {
				const first = Buffer.from('r=clientnonceservernonce,s=c2FsdA==,i=4096');
				const header = Buffer.alloc(9);
				header.write('R');
				header.writeUInt32BE(8 + first.length, 1);
				header.writeUInt32BE(11, 5);
				socket.write(Buffer.concat([header, first]));
			}
		});
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const {port} = server.address() as {port: number};
	try {
		const target = databaseTarget(`postgres://scram@127.0.0.1:${port}/app?sslmode=disable`, {
			ambientPassword: false,
		});
		await assert.rejects(
			connectClient(target.connectionString, {timeoutMs: 2000}),
			(error: Error & {code?: string}) =>
				error.code === '28P01' && /the database URL has no password/.test(error.message)
		);
	} finally {
		server.close();
	}
});

test('F3: a value a file built from your environment or another key is not shown or used, only the reference is named', () => {
	const environment = {GITHUB_TOKEN: 'ghp_the-admins-token', APP_DB_URL: 'postgres://a:pw@db.example/app'};
	const conf = discover(
		folder({
			'postgrest.conf':
				'db-uri = "$(APP_DB_URL)"\ndb-channel = "$(GITHUB_TOKEN)"\ndb-schemas = "api,$(db-uri)"\ndb-anon-role ' +
				'= "x$(GITHUB_TOKEN)"\nserver-host = "$(GITHUB_TOKEN)"\n',
		}),
		environment
	);
	const text = JSON.stringify({shown: shownSettings(conf), notes: conf.notes});
	assert.ok(!text.includes('ghp_') && !text.includes('pw'), text);
	assert.equal(conf.channel, undefined);
	assert.equal(conf.schemas, undefined);
	assert.equal(conf.anonRole, undefined);
	assert.ok(
		conf.notes.includes(
			'postgrest.conf (db-channel) takes its value from $(GITHUB_TOKEN), which is not used; pass --channel'
		),
		conf.notes.join('\n')
	);
	assert.ok(
		conf.notes.includes(
			'postgrest.conf (db-schemas) takes its value from $(db-uri), which is not used; pass --schemas'
		)
	);
	assert.ok(
		conf.notes.includes(
			'postgrest.conf (server-host) takes its value from $(GITHUB_TOKEN), which is not used; pass --api-url'
		)
	);
	assert.deepEqual(
		conf.dbUrl,
		{value: environment.APP_DB_URL, from: 'postgrest.conf (db-uri = $(APP_DB_URL))'},
		'exactly one variable of yours counts as that variable'
	);
	const compose = `services:
  db:
    image: postgres
    ports: ["6543:5432"]
  rest:
    image: postgrest/postgrest
    ports: ["3000:3000"]
    environment:
      PGRST_DB_URI: \${APP_DB_URL}
      PGRST_DB_CHANNEL: \${GITHUB_TOKEN}
      PGRST_DB_SCHEMAS: \${SCHEMAS}
`;
	const fromCompose = discover(folder({'compose.yaml': compose, '.env': 'SCHEMAS=api\n'}), {
		...environment,
		APP_DB_URL: 'postgres://a:pw@db:5432/app',
	});
	assert.equal(fromCompose.channel, undefined);
	assert.ok(
		fromCompose.notes.includes(
			'compose.yaml (service rest: PGRST_DB_CHANNEL) takes its value from ${GITHUB_TOKEN}, which is not used; pass --channel'
		),
		fromCompose.notes.join('\n')
	);
	assert.deepEqual(
		fromCompose.schemas,
		{value: ['api'], from: 'compose.yaml (service rest: PGRST_DB_SCHEMAS)'},
		"a value from .env only is the folder's own"
	);
	assert.deepEqual(
		fromCompose.dbUrl,
		{value: 'postgres://a:pw@db:5432/app', from: 'compose.yaml (service rest: PGRST_DB_URI = ${APP_DB_URL})'},
		"your URL is not moved to the service's published port"
	);
	const mixed = discover(
		folder({
			'compose.yaml': compose.replace('${APP_DB_URL}', 'postgres://a:${POSTGRES_PASSWORD}@evil.example/app'),
		}),
		{POSTGRES_PASSWORD: 'pw'}
	);
	assert.equal(mixed.dbUrl, undefined);
	assert.ok(
		mixed.notes.includes(
			"compose.yaml (service rest: PGRST_DB_URI) was not used: it would put your environment's value " +
				'(${POSTGRES_PASSWORD}) into an address the file chose; pass --db-url'
		),
		mixed.notes.join('\n')
	);
	const selfHosted = compose.replace(
		'${APP_DB_URL}',
		'postgres://authenticator:${POSTGRES_PASSWORD}@${POSTGRES_HOST}:${POSTGRES_PORT}/${POSTGRES_DB}'
	);
	const supabase = discover(
		folder({
			'compose.yaml': selfHosted,
			'.env': 'POSTGRES_PASSWORD=secret\nPOSTGRES_HOST=db\nPOSTGRES_PORT=5432\nPOSTGRES_DB=postgres\n',
		})
	);
	assert.equal(
		supabase.dbUrl!.value,
		'postgres://authenticator:secret@127.0.0.1:6543/postgres',
		"self-hosted Supabase's compose with its .env still works"
	);
});

test("F2: an admin server from a file is used only on the API URL's host", () => {
	const settings = discover(
		folder({
			'postgrest.conf':
				'server-host = "127.0.0.1"\nserver-port = 3000\nadmin-server-host = "127.0.0.2"\nadmin-server-port = 3001\n',
		})
	);
	assert.equal(settings.adminUrl, undefined);
	assert.ok(
		settings.notes.includes(
			"postgrest.conf (admin-server-port) was not used: its host 127.0.0.2:3001 is not the API URL's " +
				'(127.0.0.1:3000); pass --admin-url'
		),
		settings.notes.join('\n')
	);
	assert.equal(
		discover(folder({'postgrest.conf': 'server-port = 3000\nadmin-server-port = 3001\n'})).adminUrl!.value,
		'http://127.0.0.1:3001'
	);
});

test("F4: a candidate's TLS files are not read; the URL used reads only a regular file of at most 1 MiB", () => {
	const directory = folder({});
	const fifo = path.join(directory, 'fifo');
	execFileSync('mkfifo', [fifo]);
	writeFileSync(
		path.join(directory, 'postgrest.conf'),
		`db-uri = "postgres://a:b@127.0.0.1/app?sslmode=verify-ca&sslrootcert=${fifo}"\n`
	);
	assert.equal(
		discover(directory, {}, {dbUrl: 'postgres://a:b@127.0.0.1/app'}).dbUrl!.from,
		'--db-url',
		"returns at once: the losing candidate's FIFO is not opened"
	);
	assert.equal(discover(directory).dbUrl!.from, 'postgrest.conf (db-uri)', 'the winner is checked without its files');
	const surroundings = {environment: {}, home: directory, userId: undefined};
	assert.throws(
		() => readConnectionConfig(`postgres://a@h/db?sslmode=verify-ca&sslrootcert=${fifo}`, surroundings),
		(error: Error) =>
			error instanceof ConnectionSettingsError &&
			error.message ===
				`The database URL's sslrootcert=${fifo} is not a regular file: name the certificate or key file itself.`
	);
	assert.throws(
		() => readConnectionConfig('postgres://a@h/db?sslmode=verify-ca&sslrootcert=/dev/zero', surroundings),
		/sslrootcert=\/dev\/zero is not a regular file/
	);
	const big = path.join(directory, 'big.crt');
	writeFileSync(big, Buffer.alloc(1024 * 1024 + 1, 65));
	assert.throws(
		() => readConnectionConfig(`postgres://a@h/db?sslmode=require&sslcert=${big}&sslkey=${big}`, surroundings),
		/sslcert=.*big\.crt is larger than 1 MiB/
	);
});

test('F5: a symbolic link on the way to a file found here is not followed', () => {
	const elsewhere = folder({'config.toml': '[db]\nport = 6000\n'});
	const directory = folder({});
	symlinkSync(elsewhere, path.join(directory, 'supabase'));
	const settings = discover(directory);
	assert.equal(settings.dbUrl, undefined);
	assert.ok(
		settings.notes.includes(
			`supabase${path.sep} is a symbolic link, which pgrst-doctor does not follow, so supabase${path.sep}config.toml ` +
				`was not read: pass it with --config supabase${path.sep}config.toml`
		),
		settings.notes.join('\n')
	);
});

test('F6: 300,000 #; or nested groups are a syntax error, not a stack overflow', () => {
	assert.equal(
		parsePostgrestConf(`${'#; '.repeat(300_000)}db-channel = "x"\ndb-schemas = "api"\n`, {}).values.get(
			'db-schemas'
		),
		'api',
		'every #; before a directive comments out that one directive'
	);
	assert.throws(
		() => parsePostgrestConf('a {\n'.repeat(300_000), {}),
		(error: Error) => error instanceof ConfSyntaxError && /nested deeper than 32/.test(error.message)
	);
	assert.throws(() => parsePostgrestConf(`a = ${'['.repeat(300_000)}`, {}), ConfSyntaxError);
	const settings = discover(folder({'postgrest.conf': 'a{\n'.repeat(300_000)}));
	assert.ok(
		settings.notes.some(note =>
			/^postgrest\.conf was not used: line 33: groups are nested deeper than 32/.test(note)
		),
		settings.notes.join('\n')
	);
});

test("F9: .env.local and .env that disagree are named; a file's long channel is named by its key", () => {
	const settings = discover(
		folder({
			'.env.local': 'DATABASE_URL=postgres://a:x@one.example/app\n',
			'.env': 'DATABASE_URL=postgres://a:y@two.example/app\n',
		})
	);
	assert.equal(settings.dbUrl!.from, '.env.local (DATABASE_URL)');
	assert.ok(
		settings.notes.includes(
			'.env.local (DATABASE_URL) and .env (DATABASE_URL) disagree (a@one.example:5432/app and a@two.example:5432/app); ' +
				'.env.local (DATABASE_URL) was used'
		),
		settings.notes.join('\n')
	);
	const long = discover(folder({'postgrest.conf': `db-channel = "${'c'.repeat(142)}"\n`}));
	assert.ok(
		long.notes.includes(
			'postgrest.conf (db-channel) was not used: the channel is 142 bytes long; PostgreSQL channel names are 1 to 63 bytes.'
		),
		long.notes.join('\n')
	);
});

test('F10: a compose.yaml that is a directory does not hide docker-compose.yml', () => {
	const directory = folder({
		'docker-compose.yml':
			'services:\n  rest:\n    network_mode: host\n    environment:\n      PGRST_SERVER_PORT: "3555"\n',
	});
	mkdirSync(path.join(directory, 'compose.yaml'));
	assert.equal(
		discover(directory).apiUrl!.from,
		'docker-compose.yml (service rest: PGRST_SERVER_PORT, network_mode host)'
	);
});

test('F1 end to end: the key from your environment never reaches an API a postgrest.conf chose', async () => {
	const seen: IncomingHttpHeaders[] = [];
	const server = createHttpServer((request, response) => {
		seen.push(request.headers);
		response.writeHead(404).end();
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const {port} = server.address() as {port: number};
	try {
		const directory = folder({'postgrest.conf': `server-port = ${port}\n`});
		const {json} = await runCli(
			['check', '--json'],
			{SUPABASE_SERVICE_ROLE_KEY: serviceKey},
			undefined,
			undefined,
			directory
		);
		assert.ok(seen.length > 0, 'the doctor asked the address the file chose');
		assert.ok(
			seen.every(headers => !JSON.stringify(headers).includes(serviceKey)),
			'no request carried the key'
		);
		assert.ok(
			json.settingsNotes.includes(
				`the API key from environment (SUPABASE_SERVICE_ROLE_KEY) was not sent to http://127.0.0.1:${port}, ` +
					`an address postgrest.conf (server-port) chose; pass --api-url http://127.0.0.1:${port} to send it there`
			),
			JSON.stringify(json.settingsNotes)
		);
		seen.length = 0;
		await runCli(
			['check', '--json', '--api-url', `http://127.0.0.1:${port}`],
			{SUPABASE_SERVICE_ROLE_KEY: serviceKey},
			undefined,
			undefined,
			directory
		);
		assert.ok(
			seen.some(headers => JSON.stringify(headers).includes(serviceKey)),
			'with the address given, the key is sent (the capture works)'
		);
	} finally {
		server.close();
	}
});
