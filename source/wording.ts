// How pgrst-doctor words things: one helper for counts, and the cures several findings share.
import type {FixId} from './findings.js';
import type {Channel} from './sql/channel.js';
import {reloadSql} from './sql/reloadSql.js';

/** "1 finding", "3 findings": a count and its noun, the noun taking an s unless the count is one. */
export function plural(count: number, noun: string): string {
	return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The cure every stale-cache finding shares: the reload fix, and the statement that does it by hand. */
export function reloadCure(channel: Channel): {fixes: FixId[]; suggestion: string} {
	return {fixes: ['reload'], suggestion: `Reload the schema cache: ${reloadSql(channel)}`};
}
