// Looks once: the database and PostgREST in parallel, then the catalog for the exposed schemas, then the cache. The
// catalog is read ahead while PostgREST writes its OpenAPI description, once PGRST106 has named the exposed schemas,
// and the functions are probed then too.
import type {Facts} from './checks/check.js';
import {postgrestSessions} from './checks/postgrestSessions.js';
import {describeInstance, instanceCount, postgrestInstances} from './checks/postgrestInstances.js';
import {sampleCache} from './probes/cacheAgreement.js';
import {type Finding, finding} from './findings.js';
import {cacheSnapshot, type FunctionsAhead, probeFunctionsAhead} from './probes/cacheSnapshot.js';
import {type ForeignKey, readForeignKeys} from './probes/foreignKeys.js';
import {type ProbeHazards, readProbeHazards} from './probes/mediaHandlers.js';
import {probeDelivery, probeSeenInstances} from './probes/deliveryProbe.js';
import {apiFailure, databaseFailure, gatewayRefusal} from './probes/connectionFailure.js';
import {type Catalog, type DatabaseFacts, type DatabaseSession, openDatabase} from './probes/database.js';
import {missingSchemas} from './probes/missingSchemas.js';
import {adminRequests, apiRequests, type HttpTarget} from './probes/http.js';
import {type ApiFacts, apiFacts, type ExposedAnswer, type OffRoot} from './probes/postgrest.js';
import {postgrestFeatures} from './postgrestVersions.js';
import {identifyPostgrest, type PostgrestIdentity} from './probes/postgrestIdentity.js';
import {listenerEvidence} from './checks/listenerEvidence.js';
import {localSupabase, projectRefs, transactionPoolerHint} from './settings/supabaseShape.js';
import type {Channel} from './sql/channel.js';
import type {Setting, Settings} from './settings/settings.js';
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
	/** What discovery found and where (flags, environment, files): PostgREST's own settings are compared with the server. */
	settings?: Settings;
	/** Probe requests in flight at once (--concurrency); the default suits a PostgREST with its default pool. */
	concurrency?: number;
	/** Several --api-url: every instance of one PostgREST at its own address (the first is `api`); see library/instancesDiagnosis.ts. */
	instances?: ApiTarget[];
	/** Send a NOTIFY and watch PostgREST reload (--probe). */
	probe?: boolean;
	/** Told when each phase of looking starts and ends, for a progress display; failed: the finding that ended it. */
	onPhase?: OnPhase;
	/** Finding keys accepted on purpose (--ignore): see withIgnores in report/buildReport.ts. */
	ignore?: readonly string[];
};

export type Phase = 'database' | 'api' | 'cache' | 'probe';

export type OnPhase = (phase: Phase, done: boolean, ms?: number, failed?: Finding) => void;

export async function collectFacts(options: DiagnosisOptions): Promise<Facts> {
	const facts: Facts = {
		channel: options.channel,
		schemas: [],
		schemasSource: '',
		apiUrl: options.api?.display,
		poolerHints: poolerHints(options.database),
		timings: {},
		settings: options.settings,
		http: {requests: 0, bytesRead: 0},
	};
	facts.projectRefs = projectRefs(options.api?.url, options.apiKey, options.database?.connectionString);
	const http =
		options.api && apiRequests(options.api.url, options, {meter: facts.http, concurrency: options.concurrency});
	let exposedAnswered: (answer: ExposedAnswer | null) => void = () => {};
	const answered = http
		? new Promise<ExposedAnswer | null>(resolve => (exposedAnswered = resolve))
		: Promise.resolve(null);
	const exposed = options.schemas?.length
		? Promise.resolve(options.schemas)
		: answered.then(answer => answer?.schemas ?? null);
	let ahead: ReadAhead | undefined;
	const opening =
		options.database &&
		timed(
			facts,
			'database',
			async () => openAndRead(options.database!, options.timeoutMs, facts, options.signal),
			options.onPhase,
			() => facts.databaseFailure
		).then(async opened => {
			ahead = opened && (await readAhead(opened, await exposed));
			return opened;
		});
	const reading =
		http &&
		timed(
			facts,
			'api',
			async () => readApi(http, options.admin?.url, facts, options.schemas, exposedAnswered),
			options.onPhase,
			() => facts.apiFailure
		).finally(() => exposedAnswered(null));
	// The functions' probes start once the catalog read ahead and PGRST106 says which PostgREST answers, while GET / runs.
	// One place under their cap stays with the requests made outside it (GET /, the identity probe) until those are done.
	let release = () => {};
	const outsideDone = new Promise<void>(resolve => (release = resolve));
	const functionsAhead = Promise.all([answered, opening]).then(([answer]) => {
		const catalog = ahead?.catalog && 'value' in ahead.catalog ? ahead.catalog.value : undefined;
		const hazards = ahead?.hazards && 'value' in ahead.hazards ? ahead.hazards.value : undefined;
		const dumps = options.admin && postgrestFeatures(answer?.version).adminEndpoints?.includes('/schema_cache');
		// Only a server that answered PGRST106 as PostgREST does is sent them before GET / says what it is.
		return http && answer?.schemas && catalog && hazards && !dumps
			? probeFunctionsAhead(http, answer.version, catalog, hazards, outsideDone)
			: undefined;
	});
	const [session] = await Promise.all([opening, reading]);
	let probing: FunctionsAhead | undefined = await functionsAhead;
	try {
		if (options.signal?.aborted) return facts;
		const failed = (error: unknown) => {
			facts.databaseFailure = databaseFailure(error, options.database!.display);
			return undefined;
		};
		if (session && facts.database) {
			facts.postgrest = await identify(session, http, facts).catch(failed);
			release();
			facts.database.sessions = (await session.sessions().catch(failed)) ?? [];
			facts.database.queueUsage.push((await session.queueUsage().catch(failed)) ?? null);
			if (!facts.databaseFailure) followListener(facts);
		}
		[facts.schemas, facts.schemasSource] = exposedSchemas(
			options.schemas,
			facts.api,
			facts.database,
			configuredSchemas(options.settings)
		);
		const early = ahead && sameNames(ahead.schemas, facts.schemas) ? ahead : undefined;
		if (session && !facts.databaseFailure)
			facts.missingSchemas = await read(early?.missing, async () => missingSchemas(session, facts.schemas)).catch(
				failed
			);
		if (session && !facts.databaseFailure)
			facts.catalog = await read(early?.catalog, async () => session.catalog(facts.schemas)).catch(failed);
		if (session && facts.catalog)
			facts.catalog.foreignKeys = await read(early?.foreignKeys, async () =>
				readForeignKeys(session, facts.schemas)
			).catch(failed);
		if (http && facts.api && !facts.apiFailure && facts.catalog && facts.api.root.error?.code !== 'PGRST002') {
			const {catalog, api} = facts;
			const hazards = await read(early?.hazards, async () => readProbeHazards(session!, facts.schemas)).catch(
				failed
			);
			// The probes made ahead are for the catalog read ahead; used only when the diagnosis settled on it and goes on
			// to read the cache (otherwise `finally` stops them and waits for them).
			const taken = hazards && probing?.prober.catalogIs(catalog) ? probing : undefined;
			if (taken) probing = undefined;
			else probing?.abort();
			if (hazards)
				facts.cache = await timed(
					facts,
					'cache',
					async () => cacheSnapshot(http, api, catalog, hazards, taken),
					options.onPhase
				);
		}
	} finally {
		release();
		// Probes made ahead for a diagnosis that did not use them stop; their requests are still counted.
		probing?.abort();
		await probing?.functions.catch(() => undefined);
		// A session the server already ended must not cost the report.
		await session?.close().catch(() => {});
	}
	// With the database's transaction closed: the samples may take a while behind a slow balancer.
	if (
		http &&
		!options.instances &&
		facts.api &&
		!facts.apiFailure &&
		facts.database &&
		!facts.databaseFailure &&
		!options.signal?.aborted
	)
		await sampleInstances(http, facts);
	// After the cache was read: the probe's notification is a reload and may heal what was just diagnosed.
	if (options.probe && facts.database && !options.signal?.aborted) {
		const admin = options.admin && adminRequests(options.admin.url, options);
		options.onPhase?.('probe', false);
		const probe = {
			connectionString: options.database!.connectionString,
			channel: facts.channel,
			timeoutMs: options.timeoutMs,
			signal: options.signal,
		};
		// Several instances behind one address: each must reload, not just one of them.
		const seen = facts.instancesSeen?.map(group => ({
			label: describeInstance(group),
			...(group.count === 1 ? {key: group} : {}),
		}));
		facts.delivery = seen ? await probeSeenInstances(probe, seen) : await probeDelivery({...probe, admin});
		options.onPhase?.('probe', true);
	}
	facts.databaseFailure = attributed(
		facts.databaseFailure,
		options.settings?.dbUrl,
		'database URL',
		localSupabase(undefined, options.database?.connectionString)
	);
	facts.apiFailure = attributed(
		facts.apiFailure,
		options.settings?.apiUrl,
		'PostgREST URL',
		localSupabase(options.api?.url)
	);
	return facts;
}

/**
 * One address, and the database shows several PostgREST instances: which one answered each request was up to a load
 * balancer, so identical requests are compared (cache.consistent) and the instances are counted (api.instances).
 */
async function sampleInstances(http: HttpTarget, facts: Facts): Promise<void> {
	const seen = postgrestInstances(facts.database!.sessions, facts.database!.server.database, [facts.postgrest]);
	if (instanceCount(seen) < 2) return;
	facts.instancesSeen = seen;
	facts.agreement = await sampleCache(http);
}

type Settled<T> = {value: T} | {error: unknown};

/**
 * The catalog of the schemas PostgREST named, read while it still writes its OpenAPI description; each read as its own
 * result or failure.
 */
type ReadAhead = {
	schemas: string[];
	missing?: Settled<string[]>;
	catalog?: Settled<Catalog>;
	foreignKeys?: Settled<ForeignKey[]>;
	hazards?: Settled<ProbeHazards>;
};

/**
 * The reads that need only the schemas, made as soon as PGRST106 (or --schemas) named them, one after another on the
 * session as the diagnosis makes them, stopping at the first that fails. They are used only when the schemas this
 * diagnosis settles on are the same ones, and each in its old place in the diagnosis, so a failure reads as before.
 */
async function readAhead(session: DatabaseSession, schemas: string[] | null): Promise<ReadAhead | undefined> {
	if (!schemas?.length) return undefined;
	const ahead: ReadAhead = {schemas};
	const settle = async <T>(work: () => Promise<T>): Promise<Settled<T>> =>
		work().then(
			value => ({value}),
			(error: unknown) => ({error})
		);
	ahead.missing = await settle(async () => missingSchemas(session, schemas));
	if ('error' in ahead.missing) return ahead;
	ahead.catalog = await settle(async () => session.catalog(schemas));
	if ('error' in ahead.catalog) return ahead;
	ahead.foreignKeys = await settle(async () => readForeignKeys(session, schemas));
	if ('error' in ahead.foreignKeys) return ahead;
	ahead.hazards = await settle(async () => readProbeHazards(session, schemas));
	return ahead;
}

/** A read made ahead, as it came out, else made now. */
async function read<T>(early: Settled<T> | undefined, now: () => Promise<T>): Promise<T> {
	if (!early) return now();
	if ('error' in early) throw early.error;
	return early.value;
}

function sameNames(a: string[], b: string[]): boolean {
	return a.length === b.length && a.every((name, index) => name === b[index]);
}

/**
 * A failure's next step names the flag; a value found in the environment or a file says where it came from, so the
 * user knows what to edit, and `supabase start`'s addresses that do not answer point at the local stack.
 */
function attributed(
	found: Finding | undefined,
	setting: Setting<unknown> | undefined,
	what: string,
	local: boolean
): Finding | undefined {
	if (!found?.suggestion || !setting || setting.from.startsWith('--')) return found;
	const stack =
		local && found.code.endsWith('.unreachable')
			? ' Is the local stack running? supabase start starts it, supabase status shows it.'
			: '';
	return {...found, suggestion: `${found.suggestion} This run's ${what} came from ${setting.from}.${stack}`};
}

/**
 * A channel found in PostgREST's config (not given with --channel) that the running PostgREST does not listen on,
 * while its confirmed listener in this database listens on exactly one other: the server is the truth for this run,
 * so the trigger check, the probe and the fixes use the channel it listens on, and config.channel_mismatch says why.
 */
function followListener(facts: Facts): void {
	const configured = facts.settings?.channel;
	if (!configured || configured.from === '--channel') return;
	const evidence = listenerEvidence(facts);
	if (!evidence.confirmed || evidence.onChannel.length > 0 || evidence.otherChannels.length !== 1) return;
	facts.channel = evidence.otherChannels[0] as Channel;
	facts.channelFollowed = configured;
}

/** db-schemas as the environment or a file says, when --schemas did not. */
export function configuredSchemas(settings: Settings | undefined): Setting<string[]> | undefined {
	return settings?.schemas && settings.schemas.from !== '--schemas' ? settings.schemas : undefined;
}

/** The role PostgREST's config runs requests without a JWT as (db-anon-role), for explain's candidate roles. */
export function configuredRoles(settings: Settings | undefined): string[] {
	return settings?.anonRole ? [settings.anonRole.value] : [];
}

/** PostgREST's sessions are recognised by the one that runs a request of the doctor's, not by the name they claim. */
export async function identify(
	session: DatabaseSession,
	http: HttpTarget | undefined,
	facts: Facts
): Promise<PostgrestIdentity> {
	if (!http) return {confirmed: false, reason: 'no --api-url was given, so PostgREST could not be asked'};
	if (!facts.api) return {confirmed: false, reason: 'PostgREST did not answer'};
	const exposed = facts.api.exposedSchemas?.[0];
	const schema = {name: exposed ?? 'public', profile: exposed !== undefined};
	return identifyPostgrest(
		session,
		http,
		facts.database!.server,
		schema,
		facts.api.root.openApi?.tables.map(table => table.name) ?? []
	);
}

/** failure: what ended the phase without an answer, so a progress display never shows a failed phase as done. */
async function timed<T>(
	facts: Facts,
	name: Phase & keyof Facts['timings'],
	work: () => Promise<T>,
	onPhase?: OnPhase,
	failure: () => Finding | undefined = () => undefined
): Promise<T> {
	const started = performance.now();
	onPhase?.(name, false);
	try {
		return await work();
	} finally {
		facts.timings[name] = Math.round(performance.now() - started);
		onPhase?.(name, true, facts.timings[name], failure());
	}
}

async function openAndRead(
	target: DatabaseTarget,
	timeoutMs: number,
	facts: Facts,
	signal?: AbortSignal
): Promise<DatabaseSession | undefined> {
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

/**
 * Reads PostgREST's root (and admin server): facts.api when it answers as PostgREST's root, else facts.apiFailure;
 * both when a gateway refused only the root to this key (Supabase's 403) while PostgREST answered past it.
 */
export async function readApi(
	http: HttpTarget,
	adminUrl: string | undefined,
	facts: Facts,
	schemas: string[] | undefined,
	onExposedSchemas?: (answer: ExposedAnswer) => void
): Promise<void> {
	let api: ApiFacts;
	try {
		api = await apiFacts(http, adminUrl, schemas, onExposedSchemas);
	} catch (error) {
		facts.apiFailure = apiFailure(error, http.baseUrl);
		return;
	}
	const refusal = gatewayRefusal(api.root, http.baseUrl, http.apiKey);
	if (refusal) {
		facts.apiFailure = refusal;
		// Only the OpenAPI root was refused when a request past it reached PostgREST: explain can still ask about one object.
		if (api.root.status === 403 && api.isPostgrest) facts.api = api;
	} else if (api.root.location !== undefined) {
		const where = redirectTarget(api.root.location, http.baseUrl);
		facts.apiFailure = finding(
			'api.redirected',
			{where: http.baseUrl, status: api.root.status, target: where},
			{
				suggestion:
					'Use the address PostgREST really answers at as --api-url' +
					`${where.startsWith('http') ? `, e.g. --api-url ${where}` : ''}.`,
			}
		);
	} else if (api.root.error?.code === 'PGRST300') {
		const answer = api.root.error.message;
		facts.apiFailure = finding(
			'api.unauthorized',
			{situation: 'jwt unverifiable', where: http.baseUrl, status: api.root.status, answer},
			{
				suggestion:
					'Give PostgREST the jwt-secret that signed this key (PGRST_JWT_SECRET), or leave out --api-key ' +
					'if the anonymous role may read the schema.',
			}
		);
	} else if (api.root.status === 401) {
		const detail = api.root.error ? `${api.root.error.code} ${api.root.error.message}` : 'HTTP 401';
		facts.apiFailure = finding(
			'api.unauthorized',
			{situation: 'refused', where: http.baseUrl, detail},
			{
				suggestion: http.apiKey
					? 'The API key or JWT was rejected: check that it belongs to this project and has not expired.'
					: 'Pass --api-key (or PGRST_DOCTOR_API_KEY) with a key PostgREST accepts.',
			}
		);
	} else if (api.root.status >= 500 && api.root.error?.code !== 'PGRST002') {
		const detail = api.root.error ? `${api.root.error.code} ${api.root.error.message}` : 'no PostgREST error';
		facts.apiFailure = finding(
			'api.unreachable',
			{situation: 'server error', where: http.baseUrl, status: api.root.status, detail},
			{
				suggestion: "Read PostgREST's log for the error, fix it, and run the doctor again.",
			}
		);
	} else if (api.offRoot) {
		facts.apiFailure = wrongBaseUrl(http.baseUrl, api.version, api.offRoot);
	} else if (!api.isPostgrest) {
		facts.apiFailure = finding(
			'api.not_postgrest',
			{where: http.baseUrl, status: api.root.status},
			{
				suggestion:
					'Point --api-url at PostgREST itself, e.g. http://localhost:3000 or https://<ref>.supabase.co/rest/v1.',
			}
		);
	} else {
		facts.api = api;
	}
}

function wrongBaseUrl(baseUrl: string, version: string | null, offRoot: OffRoot): Finding {
	const postgrest = `PostgREST${version ? ` ${version}` : ''}`;
	const answers = {where: baseUrl, postgrest, status: offRoot.status, control: offRoot.control};
	if (offRoot.admin) {
		return finding(
			'api.wrong_base_url',
			{...answers, admin: true},
			{
				suggestion:
					"Give PostgREST's API address (its server-port, 3000 by default) as --api-url, and this one as --admin-url.",
			}
		);
	}
	return finding(
		'api.wrong_base_url',
		{...answers, root: offRoot.root},
		{
			suggestion: offRoot.root
				? `Use --api-url ${offRoot.root}${/\/rest\/v1\/?$/.test(baseUrl) ? " (/rest/v1 is the path of Supabase's gateway; a self-hosted PostgREST serves its API at the root)" : ''}.`
				: "Use the address at which GET / returns PostgREST's OpenAPI description as --api-url, without the extra path.",
		}
	);
}

/** Where a redirect points, without credentials, query or fragment (they may carry tokens). */
export function redirectTarget(location: string, baseUrl: string): string {
	if (!location) return 'nowhere (no Location header)';
	try {
		const url = new URL(location, baseUrl);
		return `${url.protocol}//${url.host}${url.pathname}`;
	} catch {
		return 'an address that is not a URL';
	}
}

/**
 * --schemas, else what PostgREST says it exposes, else the PostgREST role's pgrst.db_schemas setting, else db-schemas
 * as PostgREST's config found here says (PGRST_DB_SCHEMAS, postgrest.conf, …), else public.
 */
export function exposedSchemas(
	flag: string[] | undefined,
	api: ApiFacts | undefined,
	database: DatabaseFacts | undefined,
	configured?: Setting<string[]>
): [string[], string] {
	if (flag?.length) return [flag, '--schemas'];
	if (api?.exposedSchemas?.length) return [api.exposedSchemas, 'PostgREST'];
	const roles = new Set(postgrestSessions(database?.sessions ?? []).map(session => session.user));
	for (const setting of database?.roleSettings ?? []) {
		const value =
			setting.role && roles.has(setting.role)
				? setting.settings
						.find(entry => entry.startsWith('pgrst.db_schemas='))
						?.slice('pgrst.db_schemas='.length)
				: undefined;
		if (value)
			return [
				value
					.split(',')
					.map(name => name.trim())
					.filter(Boolean),
				`pgrst.db_schemas of role ${setting.role}`,
			];
	}
	if (configured?.value.length) return [configured.value, configured.from];
	return [['public'], 'default'];
}

/** What the database URL itself says about a pooler between us and PostgreSQL. */
function poolerHints(database: DatabaseTarget | undefined): string[] {
	if (!database) return [];
	const url = new URL(database.connectionString);
	const hints: string[] = [];
	if (url.port === '6543')
		hints.push(
			transactionPoolerHint(database.connectionString) ??
				"the database URL uses port 6543, Supabase's transaction pooler"
		);
	if (url.port === '6432') hints.push("the database URL uses port 6432, PgBouncer's default");
	if (/pooler|pgbouncer|supavisor/i.test(url.hostname)) hints.push(`the database host ${url.hostname} is a pooler`);
	return hints;
}
