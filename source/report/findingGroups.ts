// Findings grouped and counted once, for every renderer: plain text and the interactive app list the same groups,
// cap each code at the same screenful, and count errors the same way.
import type {Finding} from '../findings.js';
import {plural} from '../wording.js';

/** A screenful: text output lists this many findings of one code, then counts the rest (--json lists all). */
export const findingsPerCode = 20;

export type FindingGroup = {area: string; codes: Array<{code: string; shown: Finding[]; more: number}>};

/** The findings by area, then by code, in the order they first appear; each code keeps at most `limit` of them. */
export function findingGroups(findings: Finding[], limit = findingsPerCode): FindingGroup[] {
	const areas = new Map<string, Map<string, {code: string; shown: Finding[]; more: number}>>();
	for (const found of findings) {
		const area = found.code.split('.')[0]!;
		let codes = areas.get(area);
		if (!codes) areas.set(area, (codes = new Map<string, {code: string; shown: Finding[]; more: number}>()));
		let group = codes.get(found.code);
		if (!group) codes.set(found.code, (group = {code: found.code, shown: [], more: 0}));
		if (group.shown.length < limit) group.shown.push(found);
		else group.more++;
	}
	return [...areas].map(([area, codes]) => ({area, codes: [...codes.values()]}));
}

/** The line that stands for the findings of one code a screenful left out. */
export function moreFindings(count: number, code: string): string {
	return `… and ${plural(count, `more ${code} finding`)} (--json lists all)`;
}

/**
 * "2 findings (1 error)": how a report's findings are counted before and after an action; findings accepted on
 * purpose (--ignore) are counted too, and said: "3 findings (1 error, 1 ignored)".
 */
export function findingTally(findings: readonly Finding[], ignored: readonly Finding[] = []): string {
	const errors = findings.filter(found => found.severity === 'error').length;
	const accepted = ignored.length > 0 ? `, ${ignored.length} ignored` : '';
	return `${plural(findings.length + ignored.length, 'finding')} (${plural(errors, 'error')}${accepted})`;
}
