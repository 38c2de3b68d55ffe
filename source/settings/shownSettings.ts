// The settings as every renderer shows them: a value that cannot carry a secret (a database target without its
// password, an API key's kind, "set" for a JWT secret) and where it came from.
import {databaseTarget} from '../target.js';
import type {Settings, ShownSetting} from './settings.js';
import {keyShape} from './supabaseShape.js';

export function shownSettings(settings: Settings): ShownSetting[] {
	const rows: ShownSetting[] = [];
	const add = (name: string, value: string | undefined, from: string | undefined) => {
		if (value !== undefined && from !== undefined) rows.push({name, value, from});
	};
	add(
		'db-url',
		settings.dbUrl && databaseTarget(settings.dbUrl.value, {readFiles: false}).display,
		settings.dbUrl?.from
	);
	add('api-url', settings.apiUrl?.value, settings.apiUrl?.from);
	add('admin-url', settings.adminUrl?.value, settings.adminUrl?.from);
	add('api-key', settings.apiKey && keyKind(settings.apiKey.value), settings.apiKey?.from);
	add('schemas', settings.schemas?.value.join(', '), settings.schemas?.from);
	add('channel', settings.channel?.value, settings.channel?.from);
	add(
		'channel-enabled',
		settings.channelEnabled && String(settings.channelEnabled.value),
		settings.channelEnabled?.from
	);
	add('anon-role', settings.anonRole?.value, settings.anonRole?.from);
	add('jwt-secret', settings.jwtSecret && 'set', settings.jwtSecret?.from);
	return rows;
}

/** What kind of key it is, never the key: Supabase's new keys by prefix, a JWT by its role claim (read, not verified). */
export function keyKind(key: string): string {
	const shape = keyShape(key);
	switch (shape.kind) {
		case 'secret':
			return 'sb_secret_… key';
		case 'publishable':
			return 'sb_publishable_… key';
		case 'jwt':
			return shape.role && /^[\w-]{1,63}$/.test(shape.role) ? `${shape.role} key (JWT)` : 'JWT';
		case 'unknown':
			return 'key';
	}
}
