// For test/youngGeneration.test.ts: allocates fast, as a diagnosis of thousands of tables does, with or without the
// cap, and prints the young generation's size in MB at the end.
import v8 from 'node:v8';
import {capYoungGeneration} from '../../source/youngGeneration.js';

if (process.argv[2] !== 'none') capYoungGeneration(Number(process.argv[2]));
let kept: unknown[] = [];
for (let round = 0; round < 300; round++) {
	// Objects that live a little while (a probe's request and answer) make V8 grow the space for new objects; the
	// event loop turns between rounds, as between a diagnosis's requests (the cap is applied from a GC observer).
	kept.push(Array.from({length: 20_000}, (_, index) => ({index, name: `column_${index}`})));
	if (kept.length > 20) kept = kept.slice(-10);
	await new Promise(resolve => setImmediate(resolve));
}
const young = v8.getHeapSpaceStatistics().find(space => space.space_name === 'new_space')!;
console.log(young.space_size / 1024 / 1024);
