// The help every command prints, as data: it fits 80 columns, lists exactly the flags the command reads, and
// explain's lists every error the parser recognises.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {recognised} from '../source/explain/parseError.js';
import {
	commandNames,
	commandTakes,
	commandsTaking,
	flags,
	helpText,
	kebab,
	wrap,
	type FlagName,
} from '../source/help.js';

const pages = [undefined, ...commandNames];
const flat = (text: string) => text.replace(/\s+/g, ' ');

test('every help page fits 80 columns and has usage, options, examples and exit codes', () => {
	for (const command of pages) {
		const text = helpText(command);
		for (const line of text.split('\n'))
			assert.ok(line.length <= 80, `${command ?? 'pgrst-doctor'}: ${line.length} columns: ${line}`);
		for (const section of ['Usage', 'Options', 'Examples', 'Exit codes'])
			assert.ok(text.split('\n').includes(section), `${command ?? 'pgrst-doctor'} has ${section}`);
		assert.match(text, /^Exit codes\n(?:.*\n)* {2}2 +.*usage error/m);
		assert.ok(!/[ \t]\n/.test(text), 'no trailing spaces');
	}
});

test("a command's help lists exactly the flags it reads, each with its default or value", () => {
	for (const command of commandNames) {
		const options = helpText(command).split('\nOptions\n')[1]!.split('\n\n')[0]!;
		const listed = [...options.matchAll(/^ {2}--([a-z-]+)/gm)].map(match => match[1]);
		const reads = (Object.keys(flags) as FlagName[]).filter(flag => commandTakes(command, flag)).map(kebab);
		assert.deepEqual(listed.sort(), [...reads, 'help', 'version'].sort(), command);
		for (const flag of reads) {
			const row = flat(options.split(`  --${flag}`)[1]!.split(/\n {2}--/)[0]!);
			assert.match(row, /\(default: [^)]+\)/, `${command} --${flag} says its default`);
		}
	}
});

test('every flag belongs to some command', () => {
	for (const flag of Object.keys(flags) as FlagName[]) assert.ok(commandsTaking(flag).length > 0, flag);
});

test('explain --help lists every recognised error and the pasted forms, and how --fix works there', () => {
	const text = flat(helpText('explain'));
	for (const entry of recognised) assert.ok(text.includes(flat(entry)), entry);
	assert.match(text, /console\.log\(error\)/);
	assert.match(text, /JSON\.stringify\(error\)/);
	assert.match(text, /explain "<error>" --db-url … --api-url … --fix reload\|all \[--yes\]/);
	assert.match(text, /only when the verdict is a stale cache/);
});

test('wrapping never breaks a word, however long', () => {
	const url = `https://${'x'.repeat(100)}.supabase.co/rest/v1`;
	const lines = wrap(`see ${url} for more`, 2, 4);
	assert.deepEqual(lines, ['  see', `    ${url}`, '    for more']);
	assert.deepEqual(
		wrap('a '.repeat(50).trim(), 0).map(line => line.length <= 80),
		[true, true]
	);
});
