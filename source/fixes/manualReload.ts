// How a person reloads PostgREST by hand where the doctor cannot: Supabase's dashboard, or a signal to the process.
// There is no "reload schema" button in Supabase, and SIGHUP terminates PostgREST >= 6: neither is ever suggested.
import type {Channel} from '../sql/channel.js';
import {reloadSql} from '../sql/reloadSql.js';

/** A Supabase project ref from https://<ref>.supabase.co, db.<ref>.supabase.co, or a pooler user postgres.<ref>. */
export function supabaseProjectRef(apiUrl?: string, databaseUrl?: string): string | undefined {
	const fromHost = (host: string) => /^(?:db\.)?([a-z]{20})\.supabase\.(?:co|in)$/.exec(host)?.[1];
	for (const text of [apiUrl, databaseUrl]) {
		if (!text) continue;
		try {
			const url = new URL(text);
			const ref = fromHost(url.hostname) ?? /^postgres\.([a-z]{20})$/.exec(decodeURIComponent(url.username))?.[1];
			if (ref) return ref;
		} catch {}
	}
	return undefined;
}

export function manualReloadSteps(channel: Channel, apiUrl?: string, databaseUrl?: string): string[] {
	const sql = reloadSql(channel);
	const ref = supabaseProjectRef(apiUrl, databaseUrl);
	if (ref) {
		return [
			`Open the SQL Editor with the reload prefilled and press Run: https://supabase.com/dashboard/project/${ref}/sql/new?content=${encodeURIComponent(sql)}`,
			`If the cache still does not match: Settings → General → Restart project (https://supabase.com/dashboard/project/${ref}/settings/general).`,
		];
	}
	return [
		`Run in psql or any SQL client connected to PostgREST's database: ${sql}`,
		'Or send PostgREST the reload signal: docker kill -s SIGUSR1 <container> | systemctl kill -s SIGUSR1 postgrest | kill -USR1 <pid>',
		'Or restart PostgREST. (SIGHUP does not reload PostgREST 6 and later: it stops it.)',
	];
}
