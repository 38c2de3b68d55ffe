// How a person reloads PostgREST by hand where the doctor cannot: Supabase's dashboard, or a signal to the process.
// There is no "reload schema" button in Supabase, and SIGHUP terminates PostgREST >= 6: neither is ever suggested.
import type {Channel} from '../sql/channel.js';
import {localSupabase, supabaseProjectRef} from '../settings/supabaseShape.js';
import {reloadSql} from '../sql/reloadSql.js';

export function manualReloadSteps(channel: Channel, apiUrl?: string, databaseUrl?: string): string[] {
	const sql = reloadSql(channel);
	const ref = supabaseProjectRef(apiUrl, databaseUrl);
	if (ref) {
		return [
			`Open the SQL Editor with the reload prefilled and press Run: https://supabase.com/dashboard/project/${ref}/sql/new?content=${encodeURIComponent(sql)}`,
			`If the cache still does not match: Settings → General → Restart project (https://supabase.com/dashboard/project/${ref}/settings/general).`,
		];
	}
	if (localSupabase(apiUrl, databaseUrl)) {
		// supabase start names its containers supabase_<service>_<project_id>; PostgREST is the rest service.
		return [
			`Run in psql connected to the local database (psql -h 127.0.0.1 -p 54322 -U postgres postgres) ` +
				`or in Studio's SQL Editor (http://127.0.0.1:54323): ${sql}`,
			'Or send the local PostgREST the reload signal: docker kill -s SIGUSR1 supabase_rest_<project_id> ' +
				'(project_id is in supabase/config.toml)',
			'Or restart it: docker restart supabase_rest_<project_id>. (supabase db reset restarts the database but not PostgREST.)',
		];
	}
	return [
		`Run in psql or any SQL client connected to PostgREST's database: ${sql}`,
		'Or send PostgREST the reload signal: docker kill -s SIGUSR1 <container> | systemctl kill -s SIGUSR1 postgrest | kill -USR1 <pid>',
		'Or restart PostgREST. (SIGHUP does not reload PostgREST 6 and later: it stops it.)',
	];
}
