// Everything the catalogs say about whether PostgREST can hear NOTIFY, gathered once for the listener and
// delivery checks, and the causes of an undelivered notification ranked by that evidence.
import {type Finding, type FindingCode, finding, findingCodes} from '../findings.js';
import type {Session} from '../probes/database.js';
import type {Facts} from './check.js';
import {notificationsIn, payloadEffect} from './notifications.js';
import {type Listener, isPostgrestSession, listeners, postgrestView} from './postgrestSessions.js';
import {plural, type WordingParts} from '../wording.js';

export type ListenerEvidence = {
	database: string;
	channel: string;
	onChannel: Listener[];
	/** Channels PostgREST listens on in this database other than ours. */
	otherChannels: string[];
	postgrestHere: Session[];
	/** False when PostgREST's sessions are only claimed (see postgrestSessions.ts): then nothing here may pass. */
	confirmed: boolean;
	unconfirmedReason: string;
	/** Pooler signs: URL hints, and sessions of PostgREST's role without an application_name (unlinked PgBouncer server connections). */
	poolerSigns: string[];
	/** Channels that reload triggers notify which nothing in this database listens on. */
	triggerChannels: string[];
	canSeeQueries: boolean;
	hiddenSessions: number;
	listenerDownByAdmin: boolean;
	/**
	 * Set when no PostgREST session is in this database and nothing listens on the channel: what PostgREST's API said,
	 * the evidence that PostgREST is not running or not connected here, which comes before any pooler explanation.
	 */
	absent?: 'unreachable' | 'unusable' | 'answered' | 'not asked';
	apiUrl?: string;
	queueStuck: boolean;
	queueUsage: number | null;
};

export function listenerEvidence(facts: Facts): ListenerEvidence {
	const {server, sessions, eventTriggers, queueUsage} = facts.database!;
	const here = (session: Session) => session.database === server.database;
	const view = postgrestView(sessions, facts.postgrest);
	const postgrestHere = view.sessions.filter(here);
	// Once PostgREST is known, a LISTEN by anyone else is not PostgREST's, whatever its name.
	const own = new Set(postgrestHere.map(session => session.pid));
	const hereListeners = listeners(sessions).filter(
		session => here(session) && (!view.confirmed || own.has(session.pid))
	);
	const roles = new Set(postgrestHere.map(session => session.user));
	const unlinked = sessions.filter(
		session =>
			here(session) &&
			roles.has(session.user) &&
			!session.applicationName &&
			!isPostgrestSession(session) &&
			(session.query ?? '') === ''
	);
	const poolerSigns = [...facts.poolerHints];
	if (unlinked.length > 0 && postgrestHere.some(isPostgrestSession)) {
		poolerSigns.push(
			`${plural(unlinked.length, 'session')} of PostgREST's role ${unlinked[0]!.user} with no application_name ` +
				`and no query yet, as a pooler's idle server connections look`
		);
	}
	const triggerChannels = [
		...new Set(
			eventTriggers
				.filter(trigger => trigger.enabled !== 'D')
				.flatMap(trigger =>
					notificationsIn(trigger.source)
						.filter(
							notification =>
								payloadEffect(notification.payload) === 'reload schema' && notification.channel !== null
						)
						.map(notification => notification.channel!)
				)
		),
	];
	const [first, last] = [queueUsage[0] ?? null, queueUsage.at(-1) ?? null];
	const onChannel = hereListeners.filter(listener => listener.channel === facts.channel);
	return {
		database: server.database,
		channel: facts.channel,
		onChannel,
		otherChannels: [
			...new Set(hereListeners.map(listener => listener.channel).filter(channel => channel !== facts.channel)),
		],
		postgrestHere,
		confirmed: view.confirmed,
		unconfirmedReason: view.confirmed ? '' : view.reason,
		poolerSigns,
		triggerChannels,
		canSeeQueries: server.superuser || server.readAllStats,
		hiddenSessions: sessions.filter(session => session.query === null).length,
		listenerDownByAdmin: facts.api?.admin?.ready === 503,
		absent: postgrestHere.length === 0 && onChannel.length === 0 ? apiAnswer(facts) : undefined,
		apiUrl: facts.apiUrl,
		queueStuck: first !== null && last !== null && first > 0 && last >= first,
		queueUsage: last,
	};
}

function apiAnswer(facts: Facts): NonNullable<ListenerEvidence['absent']> {
	if (facts.apiFailure) return facts.apiFailure.code === 'api.unreachable' ? 'unreachable' : 'unusable';
	return facts.api ? 'answered' : 'not asked';
}

export type Cause = {
	code:
		| 'listener.pooled'
		| 'listener.channel_mismatch'
		| 'listener.channel_disabled'
		| 'listener.missing'
		| 'notify.queue_stuck';
	/** The cause as a finding: its message is the cause's sentence, its suggestion the cure for this evidence. */
	found: Finding;
	text: string;
	cure: string;
};

function cause(found: Finding & {code: Cause['code']}): Cause {
	return {code: found.code, found, text: found.message, cure: found.suggestion ?? findingCodes[found.code].cure};
}

/** Each cause of an undelivered NOTIFY, said from this evidence; the cures that name nothing of it are the vocabulary's. */
export function causes(evidence: ListenerEvidence): Record<Cause['code'], Cause> {
	const {database, channel, apiUrl, absent} = evidence;
	const other = evidence.otherChannels[0] ?? evidence.triggerChannels.find(candidate => candidate !== channel);
	const channelCure =
		`Make them the same: set PostgREST's db-channel to "${channel}", or send NOTIFY on "${other}"` +
		` (pgrst-doctor --channel ${other}) and have your trigger do the same.`;
	const missingCure = absent
		? 'Start PostgREST, or point its db-uri at this database, then run the doctor again: NOTIFY reaches only a PostgREST' +
			' that is running and connected here.'
		: 'Check that PostgREST runs against this database with db-channel-enabled=true; meanwhile reload with SIGUSR1 or a' +
			' restart.';
	const missing = absent
		? finding('listener.missing', {situation: 'absent', database, apiUrl, api: absent}, {suggestion: missingCure})
		: finding(
				'listener.missing',
				{situation: 'not listening', database, channel, adminDown: evidence.listenerDownByAdmin},
				{suggestion: missingCure}
			);
	return {
		'notify.queue_stuck': cause(withCure('notify.queue_stuck', {usage: evidence.queueUsage})),
		'listener.channel_mismatch': cause(
			finding('listener.channel_mismatch', {heard: other ?? '', sent: channel}, {suggestion: channelCure})
		),
		'listener.pooled': cause(withCure('listener.pooled', {signs: evidence.poolerSigns})),
		'listener.channel_disabled': cause(withCure('listener.channel_disabled', {database})),
		'listener.missing': cause(missing),
	};
}

/**
 * Why NOTIFY did not reach PostgREST, most likely first, from what the catalogs show; `tied` says how many of the
 * first causes the evidence cannot tell apart. PostgREST connected with no LISTEN in sight is such a case: the
 * channel may be disabled, or a transaction pooler ran the LISTEN on a server connection that has served other
 * clients since (verified with PgBouncer 1.18: both look the same in pg_stat_activity). PostgREST with no session
 * here at all is not running or not connected here; a pooler is named only with signs of one.
 */
export function rankedCauses(evidence: ListenerEvidence): {causes: Cause[]; tied: number} {
	const all = causes(evidence);
	const order: Array<Cause['code']> = [];
	if (evidence.queueStuck) order.push('notify.queue_stuck');
	if (evidence.onChannel.length === 0 && evidence.otherChannels.length > 0) order.push('listener.channel_mismatch');
	if (evidence.absent) order.push('listener.missing');
	if (evidence.onChannel.length > 0 || evidence.poolerSigns.length > 0) order.push('listener.pooled');
	const listenUnseen = evidence.postgrestHere.length > 0 && evidence.onChannel.length === 0;
	if (listenUnseen) order.push('listener.channel_disabled', 'listener.pooled');
	order.push('listener.missing');
	const tied = order[0] === 'listener.channel_disabled' ? 2 : 1;
	return {causes: [...new Set(order)].map(code => all[code]), tied};
}

/** The finding with its code's cure as the suggestion: the vocabulary's words, not a copy of them. */
function withCure<C extends FindingCode>(code: C, parts: WordingParts<C>): Finding & {code: C} {
	return finding(code, parts, {suggestion: findingCodes[code].cure});
}
