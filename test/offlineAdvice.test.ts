import assert from 'node:assert/strict';
import {test} from 'node:test';
import {offlineAdvice} from '../source/explain/offlineAdvice.js';
import {parseError} from '../source/explain/parseError.js';

const advice = (text: string) => {
	const {meaning, causes} = offlineAdvice(parseError(text));
	return {meaning, text: causes.map(cause => `${cause.cause}\n${cause.check ?? ''}`).join('\n')};
};

test('42501 offline: the GRANT for the object PostgreSQL named, the privilege the request method needs', () => {
	assert.match(
		advice('GET /secrets 401\npermission denied for table secrets').text,
		/GRANT SELECT ON secrets TO anon;/
	);
	assert.match(
		advice(
			'POST https://abcdefghijklmnopqrst.supabase.co/rest/v1/secrets 401 (Unauthorized)\npermission denied for table secrets'
		).text,
		/GRANT INSERT ON secrets TO anon;[^]*also needs SELECT/
	);
	assert.match(
		advice('PATCH /secrets 403\npermission denied for table secrets').text,
		/GRANT UPDATE ON secrets TO anon;/
	);
	assert.match(
		advice('DELETE /secrets 403\npermission denied for table secrets').text,
		/GRANT DELETE ON secrets TO anon;/
	);
	assert.match(
		advice('permission denied for table secrets').text,
		/GRANT SELECT ON secrets TO anon;[^]*POST needs INSERT, PATCH UPDATE and DELETE DELETE/
	);
	assert.match(advice('permission denied for view secret_names').text, /GRANT SELECT ON secret_names TO anon;/);
	assert.match(advice('permission denied for materialized view "Totals"').text, /GRANT SELECT ON "Totals" TO anon;/);
	assert.match(
		advice('GET /people?select=id,salary 401\npermission denied for table people').text,
		/GRANT SELECT \(id, salary\) ON people TO anon;/
	);
	assert.match(
		advice('permission denied for column "salary" of relation "people"').text,
		/GRANT SELECT \(salary\) ON people TO anon;/
	);
	const sequence = advice(
		'POST /notes 401\n{"code":"42501","message":"permission denied for sequence notes_id_seq"}'
	);
	assert.match(sequence.meaning, /serial column[^]*identity column's values are taken without that check/);
	assert.match(sequence.text, /GRANT USAGE ON SEQUENCE notes_id_seq TO anon;/);
	assert.match(sequence.text, /s\.relname = 'notes_id_seq'/);
	assert.match(advice('permission denied for schema api').text, /GRANT USAGE ON SCHEMA api TO anon;/);
	assert.match(
		advice('permission denied for function payout_total').text,
		/GRANT EXECUTE ON FUNCTION payout_total\(<argument types>\) TO anon;[^]*p\.proname = 'payout_total'/
	);
	assert.match(
		advice('permission denied for function public.add(integer, text)').text,
		/GRANT EXECUTE ON FUNCTION public\.add\(integer, text\) TO anon;/
	);
	assert.match(advice('permission denied for table secrets').meaning, /not a stale schema cache/);
});

test('names reach the advice quoted: as identifiers in GRANTs, as literals in the checks', () => {
	const hostile = advice(`permission denied for table x"; drop table y; --`);
	assert.match(hostile.text, /GRANT SELECT ON "x""; drop table y; --" TO anon;/);
	assert.match(hostile.text, /table_name = 'x"; drop table y; --'/);
	assert.match(advice(`permission denied for schema it's`).text, /nspname = 'it''s'/);
});

test('a bare 404 {} with its request line: a stale cache first', () => {
	const table = offlineAdvice(parseError('POST /invoices 404 {}'));
	assert.match(table.meaning, /POST \/invoices with 404 and an empty body/);
	assert.match(table.causes[0]!.cause, /schema cache is stale/);
	assert.match(offlineAdvice(parseError('POST /rpc/fresh 404 {}')).meaning, /no function fresh/);
});
