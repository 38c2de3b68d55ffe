// Reads an error as users paste it — PostgREST's JSON body, what console.log prints for a supabase-js or
// postgrest-js (1 or 2) error (a JS object literal, or a PostgrestError with its stack trace), JSON.stringify of
// one, a log line, or the bare message — with the request line when they paste one, and recognises every PostgREST
// wording across versions plus the PostgreSQL errors that pass through. Pure and bounded: long input is cut before
// anything runs, strings are read by a linear scanner, and every pattern is linear.

export type ErrorKind =
	| 'column_not_found'
	| 'table_not_found'
	| 'function_not_found'
	| 'relationship_not_found'
	| 'relationship_ambiguous'
	| 'function_ambiguous'
	| 'cache_unloaded'
	| 'pool_timeout'
	| 'schema_not_exposed'
	| 'permission_denied'
	| 'row_security'
	| 'unknown';

/** The HTTP request pasted with the error (a network tab, a log line, or `POST /invoices 404 {}`). */
export type PastedRequest = {
	method: string;
	/** Without origin, `/rest/v1`, query string and fragment; URL-decoded: `/invoices`, `/rpc/add`. */
	path: string;
	status?: number;
	/** The top-level names of its select= parameter, when it has one. */
	columns?: string[];
};

export type ParsedError = {
	kind: ErrorKind;
	code: string | null;
	message: string | null;
	schema?: string;
	table?: string;
	column?: string;
	function?: string;
	args?: string[];
	/** 42501 on a sequence (an insert's serial or identity column). */
	sequence?: string;
	/** 42501 on any other kind of object PostgreSQL names (a type, a database, a language…). */
	object?: string;
	/** For relationships: the embedding parent and child. */
	parent?: string;
	child?: string;
	/** PGRST202's "Perhaps you meant…" overload, PGRST106's exposed schemas. */
	suggestedArgs?: string[];
	exposedSchemas?: string[];
	/**
	 * 42501: what PostgreSQL said it denied, word for word: table, view, materialized view, sequence, schema, function,
	 * column, relation…
	 */
	privilegeOn?: string;
	request?: PastedRequest;
	/** When the text cannot be explained alone: what else to paste, as a sentence. */
	needs?: string;
};

const maxInput = 64 * 1024;
const maxString = 4096;
const maxStrings = 64;

type Rule = {kind: ErrorKind; code: string; pattern: RegExp; read(match: RegExpExecArray): Partial<ParsedError>};

const name = String.raw`([^'\n]{1,512})`;
/** A PostgreSQL identifier as error messages print it: "quoted with anything" or bare. Two groups. */
const ident = String.raw`(?:"([^"\n]{1,512})"|([^"\s.]{1,512}))`;
const qualified = (text: string) => {
	const dot = text.indexOf('.');
	return dot > 0 ? {schema: text.slice(0, dot), rest: text.slice(dot + 1)} : {rest: text};
};
const args = (text: string) =>
	text
		.split(',')
		.map(arg => arg.trim())
		.filter(Boolean);

/**
 * The object kinds of PostgreSQL's "permission denied for <kind> <name>" (aclcheck_error in
 * src/backend/catalog/aclchk.c; "relation" before PostgreSQL 11), longest first so "foreign table" wins over "table".
 */
const deniedKinds = [
	'text search configuration',
	'text search dictionary',
	'foreign-data wrapper',
	'materialized view',
	'statistics object',
	'operator family',
	'operator class',
	'foreign server',
	'foreign table',
	'event trigger',
	'large object',
	'subscription',
	'publication',
	'tablespace',
	'conversion',
	'collation',
	'extension',
	'aggregate',
	'procedure',
	'parameter',
	'sequence',
	'function',
	'database',
	'language',
	'relation',
	'operator',
	'routine',
	'schema',
	'column',
	'domain',
	'policy',
	'table',
	'index',
	'type',
	'view',
];
const relationKinds = new Set(['table', 'view', 'materialized view', 'foreign table', 'relation']);
const functionKinds = new Set(['function', 'procedure', 'routine', 'aggregate']);

// Most specific first. Each rule names the code PostgREST or PostgreSQL gives it.
const rules: Rule[] = [
	{
		kind: 'column_not_found',
		code: 'PGRST204',
		pattern: new RegExp(String.raw`Could not find the '${name}' column of '${name}' in the schema cache`),
		read: m => ({column: m[1], table: m[2]}),
	},
	{
		kind: 'column_not_found',
		code: 'PGRST204',
		pattern: new RegExp(String.raw`Column '${name}' of relation '${name}' does not exist`),
		read: m => ({column: m[1], table: m[2]}),
	},
	{
		kind: 'table_not_found',
		code: 'PGRST205',
		pattern: new RegExp(String.raw`Could not find the table '${name}' in the schema cache`),
		read: m => {
			const {schema, rest} = qualified(m[1]!);
			return {schema, table: rest};
		},
	},
	{
		kind: 'function_not_found',
		code: 'PGRST202',
		pattern: /Could not find the function ([^\s(]{1,512}) without parameters in the schema cache/,
		read: m => ({...fn(m[1]!), args: []}),
	},
	{
		kind: 'function_not_found',
		code: 'PGRST202',
		pattern: /Could not find the function ([^\s(]{1,512})\(([^)\n]{0,2048})\) in the schema cache/,
		read: m => ({...fn(m[1]!), args: args(m[2]!)}),
	},
	{
		kind: 'function_not_found',
		code: 'PGRST202',
		pattern: /Could not find the ([^\s(]{1,512})\(([^)\n]{0,2048})\) function in the schema cache/,
		read: m => ({...fn(m[1]!), args: args(m[2]!)}),
	},
	{
		kind: 'relationship_not_found',
		code: 'PGRST200',
		pattern: new RegExp(
			String.raw`Could not find a relationship between '${name}' and '${name}' in the schema cache`
		),
		read: m => ({parent: m[1], child: m[2]}),
	},
	{
		kind: 'relationship_not_found',
		code: 'PGRST200',
		pattern: /Could not find a relationship between (\S{1,512}) and (\S{1,512}) in the schema cache/,
		read: m => ({parent: m[1], child: m[2]}),
	},
	{
		kind: 'relationship_ambiguous',
		code: 'PGRST201',
		pattern: new RegExp(String.raw`more than one relationship was found for '${name}' and '${name}'`),
		read: m => ({parent: m[1], child: m[2]}),
	},
	{
		kind: 'function_ambiguous',
		code: 'PGRST203',
		pattern: /Could not choose the best candidate function between: ([^\n]{1,2048})/,
		read: m => ({...fn(/^\s*([^\s(]+)\(/.exec(m[1]!)?.[1] ?? '')}),
	},
	{
		kind: 'cache_unloaded',
		code: 'PGRST002',
		pattern: /Could not query the database for the schema cache/,
		read: () => ({}),
	},
	{
		kind: 'pool_timeout',
		code: 'PGRST003',
		pattern: /Timed out acquiring connection from connection pool/,
		read: () => ({}),
	},
	{
		kind: 'schema_not_exposed',
		code: 'PGRST106',
		pattern: /The schema must be one of the following: ([^\n"']{1,2048})/,
		read: m => ({exposedSchemas: args(m[1]!)}),
	},
	{
		kind: 'schema_not_exposed',
		code: 'PGRST106',
		pattern: /Invalid schema: ([^\s"',]{1,512})/,
		read: m => ({schema: m[1]}),
	},
	{
		kind: 'permission_denied',
		code: '42501',
		pattern:
			/permission denied for column ("(?:[^"\n]|""){1,512}"|\S{1,512}) of relation ("(?:[^"\n]|""){1,512}"|\S{1,512})/,
		read: m => ({
			privilegeOn: 'column',
			column: unquoted(m[1]!),
			...relation(unquoted(m[2]!), m[2]!.startsWith('"')),
		}),
	},
	{
		kind: 'permission_denied',
		code: '42501',
		pattern: new RegExp(String.raw`permission denied for (${deniedKinds.join('|')}) ([^\n]{1,1024})`),
		read: m => denied(m[1]!, m[2]!),
	},
	// Also 42501, but no GRANT is missing: a row-level security policy refused the row a write produced.
	{
		kind: 'row_security',
		code: '42501',
		pattern:
			/new row violates row-level security policy(?: "(?:[^"\n]|""){1,512}")?(?: \(USING expression\))? for table ("(?:[^"\n]|""){1,512}"|\S{1,512})/,
		read: m => relation(unquoted(m[1]!), m[1]!.startsWith('"')),
	},
	{
		kind: 'column_not_found',
		code: '42703',
		pattern: new RegExp(String.raw`column ${ident} of relation ${ident} does not exist`),
		read: m => ({column: m[1] ?? m[2], table: m[3] ?? m[4]}),
	},
	{
		kind: 'column_not_found',
		code: '42703',
		pattern: new RegExp(String.raw`column (?:${ident}\.)?${ident} does not exist`),
		read: m => ({table: m[1] ?? m[2], column: m[3] ?? m[4]}),
	},
	{
		kind: 'table_not_found',
		code: '42P01',
		pattern: /relation "(?:([^"\s.]{1,512})\.)?([^"]{1,512})" does not exist/,
		read: m => ({schema: m[1], table: m[2]}),
	},
	{
		kind: 'function_not_found',
		code: '42883',
		pattern: /function ([^\s(]{1,512})\(([^)\n]{0,2048})\) does not exist/,
		read: m => ({...fn(m[1]!), args: args(m[2]!)}),
	},
];

/** `"a ""b"""` is a "b"; a bare name stays as it is. */
function unquoted(text: string): string {
	return text.length > 1 && text.startsWith('"') && text.endsWith('"')
		? text.slice(1, -1).replaceAll('""', '"')
		: text;
}

function fn(text: string): Pick<ParsedError, 'schema' | 'function'> {
	const {schema, rest} = qualified(text);
	return {schema, function: rest};
}

/** A relation named in an error: "quoted" is taken whole; a bare name with one dot and no space is schema.name. */
function relation(text: string, quoted: boolean): Pick<ParsedError, 'schema' | 'table'> {
	if (quoted || /\s/.test(text)) return {table: text};
	const {schema, rest} = qualified(text);
	return {schema, table: rest};
}

/**
 * The name after "permission denied for <kind>": aclchk.c prints it unquoted (get_rel_name and friends), so it runs
 * to the end of the message and may hold spaces; some callers double-quote it, possibly schema-qualified.
 */
function denied(kind: string, rest: string): Partial<ParsedError> {
	const {parts, quoted, tail} = identifierChain(rest);
	if (kind === 'schema') return {privilegeOn: kind, schema: quoted ? parts.join('.') : rest.trim()};
	let object = quoted ? parts.at(-1)! : rest.trim();
	let schema = quoted && parts.length > 1 ? parts.at(-2) : undefined;
	let functionArgs: string[] | undefined;
	if (functionKinds.has(kind)) {
		const call = /^([^(]*)\(([^)]*)\)\s*$/.exec(quoted ? `${object}${tail}` : object);
		if (call) {
			object = call[1]!.trim();
			functionArgs = args(call[2]!);
		}
	}
	// aclchk.c never qualifies a relation's name, so a dot in a bare one is part of it (public."a.b" prints as a.b):
	// explain tries schema.name only when no relation has the whole name (resolveObject). Functions keep schema.f.
	if (!quoted && !/\s/.test(object) && functionKinds.has(kind)) {
		const split = qualified(object);
		schema = split.schema;
		object = split.rest;
	}
	const named = {privilegeOn: kind, ...(schema === undefined ? {} : {schema})};
	if (relationKinds.has(kind)) return {...named, table: object};
	if (functionKinds.has(kind)) return {...named, function: object, ...(functionArgs ? {args: functionArgs} : {})};
	if (kind === 'sequence') return {...named, sequence: object};
	if (kind === 'column') return {...named, column: object};
	return {...named, object};
}

/** `"a"."b"`, `"a".b` or `"a"` at the start of text (quotes doubled inside), read by hand: linear whatever the text. */
function identifierChain(text: string): {parts: string[]; quoted: boolean; tail: string} {
	const parts: string[] = [];
	let at = 0;
	while (text[at] === '"' && parts.length < 3) {
		let part = '';
		let end = at + 1;
		for (; end < text.length; end++) {
			if (text[end] !== '"') part += text[end];
			else if (text[end + 1] === '"') part += text[++end];
			else break;
		}
		if (end >= text.length || part === '') break;
		parts.push(part);
		at = end + 1;
		if (text[at] !== '.') break;
		at++;
		if (text[at] !== '"') {
			// "schema".name: the bare rest is the last part.
			parts.push(text.slice(at).trim());
			at = text.length;
		}
	}
	return {parts, quoted: parts.length > 0, tail: text.slice(at)};
}

type Strings = {messages: string[]; fields: Map<string, string | null>};

const fieldKey = /["']?\b(message|code|details|hint|msg)["']?[ \t]*[:=][ \t]*/g;

/**
 * The string fields of every object literal or JSON document in the text, decoded: `message: 'it''s'`,
 * `"message":"…\"…"`, `message: "…'…"`, message: `…` (util.inspect picks the quote a string does not contain) and
 * `message: null`. The first value of each key wins; every message is kept, in order.
 */
function stringFields(text: string): Strings {
	const fields = new Map<string, string | null>();
	const messages: string[] = [];
	fieldKey.lastIndex = 0;
	for (let count = 0; count < maxStrings; count++) {
		const match = fieldKey.exec(text);
		if (!match) break;
		const key = match[1] === 'msg' ? 'message' : match[1]!;
		const start = fieldKey.lastIndex;
		const value = text.startsWith('null', start) ? {value: null, end: start + 4} : readString(text, start);
		if (!value) continue;
		fieldKey.lastIndex = value.end;
		if (!fields.has(key)) fields.set(key, value.value);
		if (key === 'message' && value.value) messages.push(value.value);
	}
	return {messages, fields};
}

const escapes: Record<string, string> = {n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0'};

/** One quoted string starting at `start`, its escapes undone, and where it ends; inspect's `'…' +\n '…'` joined. */
function readString(text: string, start: number): {value: string; end: number} | undefined {
	let value = '';
	let at = start;
	for (;;) {
		const quote = text[at];
		if (quote !== '"' && quote !== "'" && quote !== '`') return undefined;
		let end = at + 1;
		for (; end < text.length && text[end] !== quote && text[end] !== '\n' && value.length < maxString; end++) {
			if (text[end] !== '\\') {
				value += text[end];
				continue;
			}
			const next = text[++end] ?? '';
			if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(end + 1, end + 5))) {
				value += String.fromCharCode(Number.parseInt(text.slice(end + 1, end + 5), 16));
				end += 4;
			} else if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(end + 1, end + 3))) {
				value += String.fromCharCode(Number.parseInt(text.slice(end + 1, end + 3), 16));
				end += 2;
			} else {
				value += escapes[next] ?? next;
			}
		}
		if (text[end] !== quote) return undefined;
		const continued = /^[ \t]*\+[ \t]*\n?[ \t]*/.exec(text.slice(end + 1, end + 1 + 256));
		if (!continued || !`"'\``.includes(text[end + 1 + continued[0].length] ?? '')) return {value, end: end + 1};
		at = end + 1 + continued[0].length;
	}
}

/** `PostgrestError: <message>` heading a stack trace, or `ERROR:  <message>` in PostgreSQL's log. */
const errorLine = /^[^\S\n]*(?:[\w$.]{0,64}Error|ERROR|FATAL)(?: \[\w{1,16}\])?:[^\S\n]+([^\n]{1,4096})/gm;

function errorLines(text: string): string[] {
	return [...text.matchAll(errorLine)].slice(0, maxStrings).map(match => match[1]!);
}

const methods = 'GET|HEAD|POST|PATCH|PUT|DELETE|OPTIONS';
/** `POST /invoices 404`, `POST https://x.supabase.co/rest/v1/invoices 403 (Forbidden)`, `"POST /invoices HTTP/1.1" 404`. */
const requestLine = new RegExp(
	String.raw`(?:^|[\s"'\x60(\[])(${methods})[^\S\n]+((?:https?://|/)[^\s"'\x60]{0,2048})` +
		String.raw`(?:[^\S\n]+HTTP/[\d.]{1,3}"?)?(?:[^\S\n]+([1-5]\d\d)\b)?`
);

/** The request the user pasted with the error, if any, with its path as PostgREST routes it. */
export function pastedRequest(text: string): PastedRequest | undefined {
	const match = requestLine.exec(text);
	if (!match) return undefined;
	let target = match[2]!;
	const origin = /^https?:\/\/[^/?#]*/.exec(target);
	if (origin) target = target.slice(origin[0].length) || '/';
	const query = /[?#]/.exec(target);
	const search = query?.[0] === '?' ? target.slice(query.index + 1).split('#')[0]! : '';
	let path = query ? target.slice(0, query.index) : target;
	path = path.replace(/^\/rest\/v1(?=\/|$)/, '') || '/';
	const request: PastedRequest = {method: match[1]!, path: decoded(path)};
	if (match[3]) request.status = Number(match[3]);
	const select = search.split('&').find(pair => pair.startsWith('select='));
	if (select) request.columns = topLevel(decoded(select.slice('select='.length)));
	return request;
}

function decoded(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/** `id,salary,people(*),alias:name::text` → id, salary, name: the columns a select names outside embeds. */
function topLevel(select: string): string[] {
	const items: string[] = [];
	let depth = 0;
	let item = '';
	for (const character of `${select},`) {
		if (character === '(') depth++;
		if (depth === 0 && character === ',') {
			items.push(item);
			item = '';
		} else {
			item += character;
		}
		if (character === ')') depth = Math.max(0, depth - 1);
	}
	return items
		.filter(candidate => !candidate.includes('(') && candidate.trim() !== '*')
		.map(candidate => candidate.split('::')[0]!.split(':').at(-1)!.split('->')[0]!.trim())
		.filter(Boolean)
		.slice(0, 64);
}

export function parseError(input: string): ParsedError {
	const text = input.slice(0, maxInput).replaceAll('\r\n', '\n');
	const {messages, fields} = stringFields(text);
	// A JSON body quoted inside another JSON string (a log record's "body"): its fields once unescaped.
	if (text.includes('\\"'))
		messages.push(
			...stringFields(text.replaceAll('\\"', '"')).messages.filter(message => !messages.includes(message))
		);
	const request = pastedRequest(text);
	const withRequest = (parsed: ParsedError): ParsedError => (request ? {...parsed, request} : parsed);
	const declaredCode = fields.get('code') ?? /\b(PGRST\d{3})\b/.exec(text)?.[1] ?? null;
	const hint = fields.get('hint') ?? null;
	// Decoded message fields and error lines hold the exact message; the raw text is read only when they do not match.
	const exact = [...messages, ...errorLines(text)];
	for (const candidate of [...exact, text]) {
		for (const rule of rules) {
			const match = rule.pattern.exec(candidate);
			if (!match) continue;
			if (candidate === text && !exact.includes(text)) trimEnds(match);
			const parsed: ParsedError = {
				kind: rule.kind,
				code: declaredCode ?? rule.code,
				message: match[0],
				...clean(rule.read(match)),
			};
			if (rule.code === 'PGRST202' && hint) {
				const suggestion = /Perhaps you meant to call the function ([^\s(]+)\(([^)]*)\)/.exec(hint);
				if (suggestion && fn(suggestion[1]!).function === parsed.function)
					parsed.suggestedArgs = args(suggestion[2]!);
			}
			return withRequest(parsed);
		}
	}
	const message = fields.get('message') ?? messages[0] ?? null;
	if (!message && !fields.get('code') && emptyError(text, request)) {
		if (request) return withRequest(notFound(request));
		return {
			kind: 'unknown',
			code: null,
			message: null,
			needs:
				'An empty error ({}) is what PostgREST 12 answers (404) for a table or function its schema ' +
				'cache lacks: paste the request line with it, e.g. POST /invoices 404 {}',
		};
	}
	if (!message && declaredCode) {
		return withRequest({
			kind: 'unknown',
			code: declaredCode,
			message: null,
			needs:
				`This form of the error has its code (${declaredCode}) but not its message (JSON.stringify ` +
				`drops it from a postgrest-js 1 PostgrestError): paste error.message or console.log(error) with it`,
		});
	}
	return withRequest({kind: 'unknown', code: declaredCode, message});
}

/**
 * A match in the raw text can run on into what surrounds the message (a closing quote, a brace, a comma): cut that
 * from the match and from its last group, which holds the name when it runs to the end of the line.
 */
function trimEnds(match: RegExpExecArray): void {
	const last = match.length - 1;
	let cut = 0;
	for (let at = match[0].length - 1; at >= 0 && cut < 8 && ` \t"'\`,;}`.includes(match[0][at]!); at--) cut++;
	// A double-quoted name is read exactly by its own quotes; only a bare one can run on.
	if (
		cut === 0 ||
		!match[last] ||
		match[last].startsWith('"') ||
		!match[0].endsWith(match[last]) ||
		match[last].length <= cut
	) {
		match[0] = match[0].replace(/"$/, '');
		return;
	}
	match[0] = match[0].slice(0, -cut);
	match[last] = match[last].slice(0, -cut);
}

/**
 * Nothing but an empty error: `{}`, `undefined`, or a PostgrestError with no message, code, details or hint (what
 * the clients make of a 404 with body {}), once the request line and stack frames are set aside. With a request
 * line, its status must be 404, or the paste must show the empty error: a request line alone is not an error.
 */
function emptyError(text: string, request: PastedRequest | undefined): boolean {
	const shown =
		request?.status === 404 || (request?.status === undefined && /\{\s*\}|PostgrestError|undefined/.test(text));
	if (request && !shown) return false;
	const rest = text
		.replace(new RegExp(requestLine.source, 'g'), ' ')
		.replace(/^[^\S\n]*at [^\n]*$/gm, ' ')
		.replace(
			/\b(?:PostgrestError|Error|name|message|details|hint|code|undefined|null|error|data|count|status|statusText|success|false|404|Not Found)\b/g,
			' '
		)
		.replace(/[\s{}()[\]:,"'`=]+/g, '');
	return rest === '';
}

function notFound(request: PastedRequest): ParsedError {
	const rpc = /^\/rpc\/([^/]+)\/?$/.exec(request.path);
	if (rpc) return {kind: 'function_not_found', code: null, message: null, function: rpc[1]!, request};
	const table = /^\/([^/]+)\/?$/.exec(request.path)?.[1];
	return table
		? {kind: 'table_not_found', code: null, message: null, table, request}
		: {kind: 'unknown', code: null, message: null, request};
}

function clean(values: Partial<ParsedError>): Partial<ParsedError> {
	return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined && value !== ''));
}

export const recognised = [
	'PGRST204 (both wordings), PGRST205, PGRST202 with its hint, PGRST200, PGRST201, PGRST203, PGRST002, PGRST003, PGRST106',
	'PostgreSQL 42703 (undefined column), 42P01 (undefined table), 42883 (undefined function), ' +
		'and 42501 (permission denied) for a table, view, materialized view, sequence, schema, function or column',
	'42501 "new row violates row-level security policy" (a policy, not a GRANT)',
	"a bare {} (PostgREST 12's 404 for a table its cache lacks) with its request line, e.g. POST /invoices 404 {}",
	"as PostgREST's JSON body, console.log(error) or JSON.stringify(error) of a supabase-js or " +
		'postgrest-js (1 or 2) error, a stack trace, a log line, or the bare message, with the request ' +
		'line if you have it (GET /secrets 401)',
];
