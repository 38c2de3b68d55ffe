// The settings as every renderer shows them: a value that cannot carry a secret (a database target without its
// password, an API key's kind, "set" for a JWT secret) and where it came from.
import {databaseTarget} from '../target.js';
import type {Settings, ShownSetting} from './settings.js';

export function shownSettings(settings: Settings): ShownSetting[] {
	const rows: ShownSetting[] = [];
	const add = (name: string, value: string | undefined, from: string | undefined) => {
		if (value !== undefined && from !== undefined) rows.push({name, value, from});
	};
	add('db-url', settings.dbUrl && databaseTarget(settings.dbUrl.value).display, settings.dbUrl?.from);
	add('api-url', settings.apiUrl?.value, settings.apiUrl?.from);
	add('admin-url', settings.adminUrl?.value, settings.adminUrl?.from);
	add('api-key', settings.apiKey && keyKind(settings.apiKey.value), settings.apiKey?.from);
	add('schemas', settings.schemas?.value.join(', '), settings.schemas?.from);
	add('channel', settings.channel?.value, settings.channel?.from);
	add('channel-enabled', settings.channelEnabled && String(settings.channelEnabled.value), settings.channelEnabled?.from);
	add('anon-role', settings.anonRole?.value, settings.anonRole?.from);
	add('jwt-secret', settings.jwtSecret && 'set', settings.jwtSecret?.from);
	return rows;
}

/** What kind of key it is, never the key: Supabase's new keys by prefix, a JWT by its role claim (read, not verified). */
export function keyKind(key: string): string {
	if (key.startsWith('sb_secret_')) return 'sb_secret_… key';
	if (key.startsWith('sb_publishable_')) return 'sb_publishable_… key';
	const parts = key.split('.');
	if (parts.length !== 3) return 'key';
	try {
		const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as {role?: unknown};
		return typeof claims.role === 'string' && /^[\w-]{1,63}$/.test(claims.role) ? `${claims.role} key (JWT)` : 'JWT';
	} catch {
		return 'key';
	}
}
