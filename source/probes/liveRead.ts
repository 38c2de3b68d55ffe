// Tries a "permission denied" again, safely: a read of no rows through PostgREST, with the key the app sends, so it
// runs as the role the app's requests run as. PostgREST runs a GET in a READ ONLY transaction, and with limit=0 the
// executor reads no row, so no policy, trigger or function in a view's columns runs; PostgreSQL checks privileges
// before that (42501). Only PostgREST's db-pre-request function runs, as for every request. Never an insert.
import type {LiveRead} from '../explain/grants.js';
import {quoteSelectName} from './cacheSnapshot.js';
import {type HttpTarget, postgrestError, send} from './http.js';

/** The read of `column` (or every column) of the relation; undefined when PostgREST did not answer. */
export async function liveRead(
	target: HttpTarget,
	relation: {schema: string; name: string},
	column?: string
): Promise<LiveRead | undefined> {
	const select = column === undefined ? '*' : quoteSelectName(column);
	const path = `/${encodeURIComponent(relation.name)}?select=${encodeURIComponent(select)}&limit=0`;
	try {
		const answer = await send(target, path, {
			headers: {accept: 'application/json', 'accept-profile': relation.schema},
		});
		const error = postgrestError(answer);
		return {status: answer.status, code: error?.code ?? null, message: error?.message ?? null};
	} catch {
		return undefined;
	}
}
