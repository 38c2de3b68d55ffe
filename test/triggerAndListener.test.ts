import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Facts} from '../source/checks/check.js';
import {apiDatabase} from '../source/checks/apiDatabase.js';
import {listenerPresent} from '../source/checks/listenerPresent.js';
import {notifyDelivery} from '../source/checks/notifyDelivery.js';
import {triggerInstalled} from '../source/checks/triggerInstalled.js';
import type {DatabaseFacts, EventTrigger, Session} from '../source/probes/database.js';
import {parseChannel} from '../source/sql/channel.js';

// Bodies as PostgREST's docs ("Automatic Schema Cache Reloading") and Supabase's migrations write them.
const ddlBody = `
DECLARE cmd record;
BEGIN
  FOR cmd IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    IF cmd.command_tag IN ('CREATE TABLE', 'ALTER TABLE', 'CREATE FUNCTION') AND cmd.schema_name IS DISTINCT FROM 'pg_temp' THEN
      NOTIFY pgrst, 'reload schema';
    END IF;
  END LOOP;
END;`;
const dropBody = `
DECLARE obj record;
BEGIN
  FOR obj IN SELECT * FROM pg_event_trigger_dropped_objects() LOOP
    IF obj.object_type IN ('table', 'function') AND obj.is_temporary IS false THEN
      NOTIFY pgrst, 'reload schema';
    END IF;
  END LOOP;
END;`;

const trigger = (
	name: string,
	event: string,
	source: string,
	enabled: EventTrigger['enabled'] = 'O'
): EventTrigger => ({
	name,
	event,
	enabled,
	owner: 'postgres',
	tags: [],
	functionSchema: 'public',
	functionName: name,
	source,
});

const confirmedIn = (database: string) => ({
	confirmed: true as const,
	user: 'authenticator',
	database,
	applicationName: 'PostgREST 12.0.2',
	clientAddress: '127.0.0.1',
});

function facts(database: Partial<DatabaseFacts>, channel = 'pgrst'): Facts {
	return {
		channel: parseChannel(channel),
		schemas: ['public'],
		schemasSource: 'default',
		poolerHints: [],
		timings: {},
		database: {
			server: {database: 'app', user: 'postgres', version: '18', superuser: true, readAllStats: true},
			eventTriggers: [],
			roleSettings: [],
			sessions: [],
			queueUsage: [0, 0],
			...database,
		},
		// PostgREST ran the doctor's request as authenticator in app (postgrestIdentity.ts); claims alone pass nothing.
		postgrest: confirmedIn('app'),
	};
}

const codes = (outcome: ReturnType<typeof triggerInstalled.run>) => (outcome.findings ?? []).map(found => found.code);

test('the docs pair passes', () => {
	const outcome = triggerInstalled.run(
		facts({
			eventTriggers: [
				trigger('pgrst_ddl_watch', 'ddl_command_end', ddlBody),
				trigger('pgrst_drop_watch', 'sql_drop', dropBody),
			],
		})
	);
	assert.equal(outcome.status, 'pass');
});

test('no trigger at all is trigger.missing', () => {
	assert.deepEqual(codes(triggerInstalled.run(facts({}))), ['trigger.missing']);
});

test('a disabled trigger is trigger.disabled with the ENABLE statement', () => {
	const outcome = triggerInstalled.run(
		facts({
			eventTriggers: [
				trigger('pgrst_watch', 'ddl_command_end', `BEGIN NOTIFY pgrst, 'reload schema'; END;`, 'D'),
			],
		})
	);
	assert.deepEqual(codes(outcome), ['trigger.disabled']);
	assert.equal(outcome.findings?.[0]?.suggestion, 'ALTER EVENT TRIGGER pgrst_watch ENABLE;');
});

test('a filtering ddl_command_end trigger without its sql_drop partner is incomplete; an unconditional one is not', () => {
	assert.deepEqual(
		codes(triggerInstalled.run(facts({eventTriggers: [trigger('pgrst_ddl_watch', 'ddl_command_end', ddlBody)]}))),
		['trigger.incomplete']
	);
	assert.equal(
		triggerInstalled.run(
			facts({
				eventTriggers: [trigger('pgrst_watch', 'ddl_command_end', `BEGIN NOTIFY pgrst, 'reload schema'; END;`)],
			})
		).status,
		'pass'
	);
});

test('another channel, an ignored payload, and lower-case tags are incomplete', () => {
	for (const body of [
		`BEGIN NOTIFY ddl_command_end; END;`,
		`BEGIN NOTIFY pgrst, 'reload config'; END;`,
		`BEGIN PERFORM pg_notify('pgrst', 'reload'); END;`,
		ddlBody.replace(`'CREATE TABLE', 'ALTER TABLE', 'CREATE FUNCTION'`, `'create table', 'alter table'`),
	]) {
		assert.deepEqual(
			codes(triggerInstalled.run(facts({eventTriggers: [trigger('watch', 'ddl_command_end', body)]}))),
			['trigger.incomplete'],
			body
		);
	}
});

test('a trigger on a custom channel passes when PostgREST uses that channel', () => {
	assert.equal(
		triggerInstalled.run(
			facts({eventTriggers: [trigger('w', 'ddl_command_end', `BEGIN NOTIFY "MyChan"; END;`)]}, 'MyChan')
		).status,
		'pass'
	);
});

test('session_replication_role = replica on a role bypasses an origin trigger but not an ALWAYS one', () => {
	const settings = [{role: 'migrator', database: null, settings: ['session_replication_role=replica']}];
	const always = triggerInstalled.run(
		facts({
			roleSettings: settings,
			eventTriggers: [trigger('w', 'ddl_command_end', `BEGIN NOTIFY pgrst; END;`, 'A')],
		})
	);
	assert.equal(always.status, 'pass');
	const origin = triggerInstalled.run(
		facts({roleSettings: settings, eventTriggers: [trigger('w', 'ddl_command_end', `BEGIN NOTIFY pgrst; END;`)]})
	);
	assert.deepEqual(codes(origin), ['trigger.bypassed']);
	assert.equal(origin.findings?.[0]?.suggestion, 'ALTER ROLE migrator RESET session_replication_role;');
});

// Session rows as pg_stat_activity shows PostgREST 12.0.2 (lab notes: application_name and LISTEN "pgrst").
const session = (
	pid: number,
	database: string,
	query: string | null,
	applicationName = 'PostgREST 12.0.2'
): Session => ({
	pid,
	database,
	user: 'authenticator',
	applicationName,
	state: 'idle',
	query,
	clientAddress: '127.0.0.1',
});

test('a LISTEN on the channel in this database passes and names the version', () => {
	const outcome = listenerPresent.run(
		facts({sessions: [session(7, 'app', 'LISTEN "pgrst"'), session(8, 'app', 'select 1')]})
	);
	assert.equal(outcome.status, 'pass');
	assert.match(outcome.summary, /PostgREST 12\.0\.2 listens on "pgrst"/);
});

test('PostgREST without a LISTEN is listener.missing, with channel_disabled or pooled as the likely cause', () => {
	assert.deepEqual(codes(listenerPresent.run(facts({sessions: [session(8, 'app', 'select 1')]}))), [
		'listener.missing',
		'listener.channel_disabled',
	]);
	// PgBouncer in transaction mode, as recorded on 12.0.2 behind PgBouncer 1.18: the LISTEN ran on a pooled
	// server connection that was reused, and an unlinked server connection has no application_name.
	const pooled = facts({sessions: [session(8, 'app', 'COMMIT'), session(9, 'app', '', '')]});
	assert.deepEqual(codes(listenerPresent.run(pooled)), ['listener.missing', 'listener.pooled']);
	assert.deepEqual(
		codes(listenerPresent.run({...facts({sessions: [session(8, 'app', 'COMMIT')]}), poolerHints: ['port 6543']})),
		['listener.missing', 'listener.pooled']
	);
});

test('PostgREST on another channel, or a trigger on another channel, is listener.channel_mismatch', () => {
	const other = listenerPresent.run(facts({sessions: [session(7, 'app', 'LISTEN "other"')]}));
	assert.deepEqual(codes(other), ['listener.missing', 'listener.channel_mismatch']);
	assert.match(other.findings![1]!.message, /"other", not on "pgrst"/);
	const triggerElsewhere = listenerPresent.run(
		facts(
			{
				sessions: [session(7, 'app', 'LISTEN "app_reload"')],
				eventTriggers: [trigger('w', 'ddl_command_end', `BEGIN NOTIFY pgrst; END;`)],
			},
			'app_reload'
		)
	);
	assert.deepEqual(codes(triggerElsewhere), ['listener.channel_mismatch']);
});

test('a LISTEN row with pooler signs is a warning that only --probe can settle', () => {
	const outcome = listenerPresent.run({
		...facts({sessions: [session(7, 'app', 'LISTEN "pgrst"')]}),
		poolerHints: ["the database URL uses port 6543, Supabase's transaction pooler"],
	});
	assert.equal(outcome.status, 'warn');
	assert.match(outcome.summary, /--probe/);
});

test('the delivery check ranks the causes of an undelivered NOTIFY from the evidence', () => {
	const undelivered = {delivered: false, waitedMs: 2000};
	const withListener = notifyDelivery.run({
		...facts({sessions: [session(7, 'app', 'LISTEN "pgrst"')]}),
		delivery: undelivered,
	});
	assert.deepEqual(codes(withListener), ['notify.undelivered', 'listener.pooled']);
	// No LISTEN in sight: a disabled channel and a transaction pooler look the same from the database.
	const disabled = notifyDelivery.run({...facts({sessions: [session(8, 'app', 'COMMIT')]}), delivery: undelivered});
	assert.deepEqual(codes(disabled), ['notify.undelivered', 'listener.channel_disabled', 'listener.pooled']);
	assert.match(disabled.findings![0]!.message, /Most likely one of these/);
	const stuck = notifyDelivery.run({
		...facts({sessions: [session(7, 'app', 'LISTEN "pgrst"')], queueUsage: [0.02, 0.03]}),
		delivery: undelivered,
	});
	assert.deepEqual(codes(stuck), ['notify.queue_stuck', 'notify.undelivered']);
	assert.match(stuck.findings![1]!.suggestion!, /pg_notification_queue_usage/);
	const delivered = notifyDelivery.run({
		...facts({}),
		delivery: {delivered: true, waitedMs: 2000, latencyMs: 40, evidence: 'x'},
	});
	assert.deepEqual(codes(delivered), ['notify.delivered']);
	assert.equal(notifyDelivery.run(facts({})).status, 'skip');
});

test('hidden queries make the listener unknown, not missing', () => {
	const outcome = listenerPresent.run(
		facts({
			server: {database: 'app', user: 'reader', version: '18', superuser: false, readAllStats: false},
			sessions: [session(7, 'app', null)],
		})
	);
	assert.deepEqual(codes(outcome), ['listener.unknown']);
});

test('PostgREST confirmed in another database is api.other_database; sessions that only claim the name are a warning', () => {
	const api = {isPostgrest: true, version: '12.0.2', root: {status: 200}, exposedSchemas: null, admin: null};
	const elsewhere = {
		...facts({sessions: [session(7, 'other', 'LISTEN "pgrst"')]}),
		api,
		postgrest: confirmedIn('other'),
	};
	assert.deepEqual(codes(apiDatabase.run(elsewhere)), ['api.other_database']);
	const unconfirmed = {confirmed: false as const, reason: 'no --api-url was given'};
	const claimedElsewhere = apiDatabase.run({...elsewhere, api: undefined, postgrest: unconfirmed});
	assert.equal(
		claimedElsewhere.status,
		'warn',
		'without PostgREST asked, a claim in another database is only a hint'
	);
	assert.match(claimedElsewhere.summary, /claiming to be PostgREST are in other\); .*: no --api-url was given/);
	const asked = apiDatabase.run({
		...elsewhere,
		postgrest: {
			confirmed: false as const,
			asked: false,
			reason: 'schema public has no table to ask PostgREST about',
		},
	});
	assert.equal(
		asked.status,
		'fail',
		'PostgREST answered, none of its sessions is here: its cache is not compared with this database'
	);
	assert.deepEqual(codes(asked), ['api.database_unconfirmed']);
	const stopped = apiDatabase.run({
		...elsewhere,
		postgrest: {
			confirmed: false as const,
			asked: true,
			reason: "PostgREST answered nothing instead of passing the doctor's request to its database",
		},
	});
	assert.equal(stopped.status, 'warn', 'a PostgREST that stopped answering says nothing of where it is');
	assert.equal(apiDatabase.run(facts({sessions: [session(7, 'app', 'LISTEN "pgrst"')]})).status, 'pass');
	const claimedHere = {...facts({sessions: [session(7, 'app', 'LISTEN "pgrst"')]}), postgrest: unconfirmed};
	assert.equal(apiDatabase.run(claimedHere).status, 'warn');
	const listener = listenerPresent.run(claimedHere);
	assert.equal(listener.status, 'warn');
	assert.match(listener.summary, /could not confirm it is PostgREST's: no --api-url was given/);
});

test('once PostgREST is confirmed, a LISTEN by another role is not its listener', () => {
	const impostor: Session = {...session(9, 'app', 'LISTEN "pgrst"'), user: 'impostor'};
	assert.deepEqual(codes(listenerPresent.run(facts({sessions: [session(8, 'app', 'select 1'), impostor]}))), [
		'listener.missing',
		'listener.channel_disabled',
	]);
});
