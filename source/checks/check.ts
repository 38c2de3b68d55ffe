// What a check is: a stable id, a title, the checks it depends on, and a pure function of the collected facts.
import type {Finding} from '../findings.js';
import type {CacheAgreement} from '../probes/cacheAgreement.js';
import type {CacheSnapshot} from '../probes/cacheSnapshot.js';
import type {SeenInstance} from './postgrestInstances.js';
import type {Catalog, DatabaseFacts} from '../probes/database.js';
import type {Delivery} from '../probes/deliveryProbe.js';
import type {HttpMeter} from '../probes/http.js';
import type {ApiFacts} from '../probes/postgrest.js';
import type {PostgrestIdentity} from '../probes/postgrestIdentity.js';
import type {ProjectRefs} from '../settings/supabaseShape.js';
import type {Channel} from '../sql/channel.js';
import type {Setting, Settings} from '../settings/settings.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip' | 'error';

export type Facts = {
	channel: Channel;
	schemas: string[];
	/** Where the schema list came from: flag, PostgREST, role setting or default. */
	schemasSource: string;
	apiUrl?: string;
	database?: DatabaseFacts;
	databaseFailure?: Finding;
	catalog?: Catalog;
	/** Schemas asked for that the database does not have. */
	missingSchemas?: string[];
	api?: ApiFacts;
	apiFailure?: Finding;
	/** Whose sessions are PostgREST's, from the session that ran the doctor's own request; absent when not asked. */
	postgrest?: PostgrestIdentity;
	cache?: CacheSnapshot;
	/** The Supabase projects the API URL, the API key and the database URL name, read from their shape. */
	projectRefs?: ProjectRefs;
	/** Signs of a connection pooler in the URLs given. */
	poolerHints: string[];
	/** The --probe result. */
	delivery?: Delivery;
	timings: Partial<Record<'database' | 'api' | 'cache' | 'checks', number>>;
	/** Requests sent to PostgREST (and its admin server) and body bytes read, for the report. */
	http?: HttpMeter;
	/** What discovery found (flags, environment, files), with where each value came from. */
	settings?: Settings;
	/** The PostgREST instances the database shows, when looked for (one address with several behind it, or several --api-url). */
	instancesSeen?: SeenInstance[];
	/** The addresses of the instances asked, in order (several --api-url); instancesSeen's reachedBy indexes them. */
	instancesAsked?: string[];
	/** The addresses asked whose sessions in the database were not found (their identity unconfirmed): not counted as unreached. */
	instancesUnmatched?: string[];
	/** Identical requests through one address, compared: do the instances behind it agree on the schema cache? */
	agreement?: CacheAgreement;
	/** Set when the channel found in PostgREST's config is not the one its listener runs: channel is the listener's. */
	channelFollowed?: Setting<string>;
};

export type Outcome = {status: CheckStatus; summary: string; findings?: Finding[]; durationMs?: number};

export type Check = {
	id: string;
	title: string;
	dependsOn: string[];
	/** Whether the check has anything to look at in this run; a check that does not apply is left out of the report. */
	appliesTo?(facts: Facts): boolean;
	run(facts: Facts): Outcome;
};

/** pass when nothing was found, else fail on any error finding and warn on the rest. */
export function outcomeOf(findings: Finding[], passSummary: string, problemSummary: string): Outcome {
	if (findings.length === 0) return {status: 'pass', summary: passSummary};
	const status = findings.some(finding => finding.severity === 'error') ? 'fail' : 'warn';
	return {status, summary: problemSummary, findings};
}
