// The command line read before meow: one sentence per mistake, naming what is accepted, never a possible secret.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {argumentProblem, asksFor, type FlagSpec} from '../source/argumentProblem.js';

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
		[['--fix', 'relod'], /^--fix does not accept "relod"; accepted: reload, trigger, uninstall-trigger, all\.$/],
		[['--fix'], /^--fix needs a value: one of reload, trigger, uninstall-trigger, all\.$/],
		[['--fix='], /^--fix needs a value/],
		[['--fix', '--yes'], /^--fix needs a value/],
		[['--db-url', 'a', '--db-url', 'b'], /^--db-url was given more than once; give it once\.$/],
		[['--yes', '--no-yes'], /^--yes was given more than once/],
		[['--db-urll', 'x'], /^Unknown flag --db-urll: did you mean --db-url\?$/],
		[['--xyzzy'], /^Unknown flag --xyzzy; the flags are --db-url, --timeout, --fix, --yes, --role, --help, --version\.$/],
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
	for (const argv of [['--fix', secret], [`--${secret}`], [`--db-url=${secret}`, `--db-url=${secret}`], [`-${secret}`]]) {
		const problem = argumentProblem(argv, specs)!;
		assert.ok(problem, argv.join(' '));
		assert.ok(!problem.includes('hunter2'), problem);
	}
});

test('--help and --version anywhere before --', () => {
	assert.ok(asksFor('help', ['check', '--help']));
	assert.ok(!asksFor('help', ['explain', '--', '--help']));
	assert.ok(asksFor('version', ['--version']));
});
