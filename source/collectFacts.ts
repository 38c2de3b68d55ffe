// Looks once: the database and PostgREST in parallel, then the catalog for the exposed schemas, then the cache.
import type {Facts} from './checks/check.js';
import {postgrestSessions} from './checks/postgrestSessions.js';
import {finding} from './findings.js';
import {cacheSnapshot} from './probes/cacheSnapshot.js';
import {probeDelivery} from './probes/deliveryProbe.js';
import {apiFailure, databaseFailure} from './probes/connectionFailure.js';
import {type DatabaseFacts, type DatabaseSession, openDatabase} from './probes/database.js';
import type {HttpTarget} from './probes/http.js';
import {type ApiFacts, apiFacts} from './probes/postgrest.js';
import type {Channel} from './sql/channel.js';
import type {ApiTarget, DatabaseTarget} from './target.js';

export type DiagnosisOptions = {
	database?: DatabaseTarget;
	api?: ApiTarget;
	admin?: ApiTarget;
	apiKey?: string;
	schemas?: string[];
	channel: Channel;
	timeoutMs: number;
	signal?: AbortSignal;
	/** Send a NOTIFY and watch PostgREST reload (--probe). */
	probe?: boolean;
	/** Told when each phase of looking starts and ends, for a progress display. */
	onPhase?: (phase: Phase, done: boolean, ms?: number) => void;
};

export type Phase = 'database' | 'api' | 'cache' | 'probe';

export async function collectFacts(options: DiagnosisOptions): Promise<Facts> {
	const facts: Facts = {channel: options.channel, schemas: [], schemasSource: '', apiUrl: options.api?.display, poolerHints: poolerHints(options.database), timings: {}};
	const http: HttpTarget | undefined = options.api && {baseUrl: options.api.url, apiKey: options.apiKey, timeoutMs: options.timeoutMs, signal: options.signal};
	const [session] = await Promise.all([
		options.database && timed(facts, 'database', async () => openAndRead(options.database!, options.timeoutMs, facts, options.signal), options.onPhase),
		http && timed(facts, 'api', async () => readApi(http, options.admin?.url, facts), options.onPhase),
	]);
	try {
		if (options.signal?.aborted) return facts;
		const failed = (error: unknown) => {
			facts.databaseFailure = databaseFailure(error, options.database!.display);
			return undefined;
		};
		if (session && facts.database) {
			facts.database.sessions = (await session.sessions().catch(failed)) ?? [];
			facts.database.queueUsage.push((await session.queueUsage().catch(failed)) ?? null);
		}
		[facts.schemas, facts.schemasSource] = exposedSchemas(options.schemas, facts.api, facts.database);
		if (session && !facts.databaseFailure) facts.catalog = await session.catalog(facts.schemas).catch(failed);
		if (http && facts.api && facts.catalog && facts.api.root.error?.code !== 'PGRST002') {
			const {catalog, api} = facts;
			facts.cache = await timed(facts, 'cache', async () => cacheSnapshot(http, api, catalog), options.onPhase);
		}
	} finally {
		await session?.close();
	}
	// After the cache was read: the probe's notification is a reload and may heal what was just diagnosed.
	if (options.probe && facts.database && !options.signal?.aborted) {
		const admin = options.admin && {baseUrl: options.admin.url, timeoutMs: options.timeoutMs, signal: options.signal};
		options.onPhase?.('probe', false);
		facts.delivery = await probeDelivery({connectionString: options.database!.connectionString, channel: options.channel, timeoutMs: options.timeoutMs, admin, signal: options.signal});
		options.onPhase?.('probe', true);
	}
	return facts;
}

async function timed<T>(facts: Facts, name: keyof Facts['timings'], work: () => Promise<T>, onPhase?: DiagnosisOptions['onPhase']): Promise<T> {
	const started = performance.now();
	onPhase?.(name, false);
	try {
		return await work();
	} finally {
		facts.timings[name] = Math.round(performance.now() - started);
		onPhase?.(name, true, facts.timings[name]);
	}
}

async function openAndRead(target: DatabaseTarget, timeoutMs: number, facts: Facts, signal?: AbortSignal): Promise<DatabaseSession | undefined> {
	let session: DatabaseSession | undefined;
	try {
		session = await openDatabase(target.connectionString, timeoutMs, signal);
		facts.database = {...(await session.facts()), sessions: []};
		return session;
	} catch (error) {
		await session?.close();
		facts.databaseFailure = databaseFailure(error, target.display);
		return undefined;
	}
}

async function readApi(http: HttpTarget, adminUrl: string | undefined, facts: Facts): Promise<void> {
	let api: ApiFacts;
	try {
		api = await apiFacts(http, adminUrl);
	} catch (error) {
		facts.apiFailure = apiFailure(error, http.baseUrl);
		return;
	}
	if (api.root.status === 401) {
		const detail = api.root.error ? `${api.root.error.code} ${api.root.error.message}` : 'HTTP 401';
		facts.apiFailure = finding('api.unauthorized', `PostgREST at ${http.baseUrl} refused the request (${detail})`, {
			suggestion: http.apiKey ? 'The API key or JWT was rejected: check that it belongs to this project and has not expired.' : 'Pass --api-key (or PGRST_DOCTOR_API_KEY) with a key PostgREST accepts.',
		});
	} else if (!api.isPostgrest) {
		facts.apiFailure = finding('api.not_postgrest', `The server at ${http.baseUrl} does not look like PostgREST (HTTP ${api.root.status}, no PostgREST Server header or error shape)`, {
			suggestion: 'Point --api-url at PostgREST itself, e.g. http://localhost:3000 or https://<ref>.supabase.co/rest/v1.',
		});
	} else {
		facts.api = api;
	}
}

/** --schemas, else what PostgREST says it exposes, else the PostgREST role's pgrst.db_schemas setting, else public. */
export function exposedSchemas(flag: string[] | undefined, api: ApiFacts | undefined, database: DatabaseFacts | undefined): [string[], string] {
	if (flag?.length) return [flag, '--schemas'];
	if (api?.exposedSchemas?.length) return [api.exposedSchemas, 'PostgREST'];
	const roles = new Set(postgrestSessions(database?.sessions ?? []).map(session => session.user));
	for (const setting of database?.roleSettings ?? []) {
		const value = setting.role && roles.has(setting.role) ? setting.settings.find(entry => entry.startsWith('pgrst.db_schemas='))?.slice('pgrst.db_schemas='.length) : undefined;
		if (value) return [value.split(',').map(name => name.trim()).filter(Boolean), `pgrst.db_schemas of role ${setting.role}`];
	}
	return [['public'], 'default'];
}

/** What the database URL itself says about a pooler between us and PostgreSQL. */
function poolerHints(database: DatabaseTarget | undefined): string[] {
	if (!database) return [];
	const url = new URL(database.connectionString);
	const hints: string[] = [];
	if (url.port === '6543') hints.push('the database URL uses port 6543, Supabase\'s transaction pooler');
	if (url.port === '6432') hints.push('the database URL uses port 6432, PgBouncer\'s default');
	if (/pooler|pgbouncer|supavisor/i.test(url.hostname)) hints.push(`the database host ${url.hostname} is a pooler`);
	return hints;
}
