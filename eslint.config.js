// ESLint: the rules that catch this code's real bugs (all of it is I/O: promises, unions of codes and statuses).
// Formatting belongs to Prettier (.prettierrc.json); eslint-config-prettier turns off ESLint's formatting rules.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ignores: ['dist/', 'node_modules/', 'scratch/', 'run/']},
	js.configs.recommended,
	tseslint.configs.recommendedTypeChecked,
	{
		languageOptions: {
			parserOptions: {projectService: true, tsconfigRootDir: import.meta.dirname},
		},
	},
	{
		files: ['**/*.{ts,tsx}'],
		rules: {
			// All of this code is I/O: a promise nobody awaits loses its error and its ordering.
			'@typescript-eslint/no-floating-promises': [
				'error',
				// node:test collects test() and describe() itself; their promises are not the caller's to await.
				{
					allowForKnownSafeCalls: [
						{from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite']},
					],
				},
			],
			// An async function where a void callback is expected (Ink's useInput, React props) drops its rejection.
			'@typescript-eslint/no-misused-promises': ['error', {checksVoidReturn: {attributes: true}}],
			'@typescript-eslint/no-unused-vars': [
				'error',
				{args: 'after-used', argsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true},
			],
			'@typescript-eslint/no-explicit-any': 'error',
			// A new finding code, check status, screen or fix id must be handled wherever its union is switched on:
			// a `default` branch does not count as handling it (a `default` that assigns to `never` still passes).
			'@typescript-eslint/switch-exhaustiveness-check': [
				'error',
				{considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false},
			],
			'@typescript-eslint/consistent-type-imports': ['error', {fixStyle: 'inline-type-imports'}],
			// This code matches control characters on purpose: it is what keeps outside text (names, server answers,
			// pasted errors) from reaching the terminal as escape sequences, and what the tests check for.
			'no-control-regex': 'off',
			// An async function that does not await still turns a throw into a rejection: fakes and methods that
			// implement a promise-returning interface (DoctorEngine, the stack's stop) rely on that.
			'@typescript-eslint/require-await': 'off',
		},
	},
	{
		// React's hook rules where the components are: Ink's screens (the tests' useStack and useSupabaseBed are
		// node:test fixtures, not hooks).
		files: ['source/**/*.tsx'],
		plugins: {'react-hooks': reactHooks},
		rules: {
			'react-hooks/rules-of-hooks': 'error',
			'react-hooks/exhaustive-deps': 'error',
		},
	},
	{
		files: ['test/**/*.{ts,tsx}'],
		rules: {
			// The tests read the CLI's JSON output and recorded fixtures (JSON.parse gives `any`) and assert on their
			// shape with node:assert, which fails the test when the shape is wrong: typing every document read there
			// would repeat source/report's types without catching anything more.
			'@typescript-eslint/no-unsafe-member-access': 'off',
			'@typescript-eslint/no-unsafe-assignment': 'off',
			'@typescript-eslint/no-unsafe-argument': 'off',
			'@typescript-eslint/no-unsafe-call': 'off',
			'@typescript-eslint/no-unsafe-return': 'off',
			// The test stacks are objects of closures (no `this`) whose types use method syntax: stack.setUp,
			// item.query are passed around unbound on purpose.
			'@typescript-eslint/unbound-method': 'off',
		},
	},
	{
		// tsx runs the tests' JSX with React.createElement (the root tsconfig, whose react-jsx it would apply, includes
		// only source/), so their `import React` is used: tell the scope analysis so.
		files: ['test/**/*.tsx'],
		languageOptions: {parserOptions: {jsxPragma: 'React'}},
	},
	{
		// Plain JavaScript (this file): no type information to lint with.
		files: ['**/*.js'],
		extends: [tseslint.configs.disableTypeChecked],
	},
	prettier,
	{
		// After eslint-config-prettier, which turns max-len off: Prettier wraps code at 120 columns but never breaks a
		// string, so this catches the long messages and SQL lines. Tabs count 4, as Prettier counts them. A test's
		// title stays one string on its line: it is what the runner prints and what one searches the tests for.
		rules: {
			'max-len': [
				'error',
				{
					code: 140,
					tabWidth: 4,
					ignoreUrls: true,
					ignoreStrings: false,
					ignoreTemplateLiterals: false,
					// A regular expression cannot be broken without turning into a RegExp of a string, every backslash
					// doubled: the tests' expected messages read better whole.
					ignoreRegExpLiterals: true,
					ignorePattern: String.raw`^\s*(?:test|it|describe|suite)\((?:'|"|\x60)`,
				},
			],
		},
	}
);
