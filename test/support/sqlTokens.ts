// Reads SQL the way the parser would for one question: which functions and operators does it call? Comments,
// string literals and quoted identifiers are removed first; dollar-quoted bodies are kept, since DO blocks run too.

/** Syntax that looks like a call but is grammar, never looked up in search_path. */
const syntaxBeforeParenthesis = new Set([
	'exists',
	'in',
	'any',
	'all',
	'filter',
	'over',
	'as',
	'from',
	'join',
	'select',
	'then',
	'else',
	'and',
	'or',
	'not',
	'values',
	'coalesce',
	'nullif',
	'greatest',
	'least',
	'row',
	'array',
	'cast',
	'when',
	'where',
	'on',
	'using',
	'with',
	'if',
	'is',
	'operator',
]);

function strip(sql: string): string {
	return sql
		.replace(/--[^\n]*/g, ' ')
		.replace(/\/\*[\s\S]*?\*\//g, ' ')
		.replace(/(?:\b[EU]&?)?'(?:[^']|'')*'/gi, " '' ")
		.replace(/(?:U&)?"(?:[^"]|"")*"/g, ' ident ')
		.replace(/\$\w*\$/g, ' ');
}

export type SqlCalls = {functions: Set<string>; unqualified: Set<string>; operators: Set<string>};

export function sqlCalls(statements: string[]): SqlCalls {
	const calls: SqlCalls = {functions: new Set(), unqualified: new Set(), operators: new Set()};
	for (const statement of statements) {
		const code = strip(statement);
		// An alias (`as t(a, b)`) and a common table expression's column list (`with recursive t (a, b) as`) are names.
		for (const match of code.matchAll(
			/(\bas\s+|\bwith\s+(?:recursive\s+)?)?\b((?:[a-z_][a-z0-9_$]*\.)?[a-z_][a-z0-9_$]*)\s*\(/gi
		)) {
			const [, named, name] = match;
			const lower = name!.toLowerCase();
			if (named || syntaxBeforeParenthesis.has(lower)) continue;
			const [schema, bare] = lower.includes('.') ? lower.split('.') : [undefined, lower];
			if (schema === 'pg_catalog') calls.functions.add(bare);
			else if (schema === undefined) calls.unqualified.add(bare);
		}
		// `*` in count(*) and select * is not an operator; `::` is a cast (its type is looked up like a relation).
		for (const match of code.replace(/\(\s*\*\s*\)|\bselect\s+\*/gi, ' ').matchAll(/[+\-*/<>=~!@#%^&|`?]+/g))
			calls.operators.add(match[0]);
	}
	return calls;
}
