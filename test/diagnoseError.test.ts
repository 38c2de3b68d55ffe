// diagnoseError (source/explain/diagnoseError.ts): from the facts about the object an error names to one verdict.
// Each error was answered live by PostgreSQL 18 and PostgREST 12.0.2 and 11.2.2 in one state, recorded with the
// Evidence explain collects and the verdict the built CLI's `explain --json` gave (test/support/recordDiagnosis.ts).
// The state: the tests' app schema (test/support/scenario.ts) plus members."displayName", private.ledger and
// public.secrets (no GRANT), then organizations.updated_by and fresh(a int) added after PostgREST started, with no
// reload trigger. The verdicts are the same on both versions.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {diagnoseError, type Evidence} from '../source/explain/diagnoseError.js';
import type {Finding, FindingCode} from '../source/findings.js';

type Recorded = {
	label: string;
	request: string;
	status: number;
	body: string;
	evidence: Evidence;
	explainVerdict: Finding;
};
const recordedOn = (version: string) =>
	new Map(
		(
			JSON.parse(readFileSync(new URL(`fixtures/evidence-${version}.json`, import.meta.url), 'utf8')) as {
				value: Recorded[];
			}
		).value.map(item => [item.label, item])
	);
const versions = ['12.0.2', '11.2.2'];
const recorded = recordedOn('12.0.2');

/** What the state implies for each error: the cause, and the facts the message must name. */
const expected: Record<string, {code: FindingCode; reload: boolean; names: RegExp[]; suggestion: RegExp}> = {
	'PGRST204 stale column': {
		code: 'cache.column_missing',
		reload: true,
		names: [/public\.organizations\.updated_by/],
		suggestion: /NOTIFY pgrst, 'reload schema';/,
	},
	'PGRST202 new function': {
		code: 'cache.function_missing',
		reload: true,
		names: [/public\.fresh\(a\)/],
		suggestion: /NOTIFY pgrst, 'reload schema';/,
	},
	'PGRST202 wrong argument names': {
		code: 'rpc.args_mismatch',
		reload: false,
		names: [/\(org\)/, /public\.member_count\(organization\)/],
		suggestion: /\borganization\b/,
	},
	'42703 camel-case column asked in lower case': {
		code: 'client.case_folded',
		reload: false,
		names: [/"displayname"/, /public\.members\."displayName"/],
		suggestion: /"displayName"/,
	},
	'42703 misspelt column': {
		code: 'client.unknown_column',
		reload: false,
		names: [/"nmae"/, /did you mean name\?/],
		suggestion: /Send name instead of nmae/,
	},
	'42P01 table in an unexposed schema': {
		code: 'schema.not_exposed',
		reload: false,
		names: [/private\.ledger/, /exposes only public/],
		suggestion: /Add private to db-schemas/,
	},
	'42P01 misspelt table': {
		code: 'client.unknown_table',
		reload: false,
		names: [/"organisations"/, /did you mean organizations\?/],
		suggestion: /Use organizations/,
	},
	'42501 no GRANT': {
		code: 'grant.missing',
		reload: false,
		names: [/\banon\b/, /SELECT on public\.secrets/, /not a cache problem/],
		suggestion: /GRANT SELECT ON public\.secrets TO anon;/,
	},
	'PGRST200 no foreign key': {
		code: 'relationship.missing',
		reload: false,
		names: [/organizations and secrets/],
		suggestion: /Add a foreign key/,
	},
};

test('every recorded error has an expectation, and every expectation a recording', () => {
	for (const version of versions)
		assert.deepEqual([...recordedOn(version).keys()].sort(), Object.keys(expected).sort());
});

for (const [version, [label, want]] of versions.flatMap(version =>
	Object.entries(expected).map(entry => [version, entry] as const)
)) {
	const cure = want.reload ? ', healed by a reload' : ', which no reload heals';
	test(`PostgREST ${version}, ${label}: ${want.code}${cure}`, () => {
		const item = recordedOn(version).get(label)!;
		assert.ok(item.status >= 400, `PostgREST answered ${item.request} with an error`);
		const {verdict, findings} = diagnoseError(item.evidence);
		assert.equal(verdict.code, want.code);
		assert.equal(verdict.severity, 'error');
		assert.deepEqual(verdict.fixes ?? [], want.reload ? ['reload'] : []);
		for (const name of want.names) assert.match(verdict.message, name);
		assert.match(verdict.suggestion ?? '', want.suggestion);
		assert.equal(findings[0], verdict, 'the verdict leads');
		// The judge alone gives what explain printed end to end (as --json prints it) for the same error and state.
		assert.deepEqual(JSON.parse(JSON.stringify(verdict)), item.explainVerdict);
	});
}

test("the same stale column, once PostgREST's cache has it, is not reproduced: nothing to reload", () => {
	const {evidence} = recorded.get('PGRST204 stale column')!;
	const cached = evidence.cachedTable!;
	const {verdict} = diagnoseError({
		...evidence,
		cachedTable: {...cached, columns: [...cached.columns, 'updated_by']},
	});
	assert.equal(verdict.code, 'explain.not_reproduced');
	assert.equal(verdict.fixes, undefined);
	assert.match(verdict.message, /public\.organizations\.updated_by exists and PostgREST's cache has it/);
});

test('a function PostgREST could not be asked about is not called missing from its cache', () => {
	const {evidence} = recorded.get('PGRST202 new function')!;
	const {verdict} = diagnoseError({...evidence, cachedFunction: undefined});
	assert.notEqual(verdict.code, 'cache.function_missing');
});

test('a URL, key and database of different Supabase projects are named before the cause', () => {
	const {evidence} = recorded.get('PGRST204 stale column')!;
	const {findings, verdict} = diagnoseError({
		...evidence,
		projectRefs: {api: 'abcdefghijklmnopqrst', database: 'tsrqponmlkjihgfedcba'},
	});
	assert.equal(findings[0]!.code, 'config.project_mismatch');
	const named = /the API URL → abcdefghijklmnopqrst, the database URL → tsrqponmlkjihgfedcba/;
	assert.match(findings[0]!.message, named);
	assert.equal(findings[1]!.code, 'cache.column_missing');
	assert.equal(
		verdict,
		findings.find(found => found.severity === 'error')
	);
});
