// How pgrst-doctor words things: one helper for counts, and (see findingWording.ts) one sentence per finding code.

/** "1 finding", "3 findings": a count and its noun, the noun taking an s unless the count is one. */
export function plural(count: number, noun: string): string {
	return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
