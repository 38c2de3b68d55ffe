// What each PostgREST version offers that the doctor relies on, in one place. Read from PostgREST's source at the
// tags named below (PostgREST/postgrest, src/PostgREST/*.hs) and, for 11.2.2 and 12.0.2, measured on the real
// binaries. A version not listed here is read by its documented behaviour; the probes prove their methods on the
// running server either way (see cacheSnapshot.ts), so this table decides which method is tried first, never
// whether an answer is trusted.

export type PostgrestFeatures = {
	/** The version these features are for, as PostgREST names itself (`Server: postgrest/<version>`), or null if unknown. */
	version: string | null;
	/**
	 * PGRST204's message: "Column 'c' of relation 't' does not exist" (11.0.0–12.0.2) or "Could not find the 'c' column
	 * of 't' in the schema cache" (12.0.3+).
	 */
	columnNotFoundWording: 'column of relation' | 'schema cache' | null;
	/** PGRST205 (table not found) from 13.0.0; before, an uncached table answers a write or OPTIONS with 404 `{}`. */
	tableNotFoundCode: boolean | null;
	/** Admin server paths: /live and /ready from 10.0.0; /schema_cache and /metrics from 12.2.0; /config 12.2.0–12.2.x. */
	adminEndpoints: string[] | null;
	/**
	 * Accept is negotiated while the request is parsed, before any cache lookup (ApiRequest.hs negotiateContent at
	 * v11.2.2), so an unknown Accept answers PGRST107 whether the object is cached or not. From 12.0.0 it is
	 * negotiated while planning, after the lookup (Plan.hs at v12.0.2).
	 */
	acceptBeforeCache: boolean | null;
	/** `Prefer: handling=strict` rejects an unknown preference with PGRST122, after the cache lookup (12.0.0+). */
	strictPreferences: boolean | null;
	/** PostgREST sets fallback_application_name `PostgREST <version>` on its sessions (11.2.0+). */
	applicationName: boolean | null;
};

type Version = [number, number, number];

/** `12.0.2`, `12.2.3 (519615d)`, `14.0` → its numbers; null for anything else. */
export function parseVersion(text: string | null | undefined): Version | null {
	const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text ?? '');
	return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : null;
}

function atLeast(version: Version, [major, minor, patch]: Version): boolean {
	if (version[0] !== major) return version[0] > major;
	if (version[1] !== minor) return version[1] > minor;
	return version[2] >= patch;
}

/** The features of a PostgREST version; every field null when the version is unknown. */
export function postgrestFeatures(text: string | null | undefined): PostgrestFeatures {
	const version = parseVersion(text);
	if (!version) {
		return {
			version: null,
			columnNotFoundWording: null,
			tableNotFoundCode: null,
			adminEndpoints: null,
			acceptBeforeCache: null,
			strictPreferences: null,
			applicationName: null,
		};
	}
	const from = (limit: Version) => atLeast(version, limit);
	const admin = [
		...(from([10, 0, 0]) ? ['/live', '/ready'] : []),
		...(from([12, 2, 0]) ? ['/schema_cache', '/metrics'] : []),
		...(from([12, 2, 0]) && !from([13, 0, 0]) ? ['/config'] : []),
	];
	return {
		version: text ?? null,
		columnNotFoundWording: from([12, 0, 3]) ? 'schema cache' : from([11, 0, 0]) ? 'column of relation' : null,
		tableNotFoundCode: from([13, 0, 0]),
		adminEndpoints: admin,
		acceptBeforeCache: !from([12, 0, 0]),
		strictPreferences: from([12, 0, 0]),
		applicationName: from([11, 2, 0]),
	};
}

/** The versions whose real binaries the test suite runs against; the rest of the table comes from PostgREST's source. */
export const testedVersions = ['11.2.2', '12.0.2'] as const;
