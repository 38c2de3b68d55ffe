// The command line read before meow: one sentence per mistake, naming what is accepted, never a possible secret.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {argumentProblem, asksFor, scanArguments, type FlagSpec} from '../source/argumentProblem.js';

const specs: Record<string, FlagSpec> = {
	dbUrl: {type: 'string'},
	timeout: {type: 'number'},
	fix: {type: 'string', choices: ['reload', 'trigger', 'uninstall-trigger', 'all']},
	yes: {type: 'boolean'},
	role: {type: 'string', isMultiple: true},
};

test('accepts what meow can take', () => {
	for (const argv of [
		[],
		['check', '--db-url', 'postgresql://x', '--fix', 'reload', '--yes'],
		['check', '--db-url=postgresql://x', '--fix=all', '--no-yes'],
		['check', '--yes=false'],
		['explain', '-', '--role', 'anon', '--role', 'authenticated'],
		['check', '--timeout', '-1'],
		['check', '--help'],
		['explain', '--', '--not-a-flag', '--db-url'],
	]) {
		assert.equal(argumentProblem(argv, specs), undefined, argv.join(' '));
	}
});

test('each mistake is one sentence naming the problem and what is accepted', () => {
	const cases: Array<[string[], RegExp]> = [
		[['--fix', 'relod'], /^--fix does not accept "relod": did you mean reload\?$/],
		[['--fix=relaod'], /^--fix does not accept "relaod": did you mean reload\?$/],
		[['--fix', 'triger'], /^--fix does not accept "triger": did you mean trigger\?$/],
		[
			['--fix', 'everything'],
			/^--fix does not accept "everything"; accepted: reload, trigger, uninstall-trigger, all\.$/,
		],
		[['--dburl', 'x'], /^Unknown flag --dburl: did you mean --db-url\?$/],
		[['--fix'], /^--fix needs a value: one of reload, trigger, uninstall-trigger, all\.$/],
		[['--fix='], /^--fix needs a value/],
		[['--fix', '--yes'], /^--fix needs a value/],
		[['--db-url', 'a', '--db-url', 'b'], /^--db-url was given more than once; give it once\.$/],
		[['--yes', '--no-yes'], /^--yes was given more than once/],
		[['--db-urll', 'x'], /^Unknown flag --db-urll: did you mean --db-url\?$/],
		[
			['--xyzzy'],
			/^Unknown flag --xyzzy; the flags are --db-url, --timeout, --fix, --yes, --role, --help, --version\.$/,
		],
		[['-x'], /^Unknown flag -x; the flags are/],
		[['--timeout'], /^--timeout needs a value\.$/],
		[['--yes=maybe'], /^--yes takes no value \(or =true, =false\)\.$/],
	];
	for (const [argv, expected] of cases) {
		const problem = argumentProblem(argv, specs);
		assert.match(problem ?? '', expected, argv.join(' '));
		assert.ok(!problem!.includes('\n'), 'one line');
	}
});

test('values that could be secrets are never repeated', () => {
	const secret = 'postgresql://u:hunter2@h/db';
	for (const argv of [
		['--fix', secret],
		[`--${secret}`],
		[`--db-url=${secret}`, `--db-url=${secret}`],
		[`-${secret}`],
	]) {
		const problem = argumentProblem(argv, specs)!;
		assert.ok(problem, argv.join(' '));
		assert.ok(!problem.includes('hunter2'), problem);
	}
});

test('--help (or -h) and --version anywhere before --', () => {
	assert.ok(asksFor('help', ['check', '--help']));
	assert.ok(asksFor('help', ['check', '--fix', 'trigger', '--yes', '-h']));
	assert.ok(!asksFor('help', ['explain', '--', '--help']));
	assert.ok(asksFor('version', ['--version']));
	assert.ok(!asksFor('version', ['explain', '--', '--version']));
});

test('the words are found past a problem, and a mistyped flag keeps its value', () => {
	assert.deepEqual(scanArguments(['--fix', 'relaod', 'check', '--yes'], specs), {
		words: ['check'],
		given: ['fix', 'yes'],
		problem: '--fix does not accept "relaod": did you mean reload?',
	});
	assert.deepEqual(scanArguments(['--dburl', 'postgresql://x', 'wait'], specs).words, ['wait']);
	assert.deepEqual(
		scanArguments(['--xyzzy', 'check'], specs).words,
		['check'],
		'no flag near enough: no value taken'
	);
	assert.deepEqual(scanArguments(['explain', '-', '--role', 'a', '--role', 'b', '-h'], specs), {
		words: ['explain', '-'],
		given: ['role', 'role', 'help'],
	});
	assert.deepEqual(scanArguments(['explain', '--', '--db-url', 'x'], specs), {
		words: ['explain', '--db-url', 'x'],
		given: [],
	});
});
