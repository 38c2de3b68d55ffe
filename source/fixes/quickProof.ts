// The quick proof of a reload fix, in place of a second full diagnosis (issue 14: a heal confirmed within PostgREST's
// own reload time). It holds only when all of these do, else the full diagnoses prove the fix as before:
// 1. the diagnosis before was one full comparison of one PostgREST (no instances, no listener doubt, nothing
//    unverified or blocking) whose cache findings each name one object (probes/recheck.ts canRecheck);
// 2. the catalogs' fingerprint was read before the reload was asked for, and before the moment a reload must begin after;
// 3. PostgREST was seen beginning a reload after the request and finishing it (waitAfterReload);
// 4. each object that differed now reads as the database has it, asked with methods chosen by their controls;
// 5. the fingerprint (its row versions), read again after those probes, is unchanged.
// By 2, 3 and 5 the new cache was loaded from the very database the doctor reads now, by 4 it is the cache that
// answers. The `check --fix` report still ends with a full diagnosis, so the verdict and exit code never rest on it.
import type {Finding} from '../findings.js';
import type {Report} from '../report/buildReport.js';
import {openDatabase} from '../probes/database.js';
import type {HttpTarget} from '../probes/http.js';
import {
	canRecheck,
	type CatalogFingerprint,
	catalogFingerprint,
	findingsSettled,
	readCatalogState,
} from '../probes/recheck.js';
import {type SessionOptions, withClient} from '../probes/session.js';
import {cacheCheckIds} from './fixCatalog.js';

/** How long the objects may still read as before once the reload looked finished (the new cache is swapped in after its queries). */
const settleMs = 1000;
const pollMs = 25;

// A listener finding or another database means the reload seen in this database need not be the probed PostgREST's;
// so do several instances (checked one by one, or behind one address): the one seen reloading may be another replica.
export function mayBeAnotherPostgrest(found: Finding): boolean {
	return (
		found.code.startsWith('listener.') ||
		['api.other_database', 'api.instance_unchecked', 'cache.inconsistent'].includes(found.code)
	);
}

/** Findings that say the reload seen need not be this PostgREST's, or that its cache was not all compared. */
function doubtful(found: Finding): boolean {
	return (
		mayBeAnotherPostgrest(found) ||
		['cache.unverified', 'cache.not_compared', 'cache.unloaded'].includes(found.code)
	);
}

/** Whether a reload after this diagnosis can be proved quickly (condition 1 above). */
export function quicklyProvable(before: Report, target: HttpTarget | undefined): target is HttpTarget {
	return (
		target !== undefined &&
		!before.instances &&
		(before.instancesSeen ?? []).length <= 1 &&
		!before.findings.some(doubtful) &&
		cacheCheckIds.every(id =>
			['pass', 'fail'].includes(before.checks.find(check => check.id === id)?.status ?? 'skip')
		) &&
		canRecheck(before.findings)
	);
}

/** The catalogs' fingerprint as committed now, on a session of its own (recheck.ts catalogFingerprint). */
export async function fingerprintNow(
	session: SessionOptions,
	schemas: string[],
	signal?: AbortSignal
): Promise<CatalogFingerprint> {
	return withClient({...session, ...(signal ? {signal} : {})}, async client => catalogFingerprint(client, schemas));
}

export type QuickProof = {
	/** Conditions 4 and 5, once the caller has seen the reload begin and end; false is "not proved this way". */
	prove(signal: AbortSignal): Promise<boolean>;
	/** Waits for the catalog read to end, whether or not prove ran, so no session outlives the fix. */
	close(): Promise<void>;
};

/**
 * Starts a quick proof right after the reload was asked for (`fingerprint` was read before it): the catalog it
 * compares with is read while PostgREST reloads, in a read-only session of its own.
 */
export function startQuickProof(
	session: SessionOptions,
	target: HttpTarget,
	before: Report,
	fingerprint: CatalogFingerprint
): QuickProof {
	const schemas = before.schemas.names;
	const catalog = (async () => {
		const database = await openDatabase(session.connectionString, session.timeoutMs, session.signal);
		try {
			return await readCatalogState(database, schemas);
		} finally {
			await database.close();
		}
	})();
	catalog.catch(() => {});
	return {
		async prove(signal) {
			const state = await catalog;
			const until = performance.now() + settleMs;
			const asked = {...target, signal};
			while (!signal.aborted) {
				if (await findingsSettled(asked, before.postgrest.version, state, before.findings))
					return (await fingerprintNow(session, schemas, signal)).versions === fingerprint.versions;
				if (performance.now() > until) return false;
				await new Promise(resolve => setTimeout(resolve, pollMs));
			}
			return false;
		},
		async close() {
			await catalog.catch(() => {});
		},
	};
}
