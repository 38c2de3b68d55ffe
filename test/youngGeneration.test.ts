// The CLI caps V8's young generation (source/youngGeneration.ts): a fast-allocating run stops growing it at the cap.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {capYoungGeneration} from '../source/youngGeneration.js';

const child = fileURLToPath(new URL('support/youngGenerationChild.ts', import.meta.url));
const youngMb = (cap: string) =>
	Number(execFileSync(process.execPath, ['--import', 'tsx', child, cap], {encoding: 'utf8'}).trim());

test('a run that allocates fast grows the young generation past the cap without it, and stops at the cap with it', () => {
	const free = youngMb('none');
	const capped = youngMb('2');
	// The observer hears of a collection a little after it, so the space may grow once or twice more: at most 8 MB.
	assert.ok(capped <= 8, `with a 2 MB cap it grew to ${capped} MB`);
	assert.ok(free >= 2 * capped, `without the cap it grew to ${free} MB, with it to ${capped} MB`);
});

test('left alone on a Node whose V8 the flag was not checked on', () => {
	assert.equal(capYoungGeneration(8, 26), false);
	assert.equal(capYoungGeneration(8, 18), false);
});
