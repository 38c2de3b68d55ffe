import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {findingCodes} from '../source/findings.js';
import {runCli} from './support/cli.js';

const readme = readFileSync(new URL('../readme.md', import.meta.url), 'utf8');

test('the readme documents every finding code with its severity, cause and cure', () => {
	for (const [code, info] of Object.entries(findingCodes)) {
		const row = readme.split('\n').find(line => line.startsWith(`| \`${code}\` |`));
		assert.ok(row, `${code} is missing from the readme`);
		assert.ok(row.includes(`| ${info.severity} |`) && row.includes(info.cause) && row.includes(info.cure), `${code}'s readme row differs from the code`);
	}
});

test('`codes --json` lists the same vocabulary', async () => {
	const {code, json} = await runCli(['codes', '--json']);
	assert.equal(code, 0);
	assert.deepEqual(json.map((row: {code: string}) => row.code), Object.keys(findingCodes));
});
