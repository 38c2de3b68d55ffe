import assert from 'node:assert/strict';
import {test} from 'node:test';
import {connectForm, typeInto, type Validate, withScheme} from '../source/ui/connectForm.js';
import {wrapWords} from '../source/ui/wrapWords.js';
import {middleUnits, shownUnits} from '../source/ui/MaskedUrlInput.js';

const validate: Validate = (field, value) => {
	if (field === 'apiKey') return undefined;
	if (!value) return 'empty';
	return /^(postgresql|https?):\/\//.test(value) ? undefined : 'not a URL';
};

test('starts from what is known, with its source, and puts the cursor on the first value missing', () => {
	const form = connectForm({dbUrl: {value: 'postgresql://h/db', source: 'DATABASE_URL'}});
	assert.equal(form.active, 'apiUrl');
	assert.deepEqual(form.fields.dbUrl, {value: 'postgresql://h/db', cursor: 17, source: 'DATABASE_URL'});
	assert.equal(connectForm({}).active, 'dbUrl');
	assert.equal(
		connectForm({dbUrl: {value: 'postgresql://h/db', source: '--db-url'}}, true).active,
		'dbUrl',
		'u opens on the first field'
	);
});

test('an empty or wrong field is refused when it is entered, not after the last prompt', () => {
	let form = typeInto(connectForm({}), '', {return: true}, validate);
	assert.equal(form.active, 'dbUrl');
	assert.equal(form.fields.dbUrl.error, 'empty');
	form = typeInto(form, 'x', {}, validate);
	assert.equal(form.fields.dbUrl.error, undefined, 'typing clears the complaint');
	form = typeInto(form, '', {return: true}, validate);
	assert.equal(form.fields.dbUrl.error, 'not a URL');
});

test('a pasted URL with its newline fills the field and moves on; the next paste goes to the next field', () => {
	let form = typeInto(connectForm({}), 'postgresql://h/db\n', {}, validate);
	assert.equal(form.fields.dbUrl.value, 'postgresql://h/db');
	assert.equal(form.active, 'apiUrl');
	form = typeInto(form, 'http://localhost:3000\r\n', {}, validate);
	assert.equal(form.fields.apiUrl.value, 'http://localhost:3000');
	assert.equal(form.active, 'apiKey');
	form = typeInto(form, '\r', {}, validate);
	assert.equal(form.submitted, true);
});

test('keys typed before the screen was up arrive together and still count: text, Enter, Backspace', () => {
	const form = typeInto(connectForm({}), 'postgresql://h/dbx\u007F\rhttp://a\r\r', {}, validate);
	assert.equal(form.fields.dbUrl.value, 'postgresql://h/db');
	assert.equal(form.fields.apiUrl.value, 'http://a');
	assert.equal(form.submitted, true);
});

test('a pasted value that is refused keeps the cursor; the rest of the paste is not typed into the next field', () => {
	const form = typeInto(connectForm({}), 'postgres-typo\nhttp://a\n', {}, validate);
	assert.equal(form.active, 'dbUrl');
	assert.equal(form.fields.dbUrl.error, 'not a URL');
	assert.equal(form.fields.apiUrl.value, '');
});

test('editing a known value makes it typed: its source is no longer claimed', () => {
	const form = typeInto(
		connectForm({dbUrl: {value: 'postgresql://h/db', source: '--db-url'}}, true),
		'2',
		{},
		validate
	);
	assert.equal(form.fields.dbUrl.value, 'postgresql://h/db2');
	assert.equal(form.fields.dbUrl.source, undefined);
});

test('wrapping breaks at spaces, keeps every line within the width, and cuts only a word wider than the column', () => {
	const text = (lines: ReturnType<typeof wrapWords>) => lines.map(line => line.map(span => span.text).join(''));
	assert.deepEqual(text(wrapWords([{text: 'one two three'}, {text: ' (code)', dim: true}], 9)), [
		'one two',
		'three',
		'(code)',
	]);
	assert.deepEqual(text(wrapWords([{text: 'see http://example.com/a/long/path'}], 12)), [
		'see',
		'http://examp',
		'le.com/a/lon',
		'g/path',
	]);
	assert.deepEqual(wrapWords([{text: 'a'}, {text: ' b', dim: true}], 20), [[{text: 'a'}, {text: ' b', dim: true}]]);
});

test("PostgREST's address typed without a scheme is read as http://", () => {
	const form = typeInto(
		connectForm({dbUrl: {value: 'postgresql://h/db', source: '--db-url'}}),
		'127.0.0.1:3000\r',
		{},
		validate
	);
	assert.equal(form.fields.apiUrl.value, 'http://127.0.0.1:3000');
	assert.equal(form.active, 'apiKey');
	assert.equal(withScheme('apiUrl', 'localhost:3000/rest/v1'), 'http://localhost:3000/rest/v1');
	assert.equal(withScheme('apiUrl', 'https://x.supabase.co/rest/v1'), 'https://x.supabase.co/rest/v1');
	assert.equal(withScheme('dbUrl', 'localhost:5432'), 'localhost:5432', 'a database URL is never guessed');
});

test('wrapping keeps runs of spaces as written, so text inside a message is not changed', () => {
	const text = wrapWords([{text: 'x ✔ PASS  forged'}], 40).map(line => line.map(span => span.text).join(''));
	assert.deepEqual(text, ['x ✔ PASS  forged']);
});

test('a field without focus that does not fit keeps its start and its end: the port and database stay readable', () => {
	const units = shownUnits('postgresql://postgres:pw@127.0.0.1:10975/scenario_1');
	const middle = middleUnits(units, 40)!;
	const text = `${middle.head.map(unit => unit.text).join('')}…${middle.tail.map(unit => unit.text).join('')}`;
	assert.ok(text.length <= 40, text);
	assert.ok(text.endsWith(':10975/scenario_1'), text);
	assert.ok(!text.includes('pw'), text);
	assert.equal(middleUnits(shownUnits('http://localhost:3000'), 40), undefined);
});
