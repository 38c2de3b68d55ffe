// The CLI's young generation, capped. V8 doubles the space for new objects while a run allocates fast, up to 16 MB a
// semi-space on Node 20 (three of them, about 48 MB in all); a diagnosis of 4,000 tables allocates fast for seconds,
// and that growth was a third of its peak memory (149-155 MB; with the cap 120-137 MB, in the same time, measured by
// `npm run benchmark` and /usr/bin/time on Node 20 and 24). `--max-semi-space-size` cannot be changed once V8 runs,
// but the growth factor is read at each growth: once the space reaches the cap, it stops growing. The flag exists on
// the V8 of Node 20 to 24, which the tests run on; on a newer Node it is left alone (V8 prints an error for a flag it
// does not know). Only the CLI does this: an application that imports the library keeps its own heap settings.
import {PerformanceObserver} from 'node:perf_hooks';
import v8 from 'node:v8';

export function capYoungGeneration(megabytes = 8, nodeMajor = Number(process.versions.node.split('.')[0])): boolean {
	if (!(nodeMajor >= 20 && nodeMajor <= 24)) return false;
	const observer = new PerformanceObserver(() => {
		const young = v8.getHeapSpaceStatistics().find(space => space.space_name === 'new_space');
		if (!young || young.space_size < megabytes * 1024 * 1024) return;
		v8.setFlagsFromString('--semi-space-growth-factor=1');
		observer.disconnect();
	});
	observer.observe({entryTypes: ['gc']});
	return true;
}
