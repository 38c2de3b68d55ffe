// Discovery's readers and its merge, over files as users write them: a Supabase project's .env.local, a
// postgrest.conf with comments, quotes and $(VAR), Compose files in list and map form with ${VAR:-x}, and
// supabase/config.toml. Each test writes a temporary directory and reads it as the CLI does.
import assert from 'node:assert/strict';
import {symlinkSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {composeCandidates, interpolateCompose} from '../source/settings/composeFile.js';
import {defaultLocalJwtSecret, localServiceKey} from '../source/settings/localServiceKey.js';
import {ConfSyntaxError, parsePostgrestConf} from '../source/settings/postgrestConf.js';
import {confBoolean} from '../source/settings/settingCandidates.js';
import {keyKind, shownSettings} from '../source/settings/shownSettings.js';
import {UsageError} from '../source/target.js';
import {discover, projectFolder as folder} from './support/projectFolder.js';

/** The well-known local service_role key of `supabase start` (Supabase CLI, pkg/config/apikeys.go). */
// The Supabase CLI's local demo keys (public): header, payload and signature.
const supabaseLocalServiceRole = [
	'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
	'eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0',
	'EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU',
].join('.');
const supabaseLocalAnon = [
	'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
	'eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9',
	'CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0',
].join('.');

const postgrestConf = `# postgrest.conf, as in PostgREST's docs
db-uri = "postgres://authenticator:$(PGRST_PASSWORD)@db.internal:5432/app?sslmode=require"   # the authenticator
db-schemas = "api, public"
db-anon-role = "web_anon"
db-channel = "app"  # a custom channel
db-channel-enabled = true
jwt-secret = "quote \\" and backslash \\\\ and \\u00e9"
server-port = 3999
admin-server-port = 3998

#; db-pool = 1000
app.settings {
  price = "$$5 for $(db-anon-role)"
}
`;

test('postgrest.conf: comments, quotes, escapes, numbers, booleans, groups, $(VAR) and $$ read as PostgREST reads them', () => {
	const conf = parsePostgrestConf(postgrestConf, {PGRST_PASSWORD: 'pa$$'});
	assert.equal(
		conf.values.get('db-uri'),
		'postgres://authenticator:pa$$@db.internal:5432/app?sslmode=require',
		'an environment variable, and its own $ kept'
	);
	assert.equal(conf.values.get('db-schemas'), 'api, public');
	assert.equal(conf.values.get('db-channel-enabled'), true);
	assert.equal(conf.values.get('server-port'), 3999);
	assert.equal(conf.values.get('jwt-secret'), 'quote " and backslash \\ and é');
	assert.equal(conf.values.has('db-pool'), false, '#; comments out the directive after it');
	assert.equal(conf.values.get('app.settings.price'), '$5 for web_anon', 'a key of the file, from inside a group');
	assert.deepEqual(conf.problems, []);
});

test('postgrest.conf: a $(VAR) that is not set leaves out that value with a note; a syntax error refuses the file', () => {
	const conf = parsePostgrestConf('db-uri = "postgres://u:$(NOT_SET)@h/db"\ndb-channel = "app"\n', {});
	assert.equal(conf.values.has('db-uri'), false);
	assert.equal(conf.values.get('db-channel'), 'app');
	assert.match(conf.problems[0]!, /db-uri uses \$\(NOT_SET\), which is not set in this environment/);
	assert.throws(() => parsePostgrestConf('db-uri = postgres://u@h/db\n', {}), ConfSyntaxError, 'an unquoted string');
	assert.throws(() => parsePostgrestConf('db-channel = "app" db-schemas = "x"\n', {}), /line 1/);
	assert.throws(
		() => parsePostgrestConf("db-channel = 'app'\n", {}),
		ConfSyntaxError,
		'single quotes are not strings'
	);
	assert.deepEqual(parsePostgrestConf('list = [1, "a",\n  true] # end\nimport "other.conf"\n', {}).problems, [
		'it imports "other.conf", which pgrst-doctor does not follow',
	]);
});

test('db-channel-enabled is read as PostgREST reads a boolean', () => {
	for (const [value, expected] of [
		[false, false],
		['false', false],
		['FALSE', false],
		['"true"', true],
		['0', false],
		['1', true],
		['off', undefined],
	] as const) {
		assert.equal(confBoolean(value), expected, String(value));
	}
});

test('no flags in a folder with postgrest.conf: every setting, with the key it came from', () => {
	const directory = folder({'postgrest.conf': postgrestConf});
	const settings = discover(directory, {PGRST_PASSWORD: 'pw'});
	assert.equal(settings.dbUrl, undefined, "a db-uri mixing the file's text with the environment's is not used");
	assert.ok(
		settings.notes.includes(
			"postgrest.conf (db-uri) was not used: it would put your environment's value ($(PGRST_PASSWORD)) " +
				'into an address the file chose; pass --db-url'
		),
		settings.notes.join('\n')
	);
	assert.deepEqual(settings.apiUrl, {value: 'http://127.0.0.1:3999', from: 'postgrest.conf (server-port)'});
	assert.deepEqual(settings.adminUrl, {value: 'http://127.0.0.1:3998', from: 'postgrest.conf (admin-server-port)'});
	assert.deepEqual(settings.schemas, {value: ['api', 'public'], from: 'postgrest.conf (db-schemas)'});
	assert.deepEqual(settings.channel, {value: 'app', from: 'postgrest.conf (db-channel)'});
	assert.deepEqual(settings.channelEnabled, {value: true, from: 'postgrest.conf (db-channel-enabled)'});
	assert.deepEqual(settings.anonRole, {value: 'web_anon', from: 'postgrest.conf (db-anon-role)'});
	const shown = shownSettings(settings);
	const own = discover(folder({'postgrest.conf': postgrestConf.replace('$(PGRST_PASSWORD)', 'pw')}));
	assert.deepEqual(
		shownSettings(own).find(row => row.name === 'db-url'),
		{name: 'db-url', value: 'authenticator@db.internal:5432/app', from: 'postgrest.conf (db-uri)'}
	);
	assert.deepEqual(
		shown.find(row => row.name === 'jwt-secret'),
		{name: 'jwt-secret', value: 'set', from: 'postgrest.conf (jwt-secret)'}
	);
	assert.ok(
		!JSON.stringify(shown).includes('pw@') && !JSON.stringify(shown).includes('backslash'),
		'no password, no JWT secret'
	);
});

test("a postgrest.conf without server-port means PostgREST's default port, and says so", () => {
	const settings = discover(folder({'postgrest.conf': 'db-uri = "postgres://a@localhost/app"\n'}));
	assert.deepEqual(settings.apiUrl, {
		value: 'http://127.0.0.1:3000',
		from: "postgrest.conf (server-port not set: PostgREST's default 3000)",
	});
});

const supabaseEnvLocal = `# Supabase (supabase status -o env)
NEXT_PUBLIC_SUPABASE_URL=http://127.0.0.1:54321
NEXT_PUBLIC_SUPABASE_ANON_KEY=${supabaseLocalAnon}
SUPABASE_SERVICE_ROLE_KEY="${supabaseLocalServiceRole}"
DATABASE_URL='postgresql://postgres:postgres@127.0.0.1:54322/postgres'
`;

test("a Supabase project's .env.local: the URL means /rest/v1, the service role key is preferred to the anon key", () => {
	const settings = discover(folder({'.env.local': supabaseEnvLocal}));
	assert.deepEqual(settings.apiUrl, {
		value: 'http://127.0.0.1:54321/rest/v1',
		from: '.env.local (NEXT_PUBLIC_SUPABASE_URL + /rest/v1)',
	});
	assert.deepEqual(settings.apiKey, {
		value: supabaseLocalServiceRole,
		from: '.env.local (SUPABASE_SERVICE_ROLE_KEY)',
	});
	assert.deepEqual(settings.dbUrl, {
		value: 'postgresql://postgres:postgres@127.0.0.1:54322/postgres',
		from: '.env.local (DATABASE_URL)',
	});
	assert.equal(shownSettings(settings).find(row => row.name === 'api-key')!.value, 'service_role key (JWT)');
});

test('precedence: flags over the environment over .env.local over .env over the config files', () => {
	const directory = folder({
		'.env.local': 'DATABASE_URL=postgresql://local@127.0.0.1:5432/a\n',
		'.env': 'DATABASE_URL=postgresql://dotenv@127.0.0.1:5432/a\nPGRST_DB_CHANNEL=from_env_file\n',
		'postgrest.conf': 'db-uri = "postgresql://conf@127.0.0.1:5432/a"\ndb-channel = "from_conf"\n',
	});
	assert.equal(discover(directory).dbUrl!.from, '.env.local (DATABASE_URL)');
	assert.equal(discover(directory).channel!.from, '.env (PGRST_DB_CHANNEL)');
	assert.equal(
		discover(directory, {SUPABASE_DB_URL: 'postgresql://env@127.0.0.1:5432/a'}).dbUrl!.from,
		'environment (SUPABASE_DB_URL)'
	);
	assert.equal(
		discover(
			directory,
			{DATABASE_URL: 'postgresql://env@127.0.0.1:5432/a'},
			{dbUrl: 'postgresql://flag@127.0.0.1:5432/a'}
		).dbUrl!.from,
		'--db-url'
	);
	assert.equal(discover(directory, {PGRST_DB_CHANNEL: 'env'}, {channel: 'flag'}).channel!.value, 'flag');
	assert.equal(
		discover(directory, {
			DATABASE_URL: 'postgresql://one@127.0.0.1:5432/a',
			PGRST_DB_URI: 'postgresql://two@127.0.0.1:5432/a',
		}).dbUrl!.from,
		'environment (DATABASE_URL)'
	);
	assert.equal(
		discover(directory, {
			DIRECT_URL: 'postgresql://one@127.0.0.1:5432/a',
			PGRST_DB_URI: 'postgresql://two@127.0.0.1:5432/a',
		}).dbUrl!.from,
		'environment (PGRST_DB_URI)'
	);
});

test('two files that disagree: the higher one is used and a note names both, with no password', () => {
	const directory = folder({
		'.env': 'DATABASE_URL=postgresql://postgres:hunter2@127.0.0.1:5432/app\n',
		'postgrest.conf': 'db-uri = "postgresql://authenticator:hunter3@127.0.0.1:5433/other"\n',
	});
	const settings = discover(directory);
	assert.equal(settings.dbUrl!.from, '.env (DATABASE_URL)');
	assert.deepEqual(settings.notes, [
		'.env (DATABASE_URL) and postgrest.conf (db-uri) disagree (postgres@127.0.0.1:5432/app and ' +
			'authenticator@127.0.0.1:5433/other); .env (DATABASE_URL) was used',
	]);
});

test('a value that does not parse is left out with a note that does not repeat it, and the next one is used', () => {
	const settings = discover(
		folder({
			'.env':
				'DATABASE_URL=mysql://root:topsecret@db/app\nDIRECT_URL=postgresql://u@127.0.0.1:5432/app\nSUPABASE_SERVICE_ROLE_KEY=has ' +
				'a space\nSUPABASE_ANON_KEY=sb_publishable_abc\n',
		})
	);
	assert.equal(settings.dbUrl!.from, '.env (DIRECT_URL)');
	assert.equal(settings.apiKey!.from, '.env (SUPABASE_ANON_KEY)');
	assert.equal(keyKind(settings.apiKey!.value), 'sb_publishable_… key');
	assert.equal(settings.notes.length, 2);
	assert.match(
		settings.notes[0]!,
		/^\.env \(DATABASE_URL\) was not used: The database URL must start with postgresql:\/\/, not mysql:/
	);
	assert.ok(!settings.notes.join('\n').includes('topsecret') && !settings.notes.join('\n').includes('has a space'));
});

test('a flag that does not parse stays a usage error', () => {
	assert.throws(() => discover(folder({}), {}, {dbUrl: 'mysql://x'}), UsageError);
	assert.throws(() => discover(folder({}), {}, {channel: ''}), UsageError);
});

const composeList = `services:
  db:
    image: postgres:17
    ports:
      - "127.0.0.1:\${DB_PORT:-5433}:5432"
  rest:
    image: postgrest/postgrest
    ports: ["3001:3000", {target: 3002, published: "3003"}]
    environment:
      - PGRST_DB_URI=postgres://authenticator:\${PGRST_PASSWORD:?set it}@db:5432/app
      - PGRST_DB_SCHEMAS=\${SCHEMAS:-api}
      - PGRST_DB_ANON_ROLE=anon
      - PGRST_DB_CHANNEL_ENABLED=false
      - PGRST_ADMIN_SERVER_PORT=3002
`;

test("compose, list form: PGRST_* with ${VAR:-default}, the published ports, and the database reached through its service's port", () => {
	const found = composeCandidates(composeList, 'compose.yaml', {PGRST_PASSWORD: 'pw'});
	const byField = Object.fromEntries(found.candidates.map(candidate => [candidate.field, candidate]));
	assert.deepEqual(byField.dbUrl, {
		field: 'dbUrl',
		value: 'postgres://authenticator:pw@127.0.0.1:5433/app',
		from: 'compose.yaml (service rest: PGRST_DB_URI, db:5432 published as 127.0.0.1:5433)',
	});
	assert.deepEqual(byField.apiUrl, {
		field: 'apiUrl',
		value: 'http://127.0.0.1:3001',
		from: "compose.yaml (service rest: PGRST_SERVER_PORT not set: PostgREST's default 3000, port 3000 published as 3001)",
	});
	assert.equal(byField.adminUrl!.value, 'http://127.0.0.1:3003');
	assert.equal(byField.schemas!.value, 'api');
	assert.equal(byField.channelEnabled!.value, 'false');
	assert.deepEqual(found.problems, []);
});

test('compose, map form: values from .env and the environment, an unpublished port is a note', () => {
	const text = `services:
  postgrest:
    image: postgrest/postgrest:v12.0.2
    environment:
      PGRST_DB_URI: \${DATABASE_URL}
      PGRST_DB_CHANNEL: app
      PGRST_SERVER_PORT: 8080
      PGRST_DB_CHANNEL_ENABLED: true
`;
	const found = composeCandidates(text, 'docker-compose.yml', {DATABASE_URL: 'postgres://a@example.com/app'});
	assert.deepEqual(
		found.candidates.map(candidate => [candidate.field, candidate.value]),
		[
			['dbUrl', 'postgres://a@example.com/app'],
			['channel', 'app'],
			['channelEnabled', 'true'],
		]
	);
	assert.deepEqual(found.problems, [
		"docker-compose.yml: service postgrest does not publish PostgREST's port 8080, so it cannot be reached from here",
	]);
	const directory = folder({'docker-compose.yml': text, '.env': 'DATABASE_URL=postgres://b@example.com/app\n'});
	assert.equal(discover(directory).channel!.from, 'docker-compose.yml (service postgrest: PGRST_DB_CHANNEL)');
});

test('compose: an environment shared through an anchor and a merge key (<<: *defaults) is read', () => {
	const text = `x-pgrst-env: &pgrst
  PGRST_DB_SCHEMAS: api
  PGRST_DB_ANON_ROLE: web_anon
services:
  rest:
    image: postgrest/postgrest
    environment:
      <<: *pgrst
      PGRST_DB_CHANNEL: app
`;
	const found = composeCandidates(text, 'compose.yaml', {});
	assert.deepEqual(found.candidates.map(candidate => [candidate.field, candidate.value]).sort(), [
		['anonRole', 'web_anon'],
		['channel', 'app'],
		['schemas', 'api'],
	]);
});

test('Compose interpolation: defaults, alternatives, $$ and nesting', () => {
	const variables = {SET: 'x', EMPTY: ''};
	assert.equal(
		interpolateCompose(
			'${SET}-$SET-${UNSET}-$$-${UNSET:-d}-${EMPTY:-d}-${EMPTY-d}-${SET:+alt}-${UNSET:-${SET}}',
			variables
		),
		'x-x--$-d-d--alt-x'
	);
});

test("supabase/config.toml: the local stack's URLs and schemas, and its default service_role key when no key was found", () => {
	const directory = folder({
		'supabase/config.toml':
			'project_id = "demo"\n[api]\nport = 64321\nschemas = ["public", "graphql_public"]\n[db]\nport = 64322\n',
	});
	const settings = discover(directory);
	assert.deepEqual(settings.apiUrl, {
		value: 'http://127.0.0.1:64321/rest/v1',
		from: 'supabase/config.toml ([api] port + /rest/v1)',
	});
	assert.deepEqual(settings.dbUrl, {
		value: 'postgresql://postgres:postgres@127.0.0.1:64322/postgres',
		from: 'supabase/config.toml ([db] port)',
	});
	assert.deepEqual(settings.schemas, {
		value: ['public', 'graphql_public'],
		from: 'supabase/config.toml ([api] schemas)',
	});
	assert.deepEqual(settings.apiKey, {
		value: supabaseLocalServiceRole,
		from: "supabase/config.toml (supabase start's default service_role key)",
	});
	assert.equal(
		discover(directory, {SUPABASE_ANON_KEY: 'sb_publishable_x'}, {apiUrl: 'http://127.0.0.1:64321'}).apiKey!.from,
		'environment (SUPABASE_ANON_KEY)',
		'a key of yours wins over the made one, at an address of yours'
	);
	assert.equal(
		discover(folder({'supabase/config.toml': '', '.env': 'SERVICE_ROLE_KEY=sb_secret_x\n'})).apiKey!.from,
		'.env (SERVICE_ROLE_KEY)',
		"supabase status -o env's names count"
	);
	assert.equal(
		discover(directory, {}, {apiUrl: 'https://abcdefghijklmnopqrst.supabase.co/rest/v1'}).apiKey,
		undefined,
		'no local key for a cloud project'
	);
	const defaults = discover(folder({'supabase/config.toml': '[auth]\njwt_secret = "env(MY_JWT_SECRET)"\n'}), {
		MY_JWT_SECRET: 'another-secret-of-at-least-thirty-two-chars',
	});
	assert.equal(defaults.apiUrl!.value, 'http://127.0.0.1:54321/rest/v1');
	assert.equal(defaults.dbUrl!.from, "supabase/config.toml ([db] port not set: supabase start's default)");
	assert.equal(defaults.apiKey!.value, localServiceKey('another-secret-of-at-least-thirty-two-chars'));
});

test('the local service_role key is the one supabase start makes', () => {
	assert.equal(localServiceKey(), supabaseLocalServiceRole);
	assert.equal(localServiceKey(defaultLocalJwtSecret), supabaseLocalServiceRole);
});

test('bounded: a file over 1 MiB and a symbolic link are not read, with a note; --config and --dotenv must be readable', () => {
	const directory = folder({
		'.env': `DATABASE_URL=postgresql://a@127.0.0.1/db\n#${'x'.repeat(1024 * 1024)}\n`,
		'elsewhere/postgrest.conf': 'db-channel = "far"\n',
	});
	symlinkSync(path.join(directory, 'elsewhere/postgrest.conf'), path.join(directory, 'postgrest.conf'));
	const settings = discover(directory);
	assert.equal(settings.dbUrl, undefined);
	assert.equal(settings.channel, undefined);
	assert.deepEqual(settings.notes, [
		'.env is larger than 1 MiB, so it was not read',
		'postgrest.conf is a symbolic link, which pgrst-doctor does not follow: pass it with --config postgrest.conf',
	]);
	assert.equal(
		discover(directory, {}, {config: 'postgrest.conf'}).channel!.from,
		'postgrest.conf (db-channel)',
		'a file given by flag is read wherever it is'
	);
	assert.throws(
		() => discover(directory, {}, {config: 'missing.conf'}),
		/^Error: --config missing\.conf does not exist; give the path of a readable file\.$/
	);
	assert.throws(() => discover(directory, {}, {dotenv: 'elsewhere'}), /--dotenv elsewhere is not a file/);
});

test('--config reads the format its name says, and replaces looking for postgrest.conf, compose and supabase here', () => {
	const directory = folder({
		'postgrest.conf': 'db-channel = "here"\n',
		'ops/api.yaml': composeList,
		'ops/pgrst.conf': 'db-channel = "ops"\n',
	});
	assert.equal(discover(directory, {}, {config: 'ops/pgrst.conf'}).channel!.value, 'ops');
	assert.equal(
		discover(directory, {PGRST_PASSWORD: 'pw'}, {config: 'ops/api.yaml'}).anonRole!.from,
		'ops/api.yaml (service rest: PGRST_DB_ANON_ROLE)'
	);
	assert.equal(discover(directory, {}, {config: 'ops/api.yaml'}).channel, undefined);
});

test('an admin server found with another source than the API URL is not used', () => {
	const settings = discover(
		folder({
			'.env': 'SUPABASE_URL=https://abcdefghijklmnopqrst.supabase.co\n',
			'postgrest.conf': 'admin-server-port = 3001\n',
		})
	);
	assert.equal(settings.adminUrl, undefined);
	assert.match(
		settings.notes.at(-1)!,
		/^postgrest\.conf \(admin-server-port\) was not used: it belongs to another source than the API URL/
	);
});

test("postgrest.conf: the layouts PostgREST's parser (configurator-pg) accepts: line breaks and comments around =, lists over lines, nested groups", () => {
	const text =
		'# top\nkey-a # after the key\n= # after the equals\n 7 # after the value\n\nkey-b =\n"text"\n\nouter ' +
		'{\n  # inside\n  n=2\n\n  flag=on\n}\nlist\n=\n[\n1\n#one\n,\n#two\n"b"\n]#end\ndeep { one-a ' +
		'{ two_b { leaf=false}}}\n#; skipped {\n  x = 1\n}\nhome = "$(HOME)"\n';
	assert.deepEqual(Object.fromEntries(parsePostgrestConf(text, {HOME: '/home/app'}).values), {
		'key-a': 7,
		'key-b': 'text',
		'outer.n': 2,
		'outer.flag': true,
		list: [1, 'b'],
		'deep.one-a.two_b.leaf': false,
		home: '/home/app',
	});
});
