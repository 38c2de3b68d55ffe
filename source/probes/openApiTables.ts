// Reads only what the doctor needs from an OpenAPI description: each definition's name and property names.
// JSON.parse of a description of thousands of relations builds millions of objects the doctor would throw away
// (paths, parameters, formats, descriptions) and needs the whole body decoded to one string first. This reader
// walks the bytes once, skips what it does not keep, and decodes only the names it keeps, so only the relations
// of the schemas asked for stay in memory. The whole body must still be one JSON object whose brackets and
// strings close: a truncated or malformed body gives undefined, never half a list.

/** The relations of one OpenAPI description and their column names. */
export type OpenApiTables = {version?: string; description?: string; tables: Array<{name: string; columns: string[]}>};

class Malformed extends Error {}

/** withTables false reads only info, to tell PostgREST apart, when the relations are not wanted. */
export function openApiTables(body: Buffer, withTables = true): OpenApiTables | undefined {
	try {
		return new Reader(body, withTables).document();
	} catch (error) {
		if (error instanceof Malformed) return undefined;
		throw error;
	}
}

const quote = 0x22;
const backslash = 0x5c;
const literal = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;

class Reader {
	private at = 0;

	constructor(
		private readonly bytes: Buffer,
		private readonly withTables: boolean
	) {}

	document(): OpenApiTables | undefined {
		const result: OpenApiTables = {tables: []};
		let swagger = false;
		this.object(key => {
			if (key === 'swagger') {
				swagger = true;
				this.skip();
			} else if (key === 'info' && this.peek() === '{') {
				this.object(field => {
					if ((field === 'version' || field === 'description') && this.peek() === '"')
						result[field] = this.string();
					else this.skip();
				});
			} else if (key === 'definitions' && this.withTables && this.peek() === '{') {
				this.object(name => result.tables.push({name, columns: this.properties()}));
			} else {
				this.skip();
			}
		});
		if (this.peek() !== undefined) throw new Malformed();
		return swagger ? result : undefined;
	}

	/** The keys of a definition's "properties" object. */
	private properties(): string[] {
		const columns: string[] = [];
		if (this.peek() !== '{') {
			this.skip();
			return columns;
		}
		this.object(key => {
			if (key === 'properties' && this.peek() === '{') {
				this.object(column => {
					columns.push(column);
					this.skip();
				});
			} else {
				this.skip();
			}
		});
		return columns;
	}

	/** Calls member(key) at each value; member consumes the value. */
	private object(member: (key: string) => void): void {
		this.expect('{');
		if (this.peek() === '}') {
			this.at++;
			return;
		}
		for (;;) {
			const key = this.string();
			this.expect(':');
			member(key);
			const next = this.peek();
			this.at++;
			if (next === '}') return;
			if (next !== ',') throw new Malformed();
		}
	}

	private string(): string {
		this.expect('"');
		const start = this.at;
		let escaped = false;
		for (;;) {
			const byte = this.bytes[this.at++];
			if (byte === undefined) throw new Malformed();
			if (byte === backslash) {
				escaped = true;
				this.at++;
			} else if (byte === quote) {
				break;
			}
		}
		if (!escaped) return this.bytes.toString('utf8', start, this.at - 1);
		const raw = this.bytes.toString('utf8', start - 1, this.at);
		try {
			return JSON.parse(raw) as string;
		} catch {
			throw new Malformed();
		}
	}

	/**
	 * Passes over a string as string() reads it, without decoding it: most of a description is strings the doctor
	 * drops (descriptions, formats, references), and decoding each was most of the reading time. One with an escape
	 * is read by string(), so an invalid escape is refused alike.
	 */
	private skipString(): void {
		const start = this.at;
		this.expect('"');
		for (;;) {
			const byte = this.bytes[this.at++];
			if (byte === undefined) throw new Malformed();
			if (byte === quote) return;
			if (byte === backslash) {
				this.at = start;
				this.string();
				return;
			}
		}
	}

	/** Passes over one value of any kind, checking that its brackets and strings close. */
	private skip(): void {
		const first = this.peek();
		if (first === '"') {
			this.skipString();
			return;
		}
		if (first === '{' || first === '[') {
			const closers: number[] = [];
			do {
				const byte = this.bytes[this.at];
				if (byte === undefined) throw new Malformed();
				if (byte === quote) {
					this.skipString();
					continue;
				}
				if (byte === 0x7b || byte === 0x5b) closers.push(byte + 2);
				else if ((byte === 0x7d || byte === 0x5d) && closers.pop() !== byte) throw new Malformed();
				this.at++;
			} while (closers.length > 0);
			return;
		}
		const start = this.at;
		while (this.at < this.bytes.length && isLiteralByte(this.bytes[this.at]!)) this.at++;
		if (!literal.test(this.bytes.toString('latin1', start, this.at))) throw new Malformed();
	}

	private expect(char: string): void {
		if (this.peek() !== char) throw new Malformed();
		this.at++;
	}

	/** The next character after white space, without consuming it. */
	private peek(): string | undefined {
		while (this.at < this.bytes.length && isSpace(this.bytes[this.at]!)) this.at++;
		const byte = this.bytes[this.at];
		return byte === undefined ? undefined : String.fromCharCode(byte);
	}
}

function isSpace(byte: number): boolean {
	return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** Letters, digits and . + - : the bytes of numbers, true, false and null. */
function isLiteralByte(byte: number): boolean {
	return (
		(byte >= 0x30 && byte <= 0x39) ||
		(byte >= 0x61 && byte <= 0x7a) ||
		(byte >= 0x41 && byte <= 0x5a) ||
		byte === 0x2e ||
		byte === 0x2b ||
		byte === 0x2d
	);
}
