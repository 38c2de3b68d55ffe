// The ranking of why a NOTIFY was not delivered, over facts shaped as recorded from PostgreSQL 18 and PostgREST
// 12.0.2: PostgREST with no session in the database comes before any pooler, and a pooler needs a sign of one.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Facts} from '../source/checks/check.js';
import {listenerEvidence, rankedCauses} from '../source/checks/listenerEvidence.js';
import {notifyDelivery} from '../source/checks/notifyDelivery.js';
import {finding} from '../source/findings.js';
import type {Session} from '../source/probes/database.js';
import {parseChannel} from '../source/sql/channel.js';

const doctor: Session = {
	pid: 5,
	database: 'app',
	user: 'postgres',
	applicationName: 'pgrst-doctor',
	clientAddress: '127.0.0.1',
	state: 'active',
	query: 'select 1',
};

function facts(about: Partial<Facts>, sessions: Session[] = [doctor]): Facts {
	return {
		channel: parseChannel('pgrst'),
		schemas: ['public'],
		schemasSource: 'default',
		poolerHints: [],
		timings: {},
		apiUrl: 'http://127.0.0.1:3000',
		database: {
			server: {database: 'app', user: 'postgres', version: '18', superuser: true, readAllStats: true},
			sessions,
			eventTriggers: [],
			queueUsage: [0, 0],
			roleSettings: [],
		},
		delivery: {delivered: false, waitedMs: 2000},
		...about,
	};
}

const unreachable = {
	apiFailure: finding('api.unreachable', {
		situation: 'unanswered',
		where: 'http://127.0.0.1:3000',
		reason: 'the connection was refused',
	}),
	postgrest: {confirmed: false as const, reason: 'PostgREST did not answer'},
};

test('PostgREST unreachable with no session here: listener.missing first, saying it did not answer; no pooler named', () => {
	const ranked = rankedCauses(listenerEvidence(facts(unreachable)));
	assert.deepEqual(
		ranked.causes.map(cause => cause.code),
		['listener.missing']
	);
	assert.equal(
		ranked.causes[0]!.text,
		'PostgREST is not running or not connected to app: it did not answer at http://127.0.0.1:3000 and has no session in app'
	);
	const outcome = notifyDelivery.run(facts(unreachable));
	assert.deepEqual(
		outcome.findings!.map(found => found.code),
		['notify.undelivered', 'listener.missing']
	);
	assert.doesNotMatch(outcome.findings![0]!.message, /pooler/);
});

test('PostgREST answering but with no session here is connected elsewhere; without --api-url it is not running or not connected', () => {
	const api = {isPostgrest: true, version: '12.0.2', root: {status: 200}, exposedSchemas: null, admin: null};
	assert.match(
		rankedCauses(listenerEvidence(facts({api}))).causes[0]!.text,
		/^PostgREST answers at http:\/\/127\.0\.0\.1:3000 but has no session in app: it is connected to another database or server$/
	);
	assert.match(
		rankedCauses(listenerEvidence(facts({apiUrl: undefined}))).causes[0]!.text,
		/^no PostgREST session is connected to app: PostgREST is not running or not connected to this database$/
	);
	const wrongBase = {
		apiFailure: finding('api.wrong_base_url', {
			where: 'http://127.0.0.1:3000/rest/v1',
			postgrest: 'PostgREST 12.0.2',
			status: 404,
			control: 404,
		}),
	};
	assert.match(rankedCauses(listenerEvidence(facts(wrongBase))).causes[0]!.text, /could not be used as its API/);
});

test('a pooler sign is named after the absence, never before it', () => {
	const ranked = rankedCauses(
		listenerEvidence(
			facts({...unreachable, poolerHints: ["the database URL uses port 6543, Supabase's transaction pooler"]})
		)
	);
	assert.deepEqual(
		ranked.causes.map(cause => cause.code),
		['listener.missing', 'listener.pooled']
	);
	assert.equal(ranked.tied, 1);
});

test('PostgREST here with no LISTEN still ties a disabled channel with a pooler; a LISTEN that hears nothing is a pooler', () => {
	const postgrest = (query: string): Session => ({
		...doctor,
		pid: 8,
		user: 'authenticator',
		applicationName: 'PostgREST 12.0.2',
		state: 'idle',
		query,
	});
	const unseen = rankedCauses(listenerEvidence(facts({}, [doctor, postgrest('COMMIT')])));
	assert.deepEqual(
		unseen.causes.map(cause => cause.code),
		['listener.channel_disabled', 'listener.pooled', 'listener.missing']
	);
	assert.equal(unseen.tied, 2);
	const listening = rankedCauses(listenerEvidence(facts({}, [doctor, postgrest('LISTEN "pgrst"')])));
	assert.equal(listening.causes[0]!.code, 'listener.pooled');
});
