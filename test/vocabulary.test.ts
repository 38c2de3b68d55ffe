// What a newcomer adding a finding code or a check could forget and no type error would say: every code in the
// vocabulary is made by some finding(...) call in source/, and every check the engine runs is in the readme's
// "What it checks" table.
import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import {test} from 'node:test';
import {checks} from '../source/engine.js';
import {findingCodes} from '../source/findings.js';

const sourceRoot = new URL('../source/', import.meta.url);
const readme = readFileSync(new URL('../readme.md', import.meta.url), 'utf8');
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('every finding code is made somewhere: a finding(...) call with the code as its first argument', () => {
	const files = (readdirSync(sourceRoot, {recursive: true}) as string[]).filter(
		name => /\.tsx?$/.test(name) && !/^(findings|wording)\.ts$/.test(name)
	);
	const text = files.map(name => readFileSync(new URL(name, sourceRoot), 'utf8')).join('\n');
	const unmade = Object.keys(findingCodes).filter(
		code => !new RegExp(`\\b(finding|withCure)\\(\\s*'${escaped(code)}'`).test(text)
	);
	assert.deepEqual(
		unmade,
		[],
		'codes no finding(...) call makes: a check must emit them, or they leave the vocabulary'
	);
});

test('every check the engine runs is in the readme\'s "What it checks" table', () => {
	const table = readme.slice(readme.indexOf('## What it checks'), readme.indexOf('### Can PostgREST hear NOTIFY?'));
	const listed = new Set(
		table
			.split('\n')
			.filter(line => line.startsWith('| `'))
			.flatMap(line => [...line.split(' | ')[0]!.matchAll(/`([^`]+)`/g)].map(match => match[1]!))
	);
	assert.deepEqual(
		checks.map(check => check.id).filter(id => !listed.has(id)),
		[],
		'checks missing from the readme table'
	);
});
