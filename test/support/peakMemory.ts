// The peak resident memory of a running process, read from /proc/<pid>/status (VmHWM, the kernel's high-water
// mark) until it exits. The peak only grows, so the last reading before exit is the run's peak.
import {readFileSync} from 'node:fs';
import type {ChildProcess} from 'node:child_process';

export function watchPeakMemory(child: ChildProcess): () => number {
	let peakKb = 0;
	const read = () => {
		try {
			const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
			peakKb = Math.max(peakKb, kb);
		} catch {
			// Gone: the last reading stands.
		}
	};
	const timer = setInterval(read, 10);
	child.once('exit', () => clearInterval(timer));
	return () => peakKb * 1024;
}
