// What a function body or a session's last query says about NOTIFY and LISTEN, read the way PostgreSQL would.

export type Notification = {
	/** The channel as PostgreSQL will see it (unquoted identifiers folded to lower case); null when computed at run time. */
	channel: string | null;
	/** The payload literal; '' when absent; null when computed at run time. */
	payload: string | null;
};

export type PayloadEffect = 'reload schema' | 'reload config' | 'ignored' | 'unknown';

/** Every NOTIFY statement and pg_notify() call in a PL/pgSQL or SQL body. */
export function notificationsIn(source: string): Notification[] {
	const code = stripComments(source);
	const found: Notification[] = [];
	const literal = String.raw`'((?:[^']|'')*)'`;
	const identifier = String.raw`("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
	for (const match of code.matchAll(
		new RegExp(String.raw`\bnotify\s+${identifier}(?:\s*,\s*(?:${literal}|([^;]+)))?`, 'gi')
	)) {
		const [, name, payload, expression] = match;
		found.push({channel: identifierValue(name!), payload: expression ? null : unquoteLiteral(payload ?? '')});
	}
	for (const match of code.matchAll(/\bpg_notify\s*\(([^;]*)/gi)) {
		const args = new RegExp(String.raw`^\s*(?:${literal}|[^,]*)\s*,\s*(?:${literal}|.*)`, 's').exec(match[1]!);
		found.push({
			channel: args?.[1] === undefined ? null : unquoteLiteral(args[1]),
			payload: args?.[2] === undefined ? null : unquoteLiteral(args[2]),
		});
	}
	return found;
}

/** PostgREST compares payloads byte for byte: '' and 'reload schema' reload the cache, anything else does not. */
export function payloadEffect(payload: string | null): PayloadEffect {
	if (payload === null) return 'unknown';
	if (payload === '' || payload === 'reload schema') return 'reload schema';
	if (payload === 'reload config') return 'reload config';
	return 'ignored';
}

/** `LISTEN "pgrst"` → pgrst; `LISTEN Foo` → foo. Undefined when the query is not a LISTEN. */
export function listenChannel(query: string): string | undefined {
	const match = /^\s*listen\s+("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)\s*;?\s*$/i.exec(query);
	return match ? identifierValue(match[1]!) : undefined;
}

function identifierValue(name: string): string {
	return name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"') : name.toLowerCase();
}

function unquoteLiteral(text: string): string {
	return text.replaceAll("''", "'");
}

function stripComments(source: string): string {
	return source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
}
