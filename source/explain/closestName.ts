/** The candidate nearest to the name by edit distance (case-insensitive), if it is near enough to be a typo. */
export function closestName(name: string, candidates: string[]): string | undefined {
	const target = name.toLowerCase();
	let best: {candidate: string; distance: number} | undefined;
	for (const candidate of candidates) {
		const distance = editDistance(target, candidate.toLowerCase());
		if (!best || distance < best.distance) best = {candidate, distance};
	}
	const limit = Math.max(2, Math.floor(target.length / 2));
	return best && best.distance <= limit ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
	if (a.length > 256 || b.length > 256)
		return Math.abs(a.length - b.length) + (a.slice(0, 256) === b.slice(0, 256) ? 0 : 256);
	let previous = Array.from({length: b.length + 1}, (_, index) => index);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		for (let j = 1; j <= b.length; j++) {
			current[j] = Math.min(
				previous[j]! + 1,
				current[j - 1]! + 1,
				previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
			);
		}
		previous = current;
	}
	return previous[b.length]!;
}
