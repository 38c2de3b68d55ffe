// Reads an error as users paste it — PostgREST's JSON body, a supabase-js error printed by console.log, a log
// line, or the bare message — and recognises every PostgREST wording across versions plus the PostgreSQL errors
// that pass through. Pure and bounded: long input is cut before any pattern runs.

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
	| 'unknown';

export type ParsedError = {
	kind: ErrorKind;
	code: string | null;
	message: string | null;
	schema?: string;
	table?: string;
	column?: string;
	function?: string;
	args?: string[];
	/** For relationships: the embedding parent and child. */
	parent?: string;
	child?: string;
	/** PGRST202's "Perhaps you meant…" overload, PGRST106's exposed schemas. */
	suggestedArgs?: string[];
	exposedSchemas?: string[];
	privilegeOn?: string;
	/** For a denied sequence: its name (schema in `schema` when qualified). */
	sequence?: string;
	/** The request line pasted with the error (`POST /invoices 404 {}`): its method and path, without /rest/v1. */
	request?: {method: string; path: string};
};

const maxInput = 64 * 1024;
const maxLine = 4096;

type Rule = {kind: ErrorKind; code: string; pattern: RegExp; read(match: RegExpExecArray): Partial<ParsedError>};

const name = String.raw`([^'\n]{1,512})`;
/** A PostgreSQL identifier as error messages print it: "quoted with anything" or bare. Two groups. */
const ident = String.raw`(?:"([^"\n]{1,512})"|([^"\s.]{1,512}))`;
const qualified = (text: string) => {
	const dot = text.indexOf('.');
	return dot > 0 ? {schema: text.slice(0, dot), rest: text.slice(dot + 1)} : {rest: text};
};
const args = (text: string) => text.split(',').map(arg => arg.trim()).filter(Boolean);

// Most specific first. Each rule names the code PostgREST or PostgreSQL gives it.
const rules: Rule[] = [
	{kind: 'column_not_found', code: 'PGRST204', pattern: new RegExp(String.raw`Could not find the '${name}' column of '${name}' in the schema cache`), read: m => ({column: m[1], table: m[2]})},
	{kind: 'column_not_found', code: 'PGRST204', pattern: new RegExp(String.raw`Column '${name}' of relation '${name}' does not exist`), read: m => ({column: m[1], table: m[2]})},
	{kind: 'table_not_found', code: 'PGRST205', pattern: new RegExp(String.raw`Could not find the table '${name}' in the schema cache`), read: m => {
		const {schema, rest} = qualified(m[1]!);
		return {schema, table: rest};
	}},
	{kind: 'function_not_found', code: 'PGRST202', pattern: /Could not find the function ([^\s(]{1,512}) without parameters in the schema cache/, read: m => ({...fn(m[1]!), args: []})},
	{kind: 'function_not_found', code: 'PGRST202', pattern: /Could not find the function ([^\s(]{1,512})\(([^)\n]{0,2048})\) in the schema cache/, read: m => ({...fn(m[1]!), args: args(m[2]!)})},
	{kind: 'function_not_found', code: 'PGRST202', pattern: /Could not find the ([^\s(]{1,512})\(([^)\n]{0,2048})\) function in the schema cache/, read: m => ({...fn(m[1]!), args: args(m[2]!)})},
	{kind: 'relationship_not_found', code: 'PGRST200', pattern: new RegExp(String.raw`Could not find a relationship between '${name}' and '${name}' in the schema cache`), read: m => ({parent: m[1], child: m[2]})},
	{kind: 'relationship_not_found', code: 'PGRST200', pattern: /Could not find a relationship between (\S{1,512}) and (\S{1,512}) in the schema cache/, read: m => ({parent: m[1], child: m[2]})},
	{kind: 'relationship_ambiguous', code: 'PGRST201', pattern: new RegExp(String.raw`more than one relationship was found for '${name}' and '${name}'`), read: m => ({parent: m[1], child: m[2]})},
	{kind: 'function_ambiguous', code: 'PGRST203', pattern: /Could not choose the best candidate function between: ([^\n]{1,2048})/, read: m => ({...fn(/^\s*([^\s(]+)\(/.exec(m[1]!)?.[1] ?? '')})},
	{kind: 'cache_unloaded', code: 'PGRST002', pattern: /Could not query the database for the schema cache/, read: () => ({})},
	{kind: 'pool_timeout', code: 'PGRST003', pattern: /Timed out acquiring connection from connection pool/, read: () => ({})},
	{kind: 'schema_not_exposed', code: 'PGRST106', pattern: /The schema must be one of the following: ([^\n"']{1,2048})/, read: m => ({exposedSchemas: args(m[1]!)})},
	{kind: 'schema_not_exposed', code: 'PGRST106', pattern: /Invalid schema: ([^\s"',]{1,512})/, read: m => ({schema: m[1]})},
	{kind: 'column_not_found', code: '42703', pattern: new RegExp(String.raw`column ${ident} of relation ${ident} does not exist`), read: m => ({column: m[1] ?? m[2], table: m[3] ?? m[4]})},
	{kind: 'column_not_found', code: '42703', pattern: new RegExp(String.raw`column (?:${ident}\.)?${ident} does not exist`), read: m => ({table: m[1] ?? m[2], column: m[3] ?? m[4]})},
	{kind: 'table_not_found', code: '42P01', pattern: /relation "(?:([^"\s.]{1,512})\.)?([^"]{1,512})" does not exist/, read: m => ({schema: m[1], table: m[2]})},
	{kind: 'function_not_found', code: '42883', pattern: /function ([^\s(]{1,512})\(([^)\n]{0,2048})\) does not exist/, read: m => ({...fn(m[1]!), args: args(m[2]!)})},
	{kind: 'permission_denied', code: '42501', pattern: /permission denied for (table|view|schema|function|sequence|relation) "?([^"\s]{1,512})"?/, read: m => ({privilegeOn: m[1], ...(m[1] === 'schema' ? {schema: m[2]} : m[1] === 'function' ? fn(m[2]!) : {table: m[2]})})},
];

function fn(text: string): Pick<ParsedError, 'schema' | 'function'> {
	const {schema, rest} = qualified(text);
	return {schema, function: rest};
}

/** The bounded text patterns run over: at most 64 KiB, lines at most 4 KiB, JSON string escapes undone. */
function normalise(input: string): string {
	return input
		.slice(0, maxInput)
		.split('\n')
		.map(line => line.slice(0, maxLine))
		.join('\n')
		.replaceAll(String.raw`\"`, '"')
		.replaceAll(String.raw`\'`, "'");
}

function field(text: string, key: string): string | null {
	const match = new RegExp(String.raw`["']?${key}["']?\s*[:=]\s*(?:"([^"\n]{0,4096})"|'([^'\n]{0,4096})'|(null))`).exec(text);
	return match ? (match[1] ?? match[2] ?? null) : null;
}

export function parseError(input: string): ParsedError {
	const text = normalise(input);
	const declaredCode = field(text, 'code') ?? /\b(PGRST\d{3})\b/.exec(text)?.[1] ?? null;
	const hint = field(text, 'hint');
	for (const rule of rules) {
		const match = rule.pattern.exec(text);
		if (!match) continue;
		const parsed: ParsedError = {kind: rule.kind, code: declaredCode ?? rule.code, message: match[0].replace(/"$/, ''), ...clean(rule.read(match))};
		if (rule.code === 'PGRST202' && hint) {
			const suggestion = /Perhaps you meant to call the function ([^\s(]+)\(([^)]*)\)/.exec(hint);
			if (suggestion && fn(suggestion[1]!).function === parsed.function) parsed.suggestedArgs = args(suggestion[2]!);
		}
		return parsed;
	}
	return {kind: 'unknown', code: declaredCode, message: field(text, 'message')};
}

function clean(values: Partial<ParsedError>): Partial<ParsedError> {
	return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined && value !== '')) as Partial<ParsedError>;
}

export const recognised = [
	'PGRST204 (both wordings), PGRST205, PGRST202 with its hint, PGRST200, PGRST201, PGRST203, PGRST002, PGRST003, PGRST106',
	'PostgreSQL 42703 (undefined column), 42P01 (undefined table), 42883 (undefined function), 42501 (permission denied)',
	'as PostgREST\'s JSON body, a supabase-js error printed by console.log, a log line, or the bare message',
];
