// How many PostgREST instances the database sees, and which of them the doctor reached. Sessions are told apart by
// login role, application name and client address (each replica has its own address in a cluster; on one host, only
// its own application_name tells it apart); each PostgREST has exactly one listener, so a group with several LISTEN
// sessions is that many instances. A group counts as PostgREST's when it claims to be (its application name or a
// LISTEN) under the login role of an identity (or a role that ran one of the doctor's requests), or is itself the
// confirmed identity of an instance asked.
import type {Session} from '../probes/database.js';
import type {PostgrestIdentity} from '../probes/postgrestIdentity.js';
import {isPostgrestSession, listeners} from './postgrestSessions.js';

export type SeenInstance = {
	user: string;
	applicationName: string;
	clientAddress: string | null;
	sessions: number;
	/** LISTEN sessions in the group, on any channel: each is one PostgREST. */
	listeners: number;
	/** The channels the group's LISTEN sessions listen on. */
	channels: string[];
	/** How many PostgREST processes the group is at least. */
	count: number;
	/** Indexes of the instances asked (--api-url) whose identity is this group. */
	reachedBy: number[];
};

type Confirmed = Extract<PostgrestIdentity, {confirmed: true}>;

/** pg_stat_activity's client_addr as text carries the mask (127.0.0.1/32); host() in the identity does not. */
export function hostOf(address: string | null): string | null {
	return address === null ? null : address.replace(/\/(?:32|128)$/, '');
}

export function postgrestInstances(
	sessions: Session[],
	database: string,
	identities: Array<PostgrestIdentity | undefined>
): SeenInstance[] {
	const confirmed = identities.map(identity => (identity?.confirmed ? identity : undefined));
	// A claim counts under a login role that ran one of the doctor's requests, when any is known: a look-alike would
	// need PostgREST's own login.
	const roles = new Set([
		...confirmed.filter((identity): identity is Confirmed => identity !== undefined).map(identity => identity.user),
		...identities.flatMap(identity => (identity && !identity.confirmed ? (identity.answeredRoles ?? []) : [])),
	]);
	const listening = new Map(listeners(sessions).map(session => [session.pid, session.channel]));
	const matches = (identity: Confirmed | undefined, session: Session) =>
		identity !== undefined &&
		identity.user === session.user &&
		identity.database === session.database &&
		identity.applicationName === (session.applicationName ?? '') &&
		identity.clientAddress === hostOf(session.clientAddress);
	const groups = new Map<string, SeenInstance>();
	for (const session of sessions) {
		if (session.database !== database || !session.user) continue;
		const reachedBy = confirmed.flatMap((identity, index) => (matches(identity, session) ? [index] : []));
		const claims =
			(isPostgrestSession(session) || listening.has(session.pid)) &&
			(roles.size === 0 || roles.has(session.user));
		if (reachedBy.length === 0 && !claims) continue;
		const key = JSON.stringify([session.user, session.applicationName ?? '', hostOf(session.clientAddress)]);
		let group = groups.get(key);
		if (!group)
			groups.set(
				key,
				(group = {
					user: session.user,
					applicationName: session.applicationName ?? '',
					clientAddress: hostOf(session.clientAddress),
					sessions: 0,
					listeners: 0,
					channels: [],
					count: 1,
					reachedBy,
				})
			);
		group.sessions++;
		const channel = listening.get(session.pid);
		if (channel !== undefined) {
			group.listeners++;
			if (!group.channels.includes(channel)) group.channels.push(channel);
		}
		group.count = Math.max(1, group.listeners);
	}
	// The instances asked first, in the order asked; then the others by name and address, so two runs read alike.
	const order = (group: SeenInstance) => group.reachedBy[0] ?? Number.MAX_SAFE_INTEGER;
	return [...groups.values()].sort(
		(a, b) =>
			order(a) - order(b) ||
			`${a.applicationName} ${a.clientAddress}`.localeCompare(`${b.applicationName} ${b.clientAddress}`)
	);
}

/** The instances behind the groups, counted. */
export function instanceCount(seen: SeenInstance[]): number {
	return seen.reduce((sum, group) => sum + group.count, 0);
}

/** A group as one line: who it is, from where, and what was seen of it. */
export function describeInstance(
	group: Pick<SeenInstance, 'user' | 'applicationName' | 'clientAddress' | 'count'>
): string {
	const name = group.applicationName ? `"${group.applicationName}"` : 'no application name';
	const from = group.clientAddress ? `from ${group.clientAddress}` : 'over a local socket';
	const several =
		group.count > 1 ? `, ${group.count} listeners: ${group.count} instances that cannot be told apart` : '';
	return `${group.user} as ${name} ${from}${several}`;
}
