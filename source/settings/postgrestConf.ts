// PostgREST's own configuration file, read as PostgREST reads it (the configurator-pg library): `key = value` lines,
// `#` comments, `group { … }` blocks that prefix their keys, values that are "strings" (escapes \n \t \r \" \\ \uXXXX),
// numbers, true/false/on/off and [lists]; `$(NAME)` in a string is another key of the file or else an environment
// variable, `$$` a dollar sign; `#;` comments out the next directive. `import` is noted, never followed.

export type ConfValue = string | number | boolean | ConfValue[];

export type PostgrestConf = {
	values: Map<string, ConfValue>;
	/** Values left out and why (an interpolated variable that is not set, an import not followed). */
	problems: string[];
	/** Strings that took text from outside their own quotes: an environment variable or another key, by key. */
	borrowed: Map<string, Borrowing>;
};

/**
 * What a value took through interpolation from outside the file's own text for it: the references as written
 * ($(NAME), ${NAME}), and whether the whole value is one environment variable (then it is that variable's value).
 */
export type Borrowing = {references: string[]; sole: boolean};

/** Deeper than this, groups and lists are refused: the file is not PostgREST's, and reading it must stay bounded. */
const maxDepth = 32;

/** The file does not parse: PostgREST would refuse it as a whole. */
export class ConfSyntaxError extends Error {}

export function parsePostgrestConf(
	text: string,
	environment: Readonly<Record<string, string | undefined>>
): PostgrestConf {
	const reader = new Reader(text);
	const conf: PostgrestConf = {values: new Map(), problems: [], borrowed: new Map()};
	reader.directives(conf, '', environment, 0);
	return conf;
}

class Reader {
	at = 0;

	constructor(readonly text: string) {}

	get line(): number {
		return this.text.slice(0, this.at).split('\n').length;
	}

	fail(what: string): never {
		throw new ConfSyntaxError(`line ${this.line}: ${what}`);
	}

	peek(length = 1): string {
		return this.text.slice(this.at, this.at + length);
	}

	/** White space, line breaks and comments; `#;` starts a commented-out directive, not a comment. */
	skipLines(): void {
		for (;;) {
			while (/\s/.test(this.peek())) this.at++;
			if (this.peek() === '#' && this.peek(2) !== '#;') {
				while (this.at < this.text.length && this.peek() !== '\n' && this.peek() !== '\r') this.at++;
				continue;
			}
			return;
		}
	}

	/** Spaces, tabs and a comment up to the end of the line. */
	skipSpaces(): void {
		while (this.peek() === ' ' || this.peek() === '\t') this.at++;
		if (this.peek() === '#')
			while (this.at < this.text.length && this.peek() !== '\n' && this.peek() !== '\r') this.at++;
	}

	directives(
		conf: PostgrestConf | undefined,
		prefix: string,
		environment: Readonly<Record<string, string | undefined>>,
		depth: number
	): void {
		if (depth > maxDepth) this.fail(`groups are nested deeper than ${maxDepth}`);
		const top = depth === 0;
		for (;;) {
			this.skipLines();
			if (this.at >= this.text.length) {
				if (!top) this.fail('a group is not closed with }');
				return;
			}
			if (!top && this.peek() === '}') {
				this.at++;
				return;
			}
			this.directive(conf, prefix, environment, depth);
			this.skipSpaces();
			const next = this.peek();
			if (next !== '\n' && next !== '\r' && next !== '' && !(next === '}' && !top))
				this.fail('each setting must end its line');
		}
	}

	directive(
		given: PostgrestConf | undefined,
		prefix: string,
		environment: Readonly<Record<string, string | undefined>>,
		depth: number
	): void {
		let conf = given;
		// `#; #; a = 1` comments out one directive however many #; precede it; read in a loop, not by recursion.
		while (this.peek(2) === '#;') {
			this.at += 2;
			while (this.peek() === ' ' || this.peek() === '\t') this.at++;
			conf = undefined;
		}
		if (/^import\s*"/.test(this.text.slice(this.at, this.at + 40))) {
			this.at += 'import'.length;
			this.skipLines();
			const path = this.string();
			conf?.problems.push(`it imports "${path}", which pgrst-doctor does not follow`);
			return;
		}
		const key = this.identifier();
		this.skipLines();
		if (this.peek() === '=') {
			this.at++;
			this.skipLines();
			const value = this.value(0);
			if (!conf) return;
			const name = prefix + key;
			if (typeof value !== 'string') {
				conf.values.set(name, value);
				return;
			}
			const interpolated = interpolate(value, prefix, conf, environment);
			conf.borrowed.delete(name);
			if (interpolated.missing) {
				conf.values.delete(name);
				conf.problems.push(
					`${name} uses $(${interpolated.missing}), which is not set in this environment, so ${name} was not used`
				);
			} else {
				conf.values.set(name, interpolated.text);
				if (interpolated.borrowing.references.length > 0) conf.borrowed.set(name, interpolated.borrowing);
			}
			return;
		}
		if (this.peek() === '{') {
			this.at++;
			this.directives(conf, `${prefix}${key}.`, environment, depth + 1);
			return;
		}
		this.fail(`expected = or { after ${key}`);
	}

	identifier(): string {
		const match = /^[\p{L}](?:[\p{L}\p{N}_-]|\.(?=\p{L}))*/u.exec(this.text.slice(this.at, this.at + 200));
		if (!match) this.fail('expected a setting name');
		this.at += match[0].length;
		return match[0];
	}

	value(depth: number): ConfValue {
		if (depth > maxDepth) this.fail(`lists are nested deeper than ${maxDepth}`);
		const rest = this.text.slice(this.at, this.at + 64);
		for (const [word, meaning] of [
			['on', true],
			['off', false],
			['true', true],
			['false', false],
		] as const) {
			if (rest.startsWith(word)) {
				this.at += word.length;
				return meaning;
			}
		}
		if (this.peek() === '"') return this.string();
		const number = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(rest);
		if (number) {
			this.at += number[0].length;
			return Number(number[0]);
		}
		if (this.peek() === '[') {
			this.at++;
			this.skipLines();
			const items: ConfValue[] = [];
			while (this.peek() !== ']') {
				items.push(this.value(depth + 1));
				this.skipLines();
				if (this.peek() === ',') {
					this.at++;
					this.skipLines();
				} else if (this.peek() !== ']') {
					this.fail('expected , or ] in a list');
				}
			}
			this.at++;
			return items;
		}
		this.fail('expected a value: a "string", a number, true, false or a [list]');
	}

	string(): string {
		if (this.peek() !== '"') this.fail('expected a "string"');
		let value = '';
		for (this.at++; ; this.at++) {
			const char = this.peek();
			if (char === '') this.fail('a string is not closed with "');
			if (char === '"') break;
			if (char !== '\\') {
				value += char;
				continue;
			}
			this.at++;
			const escaped = this.peek();
			const simple: Record<string, string> = {n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\'};
			if (escaped in simple) {
				value += simple[escaped];
			} else if (escaped === 'u') {
				value += this.unicodeEscape();
			} else {
				this.fail('unknown escape in a string (PostgREST knows \\n \\t \\r \\" \\\\ \\uXXXX)');
			}
		}
		this.at++;
		return value;
	}

	/** \uXXXX, and a UTF-16 surrogate pair as two of them; `at` is on the u and ends on the last hex digit. */
	unicodeEscape(): string {
		const quad = () => {
			const hex = this.text.slice(this.at + 1, this.at + 5);
			if (!/^[\da-f]{4}$/i.test(hex)) this.fail('\\u needs four hex digits');
			this.at += 4;
			return Number.parseInt(hex, 16);
		};
		const high = quad();
		if (high < 0xd8_00 || high > 0xdf_ff) return String.fromCodePoint(high);
		if (this.text.slice(this.at + 1, this.at + 3) !== '\\u') this.fail('invalid UTF-16 surrogates');
		this.at += 2;
		const low = quad();
		if (high > 0xdb_ff || low < 0xdc_00 || low > 0xdf_ff) this.fail('invalid UTF-16 surrogates');
		return String.fromCodePoint(((high - 0xd8_00) << 10) + (low - 0xdc_00) + 0x1_00_00);
	}
}

/**
 * $(name): a key bound earlier in the file, looked up from the innermost group outwards, else the environment; `$$`
 * is a dollar sign. A name that is neither makes PostgREST refuse the file; here only that value is left out. Every
 * reference is recorded: a key's value may itself hold the environment's text, so keys count as borrowed too.
 */
function interpolate(
	text: string,
	prefix: string,
	conf: PostgrestConf,
	environment: Readonly<Record<string, string | undefined>>
): {text: string; missing?: string; borrowing: Borrowing} {
	let result = '';
	let missing: string | undefined;
	const references: string[] = [];
	let fromEnvironment = false;
	const scopes = prefix.split('.').filter(Boolean);
	for (let index = 0; index < text.length; index++) {
		const char = text[index]!;
		if (char !== '$') {
			result += char;
			continue;
		}
		if (text[index + 1] === '$') {
			result += '$';
			index++;
			continue;
		}
		const close = text.indexOf(')', index + 2);
		if (text[index + 1] !== '(' || close === -1 || close === index + 2)
			throw new ConfSyntaxError('a $ in a string must start $(name) or be written $$');
		const name = text.slice(index + 2, close);
		const bound = scopes
			.map((_, depth) => [...scopes.slice(0, scopes.length - depth), name].join('.'))
			.concat(name)
			.map(key => conf.values.get(key))
			.find(value => typeof value === 'string' || typeof value === 'number');
		const value = bound === undefined ? environment[name] : String(bound);
		if (value === undefined) missing ??= name;
		fromEnvironment ||= bound === undefined;
		references.push(`$(${name})`);
		result += value ?? '';
		index = close;
	}
	const sole = references.length === 1 && fromEnvironment && text === references[0];
	return {text: result, missing, borrowing: {references, sole}};
}
