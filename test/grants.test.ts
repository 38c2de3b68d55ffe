// The GRANT a 42501 needs, decided from privileges read off the catalog (shapes as objectLookup.ts reads them).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {type GrantEvidence, grants, narrowByOpenApi} from '../source/explain/grants.js';
import type {ParsedError} from '../source/explain/parseError.js';
import type {Privileges} from '../source/probes/objectLookup.js';

const denied = (extra: Partial<ParsedError> = {}): ParsedError => ({
	kind: 'permission_denied',
	code: '42501',
	message: 'permission denied',
	privilegeOn: 'table',
	...extra,
});

const row = (role: string, privileges: Partial<Privileges> = {}): Privileges => ({
	role,
	usage: true,
	select: true,
	insert: true,
	update: true,
	delete: true,
	execute: null,
	columnSelect: null,
	columnInsert: null,
	columnUpdate: null,
	readableColumns: null,
	sequenceUsage: null,
	sequenceSchemaUsage: null,
	...privileges,
});

const payouts = {schema: 'public', name: 'payouts', kind: 'r', columns: ['id', 'amount']};
const unpinned = {names: ['anon', 'authenticated'], pinnedBy: null};

const evidence = (extra: Partial<GrantEvidence>): GrantEvidence => ({
	parsed: denied(),
	privileges: [],
	roles: unpinned,
	...extra,
});

test('the request line decides the privilege: POST needs INSERT, PUT both INSERT and UPDATE', () => {
	const privileges = [row('anon', {insert: false, update: false})];
	const [post] = grants(
		evidence({parsed: denied({request: {method: 'POST', path: '/payouts'}}), table: payouts, privileges}),
		true
	);
	assert.equal(post!.suggestion, 'GRANT INSERT ON public.payouts TO anon;');
	const [put] = grants(
		evidence({parsed: denied({request: {method: 'PUT', path: '/payouts'}}), table: payouts, privileges}),
		true
	);
	assert.equal(put!.suggestion, 'GRANT INSERT ON public.payouts TO anon; GRANT UPDATE ON public.payouts TO anon;');
});

test('without a request line a refused read means SELECT; a read that works now means the writes, said to be a guess', () => {
	const privileges = [row('anon', {select: false, delete: false})];
	const [read] = grants(
		evidence({
			table: payouts,
			privileges,
			live: {status: 401, code: '42501', message: 'permission denied for table payouts'},
		}),
		true
	);
	assert.equal(read!.suggestion, 'GRANT SELECT ON public.payouts TO anon;');
	assert.match(read!.message, /The same read, made now as the API's role, is refused too/);
	const [write] = grants(
		evidence({
			table: payouts,
			privileges: [row('anon', {insert: false, delete: false})],
			live: {status: 200, code: null, message: null},
		}),
		true
	);
	assert.match(
		write!.suggestion!,
		/^Grant only the write the request needs .*: GRANT <INSERT\|DELETE> ON public\.payouts TO anon;$/
	);
	const [schemaToo] = grants(
		evidence({
			table: payouts,
			privileges: [row('anon', {usage: false, insert: false})],
			live: {status: 200, code: null, message: null},
		}),
		true
	);
	assert.match(
		schemaToo!.suggestion!,
		/: GRANT USAGE ON SCHEMA public TO anon; GRANT <INSERT> ON public\.payouts TO anon;$/,
		'what is certain stays a runnable GRANT'
	);
	assert.match(write!.message, /A read works now, so the denied request was a write; paste the request line/);
});

test('a --role the database lacks is said to be missing', () => {
	const [found] = grants(
		evidence({
			table: payouts,
			privileges: [],
			roles: {names: ['nosuch'], pinnedBy: '--role', missing: ['nosuch']},
			live: {status: 401, code: '42501', message: null},
		}),
		true
	);
	assert.match(found!.message, /No role named nosuch exists in this database/);
});

test("a role pinned by --role is judged on its own privileges: the live read (as PostgREST's role) is no evidence about it", () => {
	const [found] = grants(
		evidence({
			table: payouts,
			privileges: [row('web_anon', {select: false})],
			roles: {names: ['web_anon'], pinnedBy: '--role'},
			live: {status: 200, code: null, message: null},
		}),
		true
	);
	assert.equal(found!.suggestion, 'GRANT SELECT ON public.payouts TO web_anon;');
	assert.match(found!.message, /Requests run as web_anon \(--role\)/);
});

test('a sequence needs USAGE on it and its schema, and the serial column it fills is named', () => {
	const sequence = {
		schema: 'app',
		name: 'notes_id_seq',
		tableSchema: 'app',
		table: 'notes',
		column: 'id',
		identity: false,
	};
	const [found] = grants(
		evidence({
			parsed: denied({privilegeOn: 'sequence', sequence: 'notes_id_seq'}),
			sequence,
			privileges: [row('anon', {sequenceUsage: false, sequenceSchemaUsage: false})],
		}),
		true
	);
	assert.equal(
		found!.suggestion,
		'GRANT USAGE ON SCHEMA app TO anon; GRANT USAGE ON SEQUENCE app.notes_id_seq TO anon;'
	);
	assert.match(found!.message, /takes the serial column app\.notes\.id from this sequence \(nextval\)/);
	assert.equal(found!.schema, 'app');
});

test('an identity column is not filled through a privilege check: the note points at the call that names the sequence', () => {
	const sequence = {
		schema: 'app',
		name: 'notes_id_seq',
		tableSchema: 'app',
		table: 'notes',
		column: 'id',
		identity: true,
	};
	const [found] = grants(
		evidence({
			parsed: denied({privilegeOn: 'sequence', sequence: 'notes_id_seq'}),
			sequence,
			privileges: [row('anon', {sequenceUsage: false, sequenceSchemaUsage: true})],
		}),
		true
	);
	assert.equal(found!.suggestion, 'GRANT USAGE ON SEQUENCE app.notes_id_seq TO anon;');
	assert.match(
		found!.message,
		/generates the identity column app\.notes\.id, and an insert takes identity values without a privilege check/
	);
	assert.doesNotMatch(found!.message, /INSERT on the table is not enough/);
});

test('column GRANTs: only the columns the role may not read are granted, never the whole table', () => {
	const people = {schema: 'public', name: 'people', kind: 'r', columns: ['id', 'name', 'salary']};
	const [found] = grants(
		evidence({table: people, privileges: [row('anon', {select: false, readableColumns: ['id', 'name']})]}),
		true
	);
	assert.equal(found!.suggestion, 'GRANT SELECT (salary) ON public.people TO anon;');
	assert.match(found!.message, /it may read only id, name/);
});

test('functions need EXECUTE by their signature; schemas need USAGE; quoted names stay quoted', () => {
	const overloads = [{schema: 'My Schema', name: 'f', signature: '"My Schema".f(integer)', args: []}];
	const [fn] = grants(
		evidence({
			parsed: denied({privilegeOn: 'function'}),
			overloads,
			privileges: [row('anon', {usage: false, execute: false})],
		}),
		true
	);
	assert.equal(
		fn!.suggestion,
		'GRANT USAGE ON SCHEMA "My Schema" TO anon; GRANT EXECUTE ON FUNCTION "My Schema".f(integer) TO anon;'
	);
	const [schema] = grants(
		evidence({
			parsed: denied({privilegeOn: 'schema', schema: 'api'}),
			schema: 'api',
			privileges: [row('anon', {usage: false}), row('Auth Role', {usage: false})],
		}),
		true
	);
	assert.equal(schema!.suggestion, 'GRANT USAGE ON SCHEMA api TO anon; GRANT USAGE ON SCHEMA api TO "Auth Role";');
	assert.match(schema!.message, /of the roles that may be \(anon, authenticated\), these lack it/);
});

test('when no role checked lacks anything: a read still refused names another role; otherwise nothing is reported here', () => {
	const privileges = [row('anon')];
	const [other] = grants(
		evidence({
			table: payouts,
			privileges,
			live: {status: 401, code: '42501', message: 'permission denied for table payouts'},
		}),
		true
	);
	assert.equal(other!.code, 'grant.missing');
	assert.match(
		other!.message,
		/none of the roles checked \(anon, authenticated\) lacks USAGE on schema public or SELECT on public\.payouts: requests run as another role/
	);
	assert.match(other!.suggestion!, /GRANT SELECT ON public\.payouts TO <role>;.*--role <role>/);
	assert.deepEqual(grants(evidence({table: payouts, privileges}), true), []);
	assert.deepEqual(
		grants(evidence({table: payouts, privileges: [row('anon', {insert: false})]}), false),
		[],
		'not a denial: only SELECT is asked'
	);
});

test("PostgREST's OpenAPI narrows the candidates to the roles that may use exactly the relations it lists", () => {
	const candidates = {names: ['anon', 'authenticated', 'web_anon'], pinnedBy: null};
	const relations = ['notes', 'payouts', 'secrets'];
	const usable = new Map([
		['anon', ['notes', 'payouts']],
		['authenticated', ['notes', 'payouts', 'secrets']],
		['web_anon', ['notes']],
	]);
	assert.deepEqual(narrowByOpenApi(candidates, ['notes'], relations, usable), {
		names: ['web_anon'],
		pinnedBy: "PostgREST's OpenAPI output lists exactly the relations it may use",
	});
	assert.deepEqual(
		narrowByOpenApi(candidates, ['notes', 'payouts', 'gone'], relations, usable).names,
		['anon'],
		'a name the database lacks (a stale cache) is no evidence'
	);
	assert.deepEqual(
		narrowByOpenApi(candidates, relations, relations, usable),
		candidates,
		'everything listed: ignore-privileges looks the same, so nothing is narrowed'
	);
	assert.deepEqual(
		narrowByOpenApi(candidates, ['secrets'], relations, usable),
		candidates,
		'no candidate fits: nothing is narrowed'
	);
	const twins = new Map([
		['anon', ['notes']],
		['authenticated', ['notes']],
		['web_anon', ['notes', 'secrets']],
	]);
	assert.deepEqual(narrowByOpenApi(candidates, ['notes'], relations, twins), {
		names: ['anon', 'authenticated'],
		pinnedBy: null,
	});
	const pinned = {names: ['anon', 'web_anon'], pinnedBy: '--role' as const};
	assert.equal(narrowByOpenApi(pinned, ['notes'], relations, usable), pinned);
});
