// The config-against-server checks over facts: a comparison is a claim only when both sides were read, and the
// schema list falls back to PostgREST's config only where PostgREST and the database do not say.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Facts} from '../source/checks/check.js';
import {configListener, configServer} from '../source/checks/configMatches.js';
import {exposedSchemas} from '../source/collectFacts.js';
import type {ApiFacts} from '../source/probes/postgrest.js';
import type {Channel} from '../source/sql/channel.js';

const base = (settings: Facts['settings'], extra: Partial<Facts> = {}): Facts => ({
	channel: 'pgrst' as Channel,
	schemas: ['public'],
	schemasSource: 'default',
	poolerHints: [],
	timings: {},
	settings,
	...extra,
});

const api = (exposed: string[] | null) => ({exposedSchemas: exposed}) as unknown as ApiFacts;

test('config.server does not apply to settings given as flags, and skips what it could not read on the server', () => {
	assert.equal(configServer.appliesTo!(base({notes: [], channel: {value: 'app', from: '--channel'}})), false);
	const facts = base({
		notes: [],
		channel: {value: 'app', from: 'postgrest.conf (db-channel)'},
		schemas: {value: ['api'], from: 'postgrest.conf (db-schemas)'},
	});
	assert.equal(configServer.appliesTo!(facts), true);
	const outcome = configServer.run({...facts, api: api(null)});
	assert.equal(outcome.status, 'skip');
	assert.equal(outcome.findings, undefined, "no claim without the server's side");
	assert.match(
		outcome.summary,
		/db-channel \(no confirmed PostgREST listener was seen\); db-schemas \(PostgREST did not say/
	);
});

test('config.server: the schemas PostgREST exposes against db-schemas, order included (the first is the default schema)', () => {
	const settings = {
		notes: [],
		schemas: {value: ['api', 'public'], from: 'compose.yaml (service rest: PGRST_DB_SCHEMAS)'},
	};
	assert.equal(configServer.run(base(settings, {api: api(['api', 'public'])})).status, 'pass');
	const swapped = configServer.run(base(settings, {api: api(['public', 'api'])}));
	assert.equal(swapped.status, 'warn');
	assert.equal(swapped.findings![0]!.code, 'config.schemas_mismatch');
	assert.match(
		swapped.findings![0]!.message,
		/compose\.yaml \(service rest: PGRST_DB_SCHEMAS\) says db-schemas = api,public, but the running PostgREST exposes public,api/
	);
});

test("config.server: a channel the run followed to PostgREST's listener is a mismatch that names both", () => {
	const configured = {value: 'app', from: 'postgrest.conf (db-channel)'};
	const outcome = configServer.run(
		base({notes: [], channel: configured}, {channel: 'pgrst' as Channel, channelFollowed: configured})
	);
	assert.equal(outcome.status, 'fail');
	assert.match(
		outcome.findings![0]!.message,
		/postgrest\.conf \(db-channel\) says db-channel = "app", but the running PostgREST listens on "pgrst".*This run used "pgrst"/
	);
});

test('config.listener: only when the config turns the listener off; without the database it is a claim about the file', () => {
	assert.equal(
		configListener.appliesTo!(
			base({notes: [], channelEnabled: {value: true, from: 'postgrest.conf (db-channel-enabled)'}})
		),
		false
	);
	const outcome = configListener.run(
		base({notes: [], channelEnabled: {value: false, from: 'environment (PGRST_DB_CHANNEL_ENABLED)'}})
	);
	assert.equal(outcome.status, 'fail');
	assert.match(
		outcome.findings![0]!.message,
		/db-channel-enabled = false, from environment \(PGRST_DB_CHANNEL_ENABLED\)/
	);
});

test("the schema list: --schemas, then PostgREST, then the role setting, then PostgREST's config found here, then public", () => {
	const configured = {value: ['api'], from: 'postgrest.conf (db-schemas)'};
	assert.deepEqual(exposedSchemas(['x'], api(['public']), undefined, configured), [['x'], '--schemas']);
	assert.deepEqual(exposedSchemas(undefined, api(['public']), undefined, configured), [['public'], 'PostgREST']);
	assert.deepEqual(exposedSchemas(undefined, undefined, undefined, configured), [
		['api'],
		'postgrest.conf (db-schemas)',
	]);
	assert.deepEqual(exposedSchemas(undefined, undefined, undefined), [['public'], 'default']);
});
