import {quoteIdentifier} from './quoteIdentifier.js';

/** The statement that makes a listening PostgREST reload its schema cache. */
export function reloadSql(channel: string): string {
	return `NOTIFY ${quoteIdentifier(channel)}, 'reload schema';`;
}
