// What the running PostgREST really has cached. Bulk sources first (admin /schema_cache, OpenAPI definitions),
// then targeted probes. A probe method is an experiment: before its answers are trusted on this server it is run on
// controls — a name that cannot exist must read "not cached", and an object OpenAPI lists (when there is one) must
// read "cached". A method that fails its controls is not used; the next is tried; with none left the objects are
// unverified, never passing. Every method stops before PostgreSQL runs anything (see probeMethods below, measured
// on PostgREST 11.2.2 and 12.0.2). A media type handler can accept any Accept type, so objects with one are never
// sent a probe that could run them (see mediaHandlers.ts): a relation is only asked OPTIONS, a function not at all.
import {randomBytes} from 'node:crypto';
import type {Catalog, CatalogFunction, CatalogTable} from './database.js';
import {embeddingBatches} from './embeddingBatches.js';
import {foreignKeyKey, objectKey} from '../objectKey.js';
import type {ForeignKey} from './foreignKeys.js';
import {failureReason, isConnectionLost} from './connectionFailure.js';
import {bodyCaps, type HttpAnswer, type HttpTarget, mebibytes, postgrestError, send} from './http.js';
import {isUnsafe, type ProbeHazards, unsafeObjects, type UnsafeObjects} from './mediaHandlers.js';
import {openApiReader} from './openApiTables.js';
import type {ApiFacts} from './postgrest.js';
import {postgrestFeatures} from '../postgrestVersions.js';

export type CachedTable = {schema: string; name: string; columns: string[]; allColumnsKnown: boolean};
/** otherArguments: the cache has the name, with arguments no probe could name (PostgREST's hint named none). */
export type CachedFunction = {schema: string; name: string; overloads: string[][]; otherArguments?: true};
/** For a relationship, name is the table whose foreign key could not be compared. */
export type Unknown = {kind: 'table' | 'function' | 'relationship'; schema: string; name: string; reason: string};
export type CacheSource = 'admin /schema_cache' | 'OpenAPI + probes' | 'probes';

export type CacheSnapshot = {
	source: CacheSource;
	tables: CachedTable[];
	functions: CachedFunction[];
	/** The foreign keys (foreignKeyKey) PostgREST has a relationship for, among those compared. */
	relationships?: string[];
	/** True when the source lists the whole cache, so cached objects gone from the database can be seen. */
	complete: boolean;
	unknown: Unknown[];
	requests: number;
	/** Bulk sources that could not be read and what was done instead. */
	notes?: string[];
	/** Why PostgREST stopped answering during the probes (connection refused or closed), if it did. */
	apiLost?: string;
	/** Which probe method decided what, with its controls; only the kinds that needed probing. */
	probeMethods?: ProbeMethods;
};

/**
 * - options: OPTIONS /t, answered from the cache alone (App.hs infoIdentResponse, 10.0.0+): 200 cached, 404 not.
 * - post-columns: POST /t?columns=… with an unknown Accept and strict preferences, stopped after the column check
 *   by PGRST107/PGRST122 (12.0.0+; PostgREST 11 negotiates Accept first and answers PGRST107 to everything).
 * - post-invalid-body: POST /t?columns=… with a body that is not JSON; PostgREST checks the columns against its
 *   cache and passes the body on unparsed (ApiRequest.hs RawJSON), PostgreSQL refuses it while binding the
 *   statement's parameter (22P02), before planning or running it: no row, no trigger. It runs PostgREST's
 *   db-pre-request function, if one is set, as every read does.
 * - post-rpc: POST /rpc/f with the argument names, stopped by PGRST107/PGRST122 after the function lookup (12.0.0+).
 * - post-rpc-filter: POST /rpc/f?<no such embed>.c=eq.1: after the function lookup, planning the read of its result
 *   fails with PGRST108 (Plan.hs addFilters, after addRels; at v11.2.2 and v12.0.2). PostgREST 11 words it in
 *   microseconds, where post-rpc-embed's PGRST200 carries a fuzzy hint over every relation (80 ms at 1,000 tables).
 * - post-rpc-embed: POST /rpc/f?select=*,<no such embed>(*): after the function lookup, planning the read of its
 *   result fails with PGRST200 (Plan.hs callReadPlan: findProc, then readPlan, at v11.2.2, v12.0.2, v14.0).
 * - embed-accept, embed-spread: the foreign keys' embedding probes (see relationship and calibrateRelationships),
 *   up to 16 keys to a request (batchedRelationships, embeddingBatches.ts).
 * - embed-invalid-body: a one-to-one key where embed-spread is the method (PostgREST 11): post-invalid-body with the
 *   embedding in its select, planned (PGRST200 when the cache lacks it) before the body reaches PostgreSQL.
 */
export type ProbeMethod =
	| 'options'
	| 'post-columns'
	| 'post-invalid-body'
	| 'post-rpc'
	| 'post-rpc-filter'
	| 'post-rpc-embed'
	| 'embed-accept'
	| 'embed-spread'
	| 'embed-invalid-body';
export type ProbeKind = 'tables' | 'columns' | 'functions';
export type ProbeControl = {
	method: ProbeMethod;
	control: 'negative' | 'positive';
	object: string;
	expected: 'cached' | 'not cached';
	read: string;
	passed: boolean;
};
/** method null: no method passed its controls, so every object of this kind is unverified. */
export type ProbeMethodChoice = {method: ProbeMethod | null; controls: ProbeControl[]};
/**
 * relationships: the embedding probes of foreign keys, calibrated by Prober.calibrateRelationships;
 * oneToOneRelationships: the probe of one-to-one keys where the relationships' method cannot take them.
 */
export type ProbeMethods = Partial<Record<ProbeKind | 'relationships' | 'oneToOneRelationships', ProbeMethodChoice>>;

const probePrefer = 'handling=strict, pgrst-doctor-probe';
/** Probe requests in flight at once, unless --concurrency says otherwise. */
export const defaultConcurrency = 6;

/**
 * The functions' probes, started while PostgREST still writes its OpenAPI description: they need only the catalog
 * and PostgREST's version (PGRST106's Server header), nothing that description says. One place under the cap is held
 * until `held` settles, for the requests made outside it meanwhile (GET /, the identity probe), so requests in flight
 * stay within --concurrency. cacheSnapshot takes them over.
 */
export type FunctionsAhead = {prober: Prober; run: Limit; functions: Promise<CachedFunction[]>; abort(): void};

export function probeFunctionsAhead(
	target: HttpTarget,
	version: string | null,
	catalog: Catalog,
	hazards: ProbeHazards,
	held: Promise<unknown>
): FunctionsAhead {
	const controller = new AbortController();
	const stop = () => controller.abort();
	target.signal?.addEventListener('abort', stop, {once: true});
	const prober = new Prober({...target, signal: controller.signal}, hazards, catalog, {version});
	const run = limiter(target.concurrency ?? defaultConcurrency);
	void run(async () => held.catch(() => {}));
	const functions = probeFunctions(prober, run, catalog).finally(() =>
		target.signal?.removeEventListener('abort', stop)
	);
	return {prober, run, functions, abort: stop};
}

async function probeFunctions(prober: Prober, run: Limit, catalog: Catalog): Promise<CachedFunction[]> {
	const functions: CachedFunction[] = [];
	const byName = new Map<string, CatalogFunction[]>();
	for (const overload of catalog.functions)
		byName.set(objectKey(overload), [...(byName.get(objectKey(overload)) ?? []), overload]);
	await eachLimited([...byName.values()], run, async overloads => {
		const cached = await prober.functionOverloads(overloads);
		if (cached) functions.push(cached);
	});
	return functions;
}

/** ahead: the functions' probes already under way for this catalog (probeFunctionsAhead). */
export async function cacheSnapshot(
	target: HttpTarget,
	api: ApiFacts,
	catalog: Catalog,
	hazards: ProbeHazards,
	ahead?: FunctionsAhead
): Promise<CacheSnapshot> {
	const limit = target.concurrency ?? defaultConcurrency;
	const dump = api.admin?.schemaCache;
	if (dump) {
		ahead?.abort();
		await ahead?.functions.catch(() => undefined);
		const inSchemas = <T extends {schema: string}>(items: T[]) =>
			items.filter(item => catalog.schemas.includes(item.schema));
		return {
			source: 'admin /schema_cache',
			tables: inSchemas(dump.tables),
			functions: inSchemas(dump.functions),
			relationships: dump.relationships,
			complete: true,
			unknown: [],
			requests: 0,
			notes: [],
			probeMethods: {},
		};
	}
	const prober = ahead?.prober ?? new Prober(target, hazards, catalog, {version: api.version});
	// The functions' probes depend on nothing the relations' probes find, so both run at once, under one cap.
	const run = ahead?.run ?? limiter(limit);
	const {tables: listed, read} = await openApiTables(prober, api, catalog.schemas);
	const functionsProbed = ahead?.functions ?? probeFunctions(prober, run, catalog);
	// The positive controls: relations the database has and OpenAPI lists, with the columns both have.
	const inDatabase = new Map(catalog.tables.map(table => [objectKey(table), table]));
	prober.listed = listed.flatMap(table => {
		const columns = table.columns.filter(column => inDatabase.get(objectKey(table))?.columns.includes(column));
		return columns.length > 0 ? [{...table, columns}] : [];
	});
	const listedKeys = new Set(listed.map(objectKey));
	const tables = [...listed];
	const relationships: string[] = [];
	const [functions] = await Promise.all([functionsProbed, relationsAndRelationships()]);
	async function relationsAndRelationships() {
		await eachLimited(
			catalog.tables.filter(table => !listedKeys.has(objectKey(table))),
			run,
			async table => {
				const cached = await prober.table(table);
				if (cached) tables.push(cached);
			}
		);
		const formerNames = new Map<string, {schema: string; name: string}>();
		const cachedKeys = new Set(tables.map(objectKey));
		const cachedColumns = new Map(tables.map(table => [objectKey(table), table.columns]));
		// A key whose table or referenced relation the cache lacks is left to that finding (diffSchemas), so what its
		// probe could not tell is not reported; it is still asked, for the name PostgREST's hint may suggest.
		const uncompared = new Set(prober.unknown.filter(item => item.kind === 'table').map(objectKey));
		const lacks = (name: string, schema: string) =>
			!cachedColumns.has(objectKey({schema, name})) && !uncompared.has(objectKey({schema, name}));
		const batched = await prober.batchedRelationships(catalog.foreignKeys ?? [], run);
		await eachLimited(catalog.foreignKeys ?? [], run, async foreignKey => {
			const moot =
				lacks(foreignKey.table, foreignKey.schema) || lacks(foreignKey.foreignTable, foreignKey.schema);
			const answer = batched.has(foreignKey)
				? {cached: true}
				: await prober.relationship(
						foreignKey,
						cachedColumns.get(objectKey({schema: foreignKey.schema, name: foreignKey.table})) ?? [],
						moot ? [] : prober.unknown
					);
			if (answer?.cached) relationships.push(foreignKeyKey(foreignKey));
			const candidates = [
				...(answer?.suggested ? [answer.suggested.name] : []),
				...(cachedKeys.has(objectKey({schema: foreignKey.schema, name: foreignKey.table}))
					? []
					: formerTableNames(foreignKey.name)),
			];
			for (const name of candidates)
				formerNames.set(objectKey({schema: foreignKey.schema, name}), {schema: foreignKey.schema, name});
		});
		// A name PostgREST suggests for an embedding is a relation its cache has, and a renamed table keeps its foreign
		// keys' names (table_column_fkey): a candidate the cache has and the database lacks is a stale name.
		const known = new Set([...catalog.tables, ...tables].map(objectKey));
		await eachLimited(
			[...formerNames.values()].filter(name => !known.has(objectKey(name))),
			run,
			async name => {
				if (await prober.cachedName(name)) tables.push({...name, columns: [], allColumnsKnown: false});
			}
		);
	}
	return {
		source: read ? 'OpenAPI + probes' : 'probes',
		tables: tables.sort(byKey),
		relationships,
		functions: functions.sort(byKey),
		complete: false,
		// In the order of the phases before they ran at once: relations, functions, relationships.
		unknown: [...prober.unknown].sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind)),
		requests: prober.requests,
		notes: prober.notes,
		...(prober.lost ? {apiLost: prober.lost} : {}),
		probeMethods: inOrder(prober.methods),
	};
}

const kindOrder: Array<Unknown['kind']> = ['table', 'function', 'relationship'];
const methodOrder: Array<keyof ProbeMethods> = [
	'tables',
	'columns',
	'functions',
	'relationships',
	'oneToOneRelationships',
];

/** The methods in one order, whichever kind's controls finished first, so two runs on one server report alike. */
function inOrder(methods: ProbeMethods): ProbeMethods {
	return Object.fromEntries(methodOrder.filter(kind => methods[kind]).map(kind => [kind, methods[kind]]));
}

function byKey(a: {schema: string; name: string}, b: {schema: string; name: string}): number {
	return objectKey(a) < objectKey(b) ? -1 : objectKey(a) > objectKey(b) ? 1 : 0;
}

/** One OpenAPI description per schema asked for, read one at a time: only the asked schemas' relations are kept. */
async function openApiTables(
	prober: Prober,
	api: ApiFacts,
	schemas: string[]
): Promise<{tables: CachedTable[]; read: boolean}> {
	const tables: CachedTable[] = [];
	let read = false;
	const defaultSchema = api.exposedSchemas?.[0] ?? schemas[0];
	for (const schema of schemas) {
		// A GET / too large to read is not asked for again with the default schema's profile.
		if (schema === defaultSchema && api.root.tooLarge) continue;
		const document = schema === defaultSchema && api.root.openApi ? api.root.openApi : await prober.openApi(schema);
		if (document) read = true;
		for (const {name, columns} of document?.tables ?? [])
			tables.push({schema, name, columns, allColumnsKnown: true});
	}
	return {tables, read};
}

export type ProberOptions = {
	/** PostgREST's version, which orders the methods tried (postgrestVersions.ts); the controls decide. */
	version?: string | null;
	/** Relations the cache certainly has (OpenAPI lists them with their cached columns): the positive controls. */
	listed?: CachedTable[];
};

export type Reading = 'cached' | 'not cached' | 'unclear' | 'no answer';
type Choice = ProbeMethodChoice | 'no answer';

const candidates = (acceptBeforeCache: boolean | null): Record<ProbeKind, ProbeMethod[]> => ({
	tables: ['options'],
	// PostgREST 11 answers every Accept-stopped probe with PGRST107: its controls would fail, so it is not tried.
	columns: acceptBeforeCache ? ['post-invalid-body'] : ['post-columns', 'post-invalid-body'],
	functions: acceptBeforeCache
		? ['post-rpc-filter', 'post-rpc-embed']
		: ['post-rpc', 'post-rpc-filter', 'post-rpc-embed'],
});

/** A call with no arguments. */
const jsonCall = {contentType: 'application/json', body: '{}'};

/** Not JSON: PostgreSQL refuses it while binding the insert's parameter, before the statement is planned or run. */
const invalidBody = 'pgrst-doctor probe: not JSON';

export class Prober {
	requests = 0;
	readonly unknown: Unknown[] = [];
	readonly notes: string[] = [];
	readonly methods: ProbeMethods = {};
	/** Set once a request finds PostgREST gone (refused or closed connection). */
	lost?: string;
	listed: CachedTable[];
	private lastFailure?: string;
	/** Every request has its own timeout; this bounds the sum, so a slow server cannot stretch the run without end. */
	private readonly deadline: number;
	/** Unknown to the database, so no handler can have been made for it in advance. */
	private readonly accept = `application/vnd.pgrst-doctor.probe-${randomBytes(8).toString('hex')}`;
	/** Names no database object has: the negative controls, and the embedding that stops post-rpc-embed and post-rpc-filter. */
	private readonly nonce = randomBytes(6).toString('hex');
	private readonly unsafe: UnsafeObjects;
	private readonly candidates: Record<ProbeKind, ProbeMethod[]>;
	private readonly choices = new Map<ProbeKind, Promise<Choice>>();
	private relationshipMethod?: ReturnType<Prober['calibrateRelationships']>;
	private oneToOneMethod?: Promise<{usable: true} | {usable: false; reason: string}>;

	/**
	 * `objects` are the tables and functions that may be probed; with `hazards` the prober knows which it must not send
	 * a probe that could run them.
	 */
	constructor(
		private readonly target: HttpTarget,
		hazards: ProbeHazards,
		private readonly objects: Pick<Catalog, 'tables' | 'functions'>,
		options: ProberOptions = {}
	) {
		this.deadline = Date.now() + target.timeoutMs * 3;
		this.unsafe = unsafeObjects(hazards, this.accept, objects);
		this.candidates = candidates(postgrestFeatures(options.version).acceptBeforeCache);
		this.listed = options.listed ?? [];
	}

	/** Whether this prober was made for this very catalog (probes made ahead are used only for the catalog they read). */
	catalogIs(catalog: Pick<Catalog, 'tables' | 'functions'>): boolean {
		return this.objects === catalog;
	}

	async openApi(schema: string) {
		const answer = await this.send('/', {
			headers: {accept: 'application/openapi+json', 'accept-profile': schema},
			cap: 'document',
			read: () => openApiReader(true),
		});
		if (answer?.tooLarge)
			this.notes.push(
				`The OpenAPI description of schema ${schema} is larger than ${mebibytes(bodyCaps.document)}, ` +
					`so it was not read; its relations were probed one by one`
			);
		return answer?.status === 200 ? answer.read : undefined;
	}

	/** Is the relation cached, and which of its database columns does the cache know? */
	async table(table: CatalogTable): Promise<CachedTable | undefined> {
		const unsafe = isUnsafe(this.unsafe.tables, table);
		if (unsafe) return this.tableWithoutColumns(table, unsafe);
		if (table.columns.length === 0) return this.tableWithoutColumns(table);
		const choice = await this.choose('columns', table.schema);
		if (choice === 'no answer') return this.giveUp('table', table, this.failure());
		if (!choice.method)
			return this.tableWithoutColumns(
				table,
				`no probe method for columns passed its controls on this PostgREST (${failedControls(choice)})`
			);
		const remaining = [...table.columns];
		const missing = new Set<string>();
		while (remaining.length > 0) {
			const answer = await this.send(...this.columnsProbe(choice.method, table, remaining));
			if (!answer) return this.giveUp('table', table, this.failure());
			const reading = readColumns(choice.method, answer);
			if (reading === 'cached') break;
			if (reading === 'not cached') return undefined;
			const error = postgrestError(answer);
			const column =
				error?.code === 'PGRST204'
					? remaining.find(name => namesMissingColumn(error.message, name, table.name))
					: undefined;
			if (column === undefined)
				return this.giveUp(
					'table',
					table,
					`PostgREST answered ${answer.status}${error ? ` ${error.code}` : ''}`
				);
			missing.add(column);
			remaining.splice(remaining.indexOf(column), 1);
		}
		return {
			schema: table.schema,
			name: table.name,
			columns: table.columns.filter(column => !missing.has(column)),
			allColumnsKnown: false,
		};
	}

	/** Whether the relation is cached, by the calibrated table method; `columnsUnverified` says why its columns were not compared. */
	private async tableWithoutColumns(
		table: CatalogTable,
		columnsUnverified?: string
	): Promise<CachedTable | undefined> {
		const choice = await this.choose('tables', table.schema);
		if (choice === 'no answer') return this.giveUp('table', table, this.failure());
		if (!choice.method)
			return this.giveUp(
				'table',
				table,
				`no probe method for relations passed its controls on this PostgREST (${failedControls(choice)})`
			);
		const answer = await this.send(...this.tableProbe(table.schema, table.name));
		const reading = answer ? readOptions(answer) : 'no answer';
		if (reading === 'not cached') return undefined;
		if (reading === 'cached' && columnsUnverified)
			return this.giveUp('table', table, `cached, but its columns were not probed: ${columnsUnverified}`);
		if (reading === 'cached')
			return {schema: table.schema, name: table.name, columns: table.columns, allColumnsKnown: false};
		return this.giveUp('table', table, answer ? `OPTIONS answered ${answer.status}` : this.failure());
	}

	/**
	 * Which of these overloads does PostgREST resolve by argument names, and what does it suggest instead? Each is
	 * asked in the body PostgREST resolves it by (Plan.hs findProc at v12.0.2): one unnamed text, xml or bytea
	 * argument only with that raw Content-Type, named arguments as form fields when an unnamed json overload would
	 * otherwise answer for them.
	 */
	async functionOverloads(overloads: CatalogFunction[]): Promise<CachedFunction | undefined> {
		const [first] = overloads;
		const unsafe = isUnsafe(this.unsafe.functions, first!);
		if (unsafe) return this.giveUp('function', first!, unsafe);
		const choice = await this.choose('functions', first!.schema);
		if (choice === 'no answer' || !choice.method) {
			const reason =
				choice === 'no answer'
					? this.failure()
					: `no probe method for functions passed its controls on this PostgREST (${failedControls(choice)})`;
			for (const overload of overloads) this.giveUp('function', overload, reason);
			return undefined;
		}
		const found: string[][] = [];
		let hintless = false;
		for (const overload of overloads) {
			const probe = overloadBody(overload, overloads);
			if (typeof probe === 'string') {
				this.giveUp('function', overload, probe);
				continue;
			}
			const answer = await this.send(...this.functionProbe(choice.method, overload.schema, first!.name, probe));
			if (!answer) {
				this.giveUp('function', overload, this.failure());
				continue;
			}
			const error = postgrestError(answer);
			const reading = this.readFunction(choice.method, answer);
			if (reading === 'cached') {
				found.push(overload.args.map(arg => arg.name));
			} else if (reading === 'not cached') {
				const suggested = suggestedArguments(error?.hint ?? null, overload.schema, overload.name);
				if (suggested) found.push(suggested);
				else hintless = true;
			} else {
				this.giveUp(
					'function',
					overload,
					`PostgREST answered ${answer.status}${error ? ` ${error.code}` : ''}`
				);
			}
		}
		if (found.length === 0 && hintless && (await this.functionNameCached(first!, choice.method)))
			return {schema: first!.schema, name: first!.name, overloads: [], otherArguments: true};
		return found.length > 0 ? {schema: first!.schema, name: first!.name, overloads: found} : undefined;
	}

	/**
	 * The first method of this kind that passes its controls, decided once, with controls in the schema of the object
	 * that asks first; a control nobody answered decides nothing and is tried again.
	 */
	private async choose(kind: ProbeKind, schema: string): Promise<Choice> {
		let choice = this.choices.get(kind);
		if (!choice) {
			choice = this.calibrate(kind, schema);
			this.choices.set(kind, choice);
		}
		const result = await choice;
		if (result === 'no answer') this.choices.delete(kind);
		else this.methods[kind] = result;
		return result;
	}

	private async calibrate(kind: ProbeKind, schema: string): Promise<Choice> {
		const controls: ProbeControl[] = [];
		for (const method of this.candidates[kind]) {
			const results = await this.controlsFor(kind, method, schema);
			if (results === 'no answer') return 'no answer';
			controls.push(...results);
			if (results.every(control => control.passed)) return {method, controls};
		}
		return {method: null, controls};
	}

	private async controlsFor(
		kind: ProbeKind,
		method: ProbeMethod,
		schema: string
	): Promise<ProbeControl[] | 'no answer'> {
		const missing = `pgrst_doctor_control_${this.nonce}`;
		// Reported without the random part, so two runs on the same server print the same report.
		const madeUp = '(a made-up name)';
		const listed = this.listed.find(table => table.columns.length > 0 && !isUnsafe(this.unsafe.tables, table));
		const controls: Array<{
			control: ProbeControl['control'];
			object: string;
			expected: ProbeControl['expected'];
			ask: () => Promise<Reading>;
		}> = [];
		if (kind === 'tables') {
			controls.push({
				control: 'negative',
				object: `${schema}.${madeUp}`,
				expected: 'not cached',
				ask: async () => this.reading(this.tableProbe(schema, missing), readOptions),
			});
			if (listed)
				controls.push({
					control: 'positive',
					object: `${listed.schema}.${listed.name}`,
					expected: 'cached',
					ask: async () => this.reading(this.tableProbe(listed.schema, listed.name), readOptions),
				});
		} else if (kind === 'columns') {
			const read = (answer: HttpAnswer) => readColumns(method, answer);
			controls.push({
				control: 'negative',
				object: `${schema}.${madeUp}`,
				expected: 'not cached',
				ask: async () => this.reading(this.columnsProbe(method, {schema, name: missing}, ['id']), read),
			});
			const cached = listed ?? (await this.cachedControlTable(schema));
			if (cached === 'no answer') return 'no answer';
			if (cached) {
				const column = `pgrst_doctor_control_${this.nonce}`;
				controls.push({
					control: 'negative',
					object: `${cached.schema}.${cached.name}.${madeUp}`,
					expected: 'not cached',
					ask: async () =>
						this.reading(this.columnsProbe(method, cached, [column]), answer => {
							const error = postgrestError(answer);
							return error?.code === 'PGRST204' && namesMissingColumn(error.message, column, cached.name)
								? 'not cached'
								: read(answer);
						}),
				});
			}
			if (listed)
				controls.push({
					control: 'positive',
					object: `${listed.schema}.${listed.name}.${listed.columns[0]!}`,
					expected: 'cached',
					ask: async () => this.reading(this.columnsProbe(method, listed, [listed.columns[0]!]), read),
				});
		} else {
			controls.push({
				control: 'negative',
				object: `${schema}.${madeUp}()`,
				expected: 'not cached',
				ask: async () =>
					this.reading(this.functionProbe(method, schema, missing, jsonCall), answer =>
						this.readFunction(method, answer)
					),
			});
		}
		const results: ProbeControl[] = [];
		for (const {ask, ...control} of controls) {
			const read = await ask();
			if (read === 'no answer') return 'no answer';
			results.push({method, ...control, read, passed: read === control.expected});
			if (read !== control.expected) break;
		}
		return results;
	}

	/** A relation with columns the cache has, for the column controls when OpenAPI lists none: the first few the table method finds. */
	private async cachedControlTable(schema: string): Promise<CatalogTable | undefined | 'no answer'> {
		const choice = await this.choose('tables', schema);
		if (choice === 'no answer') return 'no answer';
		if (!choice.method) return undefined;
		for (const table of this.objects.tables
			.filter(item => item.schema === schema && item.columns.length > 0 && !isUnsafe(this.unsafe.tables, item))
			.slice(0, 3)) {
			const answer = await this.send(...this.tableProbe(table.schema, table.name));
			if (!answer) return 'no answer';
			if (readOptions(answer) === 'cached') return table;
		}
		return undefined;
	}

	private async reading(
		request: Parameters<Prober['send']>,
		read: (answer: HttpAnswer) => Reading
	): Promise<Reading> {
		const answer = await this.send(...request);
		return answer ? read(answer) : 'no answer';
	}

	private tableProbe(schema: string, name: string): Parameters<Prober['send']> {
		return [`/${encodeURIComponent(name)}`, {method: 'OPTIONS', headers: {'accept-profile': schema}}];
	}

	private columnsProbe(
		method: ProbeMethod,
		table: {schema: string; name: string},
		columns: string[]
	): Parameters<Prober['send']> {
		const path = `/${encodeURIComponent(table.name)}?columns=${columns.map(quoteColumn).map(encodeURIComponent).join(',')}`;
		const headers = {'content-type': 'application/json', prefer: probePrefer, 'content-profile': table.schema};
		return method === 'post-invalid-body'
			? [path, {method: 'POST', headers: {...headers, accept: 'application/json'}, body: invalidBody}]
			: [path, {method: 'POST', headers: {...headers, accept: this.accept}, body: '[]'}];
	}

	/**
	 * The call of `probe` (overloadBody: the Content-Type and body PostgREST resolves the overload by), stopped the way
	 * `method` stops it.
	 */
	private functionProbe(
		method: ProbeMethod,
		schema: string,
		name: string,
		probe: {contentType: string; body: string}
	): Parameters<Prober['send']> {
		const headers = {'content-type': probe.contentType, prefer: probePrefer, 'content-profile': schema};
		const path = `/rpc/${encodeURIComponent(name)}`;
		if (method === 'post-rpc-embed')
			return [
				`${path}?select=${encodeURIComponent(`*,${this.embedStop}(*)`)}`,
				{method: 'POST', headers: {...headers, accept: 'application/json'}, body: probe.body},
			];
		if (method === 'post-rpc-filter')
			return [
				`${path}?${encodeURIComponent(`${this.embedStop}.c`)}=eq.1`,
				{method: 'POST', headers: {...headers, accept: 'application/json'}, body: probe.body},
			];
		return [path, {method: 'POST', headers: {...headers, accept: this.accept}, body: probe.body}];
	}

	private get embedStop(): string {
		return `pgrst_doctor_stop_${this.nonce}`;
	}

	private readFunction(method: ProbeMethod, answer: HttpAnswer): Reading {
		return readFunction(method, answer, this.embedStop);
	}

	/**
	 * Does the cache have this function name at all? A name PostgREST lacks gets the closest cached name as its hint
	 * (Error.hs noRpcHint at v12.0.2), compared after dropping punctuation: asking for `name-` is answered with
	 * exactly `name` when the cache has it, whatever its arguments.
	 */
	private async functionNameCached(fn: CatalogFunction, method: ProbeMethod): Promise<boolean> {
		const probeName = `${fn.name}-`;
		if (isUnsafe(this.unsafe.functions, {schema: fn.schema, name: probeName})) return false;
		const answer = await this.send(...this.functionProbe(method, fn.schema, probeName, jsonCall));
		const error = answer && postgrestError(answer);
		return (
			error?.code === 'PGRST202' &&
			error.hint === `Perhaps you meant to call the function ${fn.schema}.${fn.name}`
		);
	}

	/**
	 * Does the cache have the relationship of this foreign key? An embedding by the key's name is resolved while
	 * PostgREST plans the read (PGRST200 when its cache lacks it), before anything reaches the database; what stops
	 * the read after that is chosen by a control (relationshipMethod). PostgREST's hint may name a relation it has
	 * instead (suggested). `cachedColumns`: the columns of the key's table the cache is known to have. What could not
	 * be compared goes to `unknown` (the prober's own list unless told).
	 */
	async relationship(
		foreignKey: ForeignKey,
		cachedColumns: string[],
		unknown = this.unknown
	): Promise<{cached: boolean; suggested?: {schema: string; name: string}} | undefined> {
		const table = {schema: foreignKey.schema, name: foreignKey.table};
		const unsafe =
			isUnsafe(this.unsafe.tables, table) ??
			isUnsafe(this.unsafe.tables, {schema: foreignKey.schema, name: foreignKey.foreignTable});
		if (unsafe) return this.giveUp('relationship', table, unknown, unsafe);
		this.relationshipMethod ??= this.calibrateRelationships(
			this.listed.find(listed => !isUnsafe(this.unsafe.tables, listed)) ?? table
		);
		const method = await this.relationshipMethod;
		if (!method.usable) return this.giveUp('relationship', table, unknown, method.reason);
		// From a table to itself PostgREST embeds only the one-to-many side, named by the key's one column (Plan.hs findRel).
		const self = foreignKey.foreignTable === foreignKey.table;
		if (self && (foreignKey.oneToOne || foreignKey.columns.length !== 1))
			return this.giveUp(
				'relationship',
				table,
				unknown,
				'PostgREST cannot name a one-to-one or multi-column key from a table to itself in an embedding'
			);
		const hint = quoteSelectName(self ? foreignKey.columns[0]! : foreignKey.name);
		// A one-to-one key can be spread, which would run the read: it is embedded into an insert whose body PostgreSQL refuses.
		if (method.name === 'spread' && foreignKey.oneToOne)
			return this.oneToOne(
				foreignKey,
				`${quoteSelectName(foreignKey.foreignTable)}!${hint}(*)`,
				cachedColumns,
				unknown
			);
		// accept embeds the referenced relation into the key's table; spread, the key's table into the referenced one.
		const [from, target] =
			method.name === 'accept'
				? [foreignKey.table, foreignKey.foreignTable]
				: [foreignKey.foreignTable, foreignKey.table];
		const answer = await this.embed(
			{schema: foreignKey.schema, name: from},
			`${quoteSelectName(target)}!${hint}(*)`,
			method.name
		);
		const code = answer && postgrestError(answer)?.code;
		return this.readRelationship(
			table,
			unknown,
			answer,
			method.name === 'accept' ? isProbeAccepted(answer?.status ?? 0, code) : code === 'PGRST119'
		);
	}

	/**
	 * The foreign keys whose relationships batches of embeddings prove cached (embeddingBatches.ts). A batch that does
	 * not reach its method's stop proves nothing, and its keys are left to relationship(), one by one; so are the keys
	 * a batch cannot take: from a table to itself, one-to-one under spread, and those of relations with a media handler.
	 */
	async batchedRelationships(keys: ForeignKey[], run: Limit): Promise<Set<ForeignKey>> {
		const cached = new Set<ForeignKey>();
		const first = keys[0];
		if (!first) return cached;
		// Under the cap like every probe: the function probes may be in flight already.
		const method = await run(
			async () =>
				(this.relationshipMethod ??= this.calibrateRelationships(
					this.listed.find(listed => !isUnsafe(this.unsafe.tables, listed)) ?? {
						schema: first.schema,
						name: first.table,
					}
				))
		);
		if (!method.usable) return cached;
		const batchable = keys.filter(
			key =>
				key.foreignTable !== key.table &&
				!(method.name === 'spread' && key.oneToOne) &&
				!isUnsafe(this.unsafe.tables, {schema: key.schema, name: key.table}) &&
				!isUnsafe(this.unsafe.tables, {schema: key.schema, name: key.foreignTable})
		);
		await eachLimited(
			embeddingBatches(batchable, method.name, quoteSelectName).filter(batch => batch.keys.length > 1),
			run,
			async batch => {
				const answer = await this.embedSelect(
					{schema: batch.schema, name: batch.root},
					batch.select,
					method.name
				);
				const code = answer && postgrestError(answer)?.code;
				const stopped =
					method.name === 'accept' ? isProbeAccepted(answer?.status ?? 0, code) : code === 'PGRST119';
				if (stopped) for (const key of batch.keys) cached.add(key);
			}
		);
		return cached;
	}

	/** The reading of an embedding probe; `stopped`: it was stopped where its method stops a cached embedding. */
	private readRelationship(
		table: {schema: string; name: string},
		unknown: Unknown[],
		answer: HttpAnswer | undefined,
		stopped: boolean
	): {cached: boolean; suggested?: {schema: string; name: string}} | undefined {
		if (!answer) return this.giveUp('relationship', table, unknown, this.failure());
		const error = postgrestError(answer);
		// PGRST201: more than one relationship carries this name (a key from a table to itself), so it is cached.
		if (error?.code === 'PGRST201' || stopped) return {cached: true};
		if (error?.code !== 'PGRST200')
			return this.giveUp(
				'relationship',
				table,
				unknown,
				`PostgREST answered ${answer.status}${error ? ` ${error.code}` : ''}`
			);
		const suggested = suggestedRelation(error.hint);
		return {cached: false, ...(suggested ? {suggested: {schema: table.schema, name: suggested}} : {})};
	}

	/**
	 * embed-invalid-body: POST /table?columns=c&select=c,<embedding> with a body that is not JSON. PostgREST plans the
	 * returned read, embedding included (PGRST200 when its cache lacks the relationship), then passes the body on;
	 * PostgreSQL refuses it while binding (22P02), before the insert runs: no row, no trigger (measured on 11.2.2).
	 * `columns` needs a column the cache has; its own negative control is made on the first such table.
	 */
	private async oneToOne(foreignKey: ForeignKey, embedding: string, cachedColumns: string[], unknown: Unknown[]) {
		const table = {schema: foreignKey.schema, name: foreignKey.table};
		const column = cachedColumns.find(name => foreignKey.columns.includes(name)) ?? cachedColumns[0];
		if (column === undefined)
			return this.giveUp(
				'relationship',
				table,
				unknown,
				"a one-to-one foreign key can be spread, which would run the probe's read, and its table has " +
					"no column PostgREST's cache is known to have for the other probe"
			);
		const listed = this.listed.find(
			candidate => !isUnsafe(this.unsafe.tables, candidate) && candidate.columns.length > 0
		);
		this.oneToOneMethod ??= this.calibrateOneToOne(listed ?? table, listed?.columns[0] ?? column);
		const method = await this.oneToOneMethod;
		if (!method.usable) return this.giveUp('relationship', table, unknown, method.reason);
		const answer = await this.insertEmbedding(table, column, embedding);
		return this.readRelationship(table, unknown, answer, isDatabaseError(answer));
	}

	private async calibrateOneToOne(
		table: {schema: string; name: string},
		column: string
	): Promise<{usable: true} | {usable: false; reason: string}> {
		const answer = await this.insertEmbedding(
			table,
			column,
			`${quoteSelectName(`pgrst-doctor-absent-${randomBytes(8).toString('hex')}`)}(*)`
		);
		if (!answer) return {usable: false, reason: this.failure()};
		const error = postgrestError(answer);
		const passed = error?.code === 'PGRST200';
		const read = passed ? 'not cached' : `${answer.status}${error ? ` ${error.code}` : ''}`;
		this.methods.oneToOneRelationships = {
			method: passed ? 'embed-invalid-body' : null,
			controls: [
				{
					method: 'embed-invalid-body',
					control: 'negative',
					object: `${table.schema}.${table.name} → (a made-up name)`,
					expected: 'not cached',
					read,
					passed,
				},
			],
		};
		return passed
			? {usable: true}
			: {
					usable: false,
					reason:
						`a one-to-one foreign key can be spread, which would run the probe's read, and the other probe ` +
						`failed its control (a relation that cannot exist was answered ${read})`,
				};
	}

	private async insertEmbedding(table: {schema: string; name: string}, column: string, embedding: string) {
		const columns = encodeURIComponent(quoteColumn(column));
		const select = encodeURIComponent(`${quoteSelectName(column)},${embedding}`);
		const path = `/${encodeURIComponent(table.name)}?columns=${columns}&select=${select}`;
		return this.send(path, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				accept: 'application/json',
				prefer: probePrefer,
				'content-profile': table.schema,
			},
			body: invalidBody,
		});
	}

	/**
	 * Which stop ends an embedding probe on this server, proven by a negative control (embedding a relation that
	 * cannot exist must answer PGRST200). `accept`: the per-run Accept type, refused after planning on PostgREST 12
	 * (Plan.hs wrappedReadPlan at v12.0.2). `spread`: spreading the referencing table into the referenced one, which
	 * is one-to-many and refused while planning (PGRST119, validateSpreadEmbeds) where PostgREST 11 checks Accept
	 * before the cache (v11.2.2), so a one-to-one key cannot be probed that way.
	 */
	private async calibrateRelationships(table: {
		schema: string;
		name: string;
	}): Promise<{usable: true; name: 'accept' | 'spread'} | {usable: false; reason: string}> {
		const absent = quoteSelectName(`pgrst-doctor-absent-${randomBytes(8).toString('hex')}`);
		const answers: string[] = [];
		const controls: ProbeControl[] = [];
		for (const name of ['accept', 'spread'] as const) {
			const answer = await this.embed(table, `${absent}(*)`, name);
			if (!answer) return {usable: false, reason: this.failure()};
			const error = postgrestError(answer);
			const passed = error?.code === 'PGRST200';
			controls.push({
				method: `embed-${name}`,
				control: 'negative',
				object: `${table.schema}.${table.name} → (a made-up name)`,
				expected: 'not cached',
				read: passed ? 'not cached' : `${answer.status}${error ? ` ${error.code}` : ''}`,
				passed,
			});
			this.methods.relationships = {method: passed ? `embed-${name}` : null, controls};
			if (passed) return {usable: true, name};
			answers.push(`${answer.status}${error ? ` ${error.code}` : ''}`);
		}
		return {
			usable: false,
			reason: `no embedding probe passed its control (a relation that cannot exist was answered ${answers.join(' and ')})`,
		};
	}

	private async embed(from: {schema: string; name: string}, embedding: string, method: 'accept' | 'spread') {
		return this.embedSelect(from, method === 'spread' ? `...${embedding}` : embedding, method);
	}

	private async embedSelect(from: {schema: string; name: string}, select: string, method: 'accept' | 'spread') {
		return this.send(`/${encodeURIComponent(from.name)}?select=${encodeURIComponent(select)}`, {
			headers: {
				accept: method === 'accept' ? this.accept : 'application/json',
				prefer: probePrefer,
				'accept-profile': from.schema,
			},
		});
	}

	/** OPTIONS is answered from the cache alone: 200 for a relation it has, 404 for one it lacks. */
	async cachedName(relation: {schema: string; name: string}): Promise<boolean> {
		return (await this.nameReading(relation)) === 'cached';
	}

	/** What OPTIONS says of a relation by its name alone; 'no answer' also when no method for relations passed its controls. */
	async nameReading(relation: {schema: string; name: string}): Promise<Reading> {
		const choice = await this.choose('tables', relation.schema);
		if (choice === 'no answer' || !choice.method) return 'no answer';
		const answer = await this.send(...this.tableProbe(relation.schema, relation.name));
		return answer ? readOptions(answer) : 'no answer';
	}

	private failure(): string {
		return Date.now() > this.deadline
			? 'the time for probing (3 × --timeout) ran out'
			: `the probe request failed: ${this.lastFailure ?? 'no answer'}`;
	}

	private giveUp(kind: Unknown['kind'], object: {schema: string; name: string}, reason: string): undefined;
	private giveUp(
		kind: Unknown['kind'],
		object: {schema: string; name: string},
		unknown: Unknown[],
		reason: string
	): undefined;
	private giveUp(
		kind: Unknown['kind'],
		object: {schema: string; name: string},
		...rest: [string] | [Unknown[], string]
	): undefined {
		const [unknown, reason] = rest.length === 1 ? [this.unknown, rest[0]] : rest;
		unknown.push({kind, schema: object.schema, name: object.name, reason});
		return undefined;
	}

	private async send<T = never>(path: string, options: Parameters<typeof send<T>>[2]) {
		if (Date.now() > this.deadline) return undefined;
		this.requests++;
		return send<T>(this.target, path, options).catch((error: unknown) => {
			this.lastFailure = failureReason(error);
			if (isConnectionLost(error)) this.lost ??= this.lastFailure;
			return undefined;
		});
	}
}

/**
 * post-rpc-embed and post-rpc-filter read cached only when the error names the embedding they asked for (`embedStop`):
 * anything else proves nothing.
 */
export function readFunction(
	method: ProbeMethod,
	answer: Pick<HttpAnswer, 'status' | 'text'>,
	embedStop: string
): Reading {
	const error = postgrestError(answer);
	if (error?.code === 'PGRST202') return 'not cached';
	if (error?.code === 'PGRST203') return 'cached';
	// PGRST122 (strict preferences, 12.0.0+) is raised after the lookup too, so it also proves the function cached.
	if (method === 'post-rpc-embed')
		return (error?.code === 'PGRST200' && error.message.includes(`'${embedStop}'`)) || error?.code === 'PGRST122'
			? 'cached'
			: 'unclear';
	if (method === 'post-rpc-filter')
		return (error?.code === 'PGRST108' && error.message.includes(`'${embedStop}'`)) || error?.code === 'PGRST122'
			? 'cached'
			: 'unclear';
	return isProbeAccepted(answer.status, error?.code) ? 'cached' : 'unclear';
}

/** OPTIONS is answered from the cache alone: 200 with Allow when cached, 404 (PGRST205 from 13.0.0) when not. */
export function readOptions(answer: Pick<HttpAnswer, 'status'>): Reading {
	return answer.status === 200 ? 'cached' : answer.status === 404 ? 'not cached' : 'unclear';
}

/**
 * A columns probe: 404 means the relation is not cached. The stop that proves the named columns cached is PostgREST's
 * PGRST107/PGRST122 for post-columns, and for post-invalid-body an error PostgreSQL raised (a SQLSTATE, not a
 * PGRST code) or, from 12.0.0, the strict preferences' PGRST122 raised before it. A PGRST204 names the column the
 * cache lacks; the caller reads it.
 */
export function readColumns(method: ProbeMethod, answer: Pick<HttpAnswer, 'status' | 'text'>): Reading {
	if (answer.status === 404) return 'not cached';
	const error = postgrestError(answer);
	if (method === 'post-invalid-body')
		return error?.code === 'PGRST122' || isDatabaseError(answer) ? 'cached' : 'unclear';
	return isProbeAccepted(answer.status, error?.code) ? 'cached' : 'unclear';
}

function failedControls(choice: ProbeMethodChoice): string {
	return (
		choice.controls
			.filter(control => !control.passed)
			.map(control => {
				const which = control.expected === 'cached' ? 'the cache certainly has' : 'cannot exist';
				return `${control.method}: ${control.object}, which ${which}, read as ${control.read}`;
			})
			.join('; ') || 'no control could be made'
	);
}

/** An error PostgreSQL raised (a SQLSTATE, not a PGRST code): PostgREST had passed the request on. */
function isDatabaseError(answer: Pick<HttpAnswer, 'status' | 'text'> | undefined): boolean {
	const code = answer && postgrestError(answer)?.code;
	return code !== undefined && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('PGRST');
}

/** PGRST122 (strict preferences) and PGRST107 (no such media type) come after every cache lookup, before the database. */
function isProbeAccepted(status: number, code: string | undefined): boolean {
	return code === 'PGRST122' || code === 'PGRST107' || ((status === 406 || status === 415) && code === undefined);
}

const rawBodies: Record<string, string> = {text: 'text/plain', xml: 'text/xml', bytea: 'application/octet-stream'};
const isUnnamed = (fn: CatalogFunction) => fn.args.length === 1 && fn.args[0]!.name === '';
const takesNoArguments = (fn: CatalogFunction) => fn.args.every(arg => !arg.required);

/**
 * The Content-Type and body PostgREST resolves this overload by, or why no probe can tell it from a sibling: with
 * no named argument to send, an overload whose arguments are all optional matches first (Plan.hs findProc).
 */
export function overloadBody(
	overload: CatalogFunction,
	siblings: CatalogFunction[]
): {contentType: string; body: string} | string {
	const others = siblings.filter(other => other !== overload);
	const ambiguous =
		'PostgREST would resolve its probe to another overload of the same name (one whose arguments are all optional)';
	if (isUnnamed(overload)) {
		const raw = rawBodies[overload.args[0]!.type];
		if (raw)
			return others.some(other => other.args.length > 0 && takesNoArguments(other))
				? ambiguous
				: {contentType: raw, body: ''};
		return others.some(takesNoArguments) ? ambiguous : {contentType: 'application/json', body: '{}'};
	}
	const names = overload.args.map(arg => arg.name);
	// A JSON body that matches no named overload falls back to an unnamed json/jsonb one; form fields never do.
	if (others.some(other => isUnnamed(other) && !rawBodies[other.args[0]!.type])) {
		return {
			contentType: 'application/x-www-form-urlencoded',
			body: names.map(name => `${encodeURIComponent(name)}=`).join('&'),
		};
	}
	return {contentType: 'application/json', body: JSON.stringify(Object.fromEntries(names.map(name => [name, null])))};
}

/** A name in PostgREST's select parameter: double-quoted, backslash escaping (QueryParams.hs pQuotedValue). */
export function quoteSelectName(name: string): string {
	return `"${name.replaceAll(/[\\"]/g, char => `\\${char}`)}"`;
}

/** The table names PostgreSQL's default name for a foreign key (table_column_fkey) can start with. */
export function formerTableNames(constraint: string): string[] {
	if (!constraint.endsWith('_fkey')) return [];
	const parts = constraint.slice(0, -'_fkey'.length).split('_');
	return parts.slice(1).map((_part, index) => parts.slice(0, index + 1).join('_'));
}

/** PGRST200's "Perhaps you meant 'x' instead of 'y'." names a relation PostgREST's cache has. */
export function suggestedRelation(hint: string | null): string | undefined {
	return /^Perhaps you meant '(.+)' instead of '.+'\.$/s.exec(hint ?? '')?.[1];
}

function quoteColumn(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}

/** Both PGRST204 wordings: "Column 'c' of relation 't' does not exist" (≤ 12.0.2) and the 12.0.3+ one. */
export function namesMissingColumn(message: string, column: string, table: string): boolean {
	return (
		message === `Column '${column}' of relation '${table}' does not exist` ||
		message === `Could not find the '${column}' column of '${table}' in the schema cache`
	);
}

/** "Perhaps you meant to call the function s.f(a, b)" names the cached overload of the same function. */
export function suggestedArguments(hint: string | null, schema: string, name: string): string[] | undefined {
	const prefix = `Perhaps you meant to call the function ${schema}.${name}(`;
	if (!hint?.startsWith(prefix) || !hint.endsWith(')')) return undefined;
	const inside = hint.slice(prefix.length, -1);
	return inside === '' ? [] : inside.split(', ');
}

type Limit = <T>(work: () => Promise<T>) => Promise<T>;

/** At most `limit` pieces of work at once, however many callers share it; a finished one hands its place to the next waiting. */
function limiter(limit: number): Limit {
	let active = 0;
	const waiting: Array<() => void> = [];
	return async work => {
		if (active < limit) active++;
		else await new Promise<void>(resolve => waiting.push(resolve));
		try {
			return await work();
		} finally {
			const next = waiting.shift();
			if (next) next();
			else active--;
		}
	};
}

async function eachLimited<T>(items: T[], run: Limit, work: (item: T) => Promise<void>): Promise<void> {
	await Promise.all(items.map(async item => run(async () => work(item))));
}
