// `pgrst-doctor codes` without servers: every code once, and the codes that always block the diagnosis marked, with
// the legend that says what the mark means, in the plain list and as blocksDiagnosis in the JSON.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {codesCommand} from '../source/commands/codes.js';
import {blockingMark} from '../source/report/codesText.js';
import {blocksDiagnosis, type FindingCode, findingCodes} from '../source/findings.js';

function codes(json: boolean): string {
	let text = '';
	assert.equal(codesCommand(json, {write: written => (text += written), color: false}), 0);
	return text;
}

test('the plain list marks exactly the codes that always block the diagnosis, and says what the mark means', () => {
	const text = codes(false);
	const headings = text.split('\n').filter(line => /^[a-z_]+\.[a-z_]+ \(/.test(line));
	assert.equal(headings.length, Object.keys(findingCodes).length);
	for (const code of Object.keys(findingCodes) as FindingCode[]) {
		const heading = headings.find(line => line.startsWith(`${code} (`));
		const {severity} = findingCodes[code];
		assert.equal(
			heading,
			blocksDiagnosis(code) ? `${code} (${severity}; ${blockingMark})` : `${code} (${severity})`
		);
	}
	assert.ok(
		headings.some(line => line.includes(blockingMark)) && headings.some(line => !line.includes(blockingMark))
	);
	assert.match(
		text,
		/\n"always blocks the diagnosis": while such a finding stands the diagnosis was not made, so --ignore cannot accept it\.\n$/
	);
});

test('codes --json: every row says blocksDiagnosis, true for the blocking codes only', () => {
	const rows = JSON.parse(codes(true)) as Array<{code: FindingCode; blocksDiagnosis: boolean}>;
	assert.deepEqual(
		rows.map(row => [row.code, row.blocksDiagnosis]),
		Object.keys(findingCodes).map(code => [code, blocksDiagnosis(code as FindingCode)])
	);
	assert.ok(rows.some(row => row.blocksDiagnosis) && rows.some(row => !row.blocksDiagnosis));
});
