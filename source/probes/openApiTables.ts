// Reads only what the doctor needs from an OpenAPI description: each definition's name and property names.
// JSON.parse of a description of thousands of relations builds millions of objects the doctor would throw away
// (paths, parameters, formats, descriptions) and needs the whole body decoded to one string first. This reader
// walks the bytes once, skips what it does not keep, and decodes only the names it keeps, so only the relations
// of the schemas asked for stay in memory. The whole body must still be one JSON object whose brackets and
// strings close: a truncated or malformed body gives undefined, never half a list.

/** The relations of one OpenAPI description and their column names. */
export type OpenApiTables = {version?: string; description?: string; tables: Array<{name: string; columns: string[]}>};

/** Reads a description as it arrives, chunk by chunk; end() gives what it kept, or undefined for a malformed body. */
export type OpenApiReader = {write(chunk: Buffer): void; end(): OpenApiTables | undefined};

class Malformed extends Error {}

/** withTables false reads only info, to tell PostgREST apart, when the relations are not wanted. */
export function openApiTables(body: Buffer, withTables = true): OpenApiTables | undefined {
	const reader = openApiReader(withTables);
	reader.write(body);
	return reader.end();
}

/**
 * The same reading over a body that arrives in chunks: nothing but the kept names outlives its chunk, so a description
 * of thousands of relations is never held whole (at 4,000 tables it is 26 MB, held once as chunks and once joined).
 */
export function openApiReader(withTables = true): OpenApiReader {
	const scanner = new Scanner(withTables);
	let failed = false;
	const guarded = (step: () => void) => {
		if (failed) return;
		try {
			step();
		} catch (error) {
			if (!(error instanceof Malformed)) throw error;
			failed = true;
		}
	};
	return {
		write(chunk) {
			guarded(() => scanner.write(chunk));
		},
		end() {
			let result: OpenApiTables | undefined;
			guarded(() => (result = scanner.end()));
			return failed ? undefined : result;
		},
	};
}

const quote = 0x22;
const backslash = 0x5c;
const literal = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;

/** An open object or array: what it expects next, and (objects) the key of the value being read. */
type Frame = {object: boolean; expect: 'key' | 'colon' | 'value' | 'comma'; empty: boolean; key?: string};

/**
 * A JSON scanner that keeps only the paths the doctor reads: swagger, info.version, info.description,
 * definitions.<name> and definitions.<name>.properties.<column>. Every other string is passed over undecoded, but the
 * whole body is still checked: brackets, strings, escapes and literals.
 */
class Scanner {
	private readonly stack: Frame[] = [];
	private readonly result: OpenApiTables = {tables: []};
	private swagger = false;
	private done = false;
	private started = false;
	/** Inside a string: its bytes when kept (null when passed over), whether it had an escape, and the escape state. */
	private text: number[] | null | undefined;
	private escaped = false;
	/** 0: none; 1: after a backslash; 2-5: that many hex digits of a \u escape still to come. */
	private escape = 0;
	private stringIsKey = false;
	private literal = '';
	/**
	 * Inside an object or array nothing in which is kept (paths, parameters, a column's definition): the closers of the
	 * brackets open in it, passed over as fast as the bytes go, checking only that brackets and strings close.
	 */
	private skipping: number[] | undefined;
	private skippingString = false;

	constructor(private readonly withTables: boolean) {}

	write(chunk: Buffer): void {
		const length = chunk.length;
		for (let at = 0; at < length; at++) {
			if (this.skipping) {
				at = this.skip(chunk, at);
				continue;
			}
			if (this.text === null && this.escape === 0) {
				// Most of a description is strings passed over: on to the closing quote, or to a backslash before it.
				while (at < length && chunk[at] !== quote && chunk[at] !== backslash) at++;
				if (at === length) return;
			}
			const byte = chunk[at]!;
			if (this.text !== undefined) {
				this.inString(byte);
				continue;
			}
			if (this.literal) {
				if (isLiteralByte(byte)) {
					this.literal += String.fromCharCode(byte);
					continue;
				}
				this.endLiteral();
			}
			if (isSpace(byte)) continue;
			this.token(byte);
		}
	}

	end(): OpenApiTables | undefined {
		if (this.literal) this.endLiteral();
		if (!this.done || this.text !== undefined) throw new Malformed();
		return this.swagger ? this.result : undefined;
	}

	private token(byte: number): void {
		if (this.done) throw new Malformed();
		const frame = this.stack.at(-1);
		if (!this.started) {
			if (byte !== 0x7b) throw new Malformed();
			this.started = true;
			this.stack.push({object: true, expect: 'key', empty: true});
			return;
		}
		if (!frame) throw new Malformed();
		if (frame.expect === 'key') {
			if (byte === 0x7d && frame.empty) return this.close();
			if (byte !== quote) throw new Malformed();
			return this.startString(true);
		}
		if (frame.expect === 'colon') {
			if (byte !== 0x3a) throw new Malformed();
			frame.expect = 'value';
			return;
		}
		if (frame.expect === 'comma') {
			if (byte === 0x2c) {
				frame.expect = frame.object ? 'key' : 'value';
				return;
			}
			if (byte === (frame.object ? 0x7d : 0x5d)) return this.close();
			throw new Malformed();
		}
		// A value.
		if (!frame.object && byte === 0x5d && frame.empty) return this.close();
		frame.empty = false;
		if (byte === quote) return this.startString(false);
		if (byte === 0x7b || byte === 0x5b) {
			frame.expect = 'comma';
			if (this.looksInside(frame))
				this.stack.push({object: byte === 0x7b, expect: byte === 0x7b ? 'key' : 'value', empty: true});
			else this.skipping = [byte + 2];
			return;
		}
		if (!isLiteralByte(byte)) throw new Malformed();
		this.literal = String.fromCharCode(byte);
	}

	/** Passes over bytes of a skipped container from `at`; the index of the last byte it took. */
	private skip(chunk: Buffer, at: number): number {
		const closers = this.skipping!;
		for (; at < chunk.length; at++) {
			const byte = chunk[at]!;
			if (this.skippingString) {
				if (this.escape > 0) this.escaping(byte);
				else if (byte === backslash) this.escape = 1;
				else if (byte === quote) this.skippingString = false;
			} else if (byte === quote) {
				this.skippingString = true;
			} else if (byte === 0x7b || byte === 0x5b) {
				closers.push(byte + 2);
			} else if (byte === 0x7d || byte === 0x5d) {
				if (closers.pop() !== byte) throw new Malformed();
				if (closers.length === 0) {
					this.skipping = undefined;
					return at;
				}
			}
		}
		return at;
	}

	/** Whether anything kept can be inside the object or array starting as the value of this frame's key. */
	private looksInside(frame: Frame): boolean {
		const depth = this.stack.length;
		const top = this.stack[0]!.key;
		if (depth === 1) return frame.key === 'info' || (frame.key === 'definitions' && this.withTables);
		if (top !== 'definitions' || !frame.object) return false;
		return depth === 2 || (depth === 3 && frame.key === 'properties');
	}

	private close(): void {
		this.stack.pop();
		if (this.stack.length === 0) this.done = true;
		else this.stack.at(-1)!.expect = 'comma';
	}

	private endLiteral(): void {
		if (!literal.test(this.literal)) throw new Malformed();
		this.literal = '';
		this.stack.at(-1)!.expect = 'comma';
	}

	private startString(isKey: boolean): void {
		this.stringIsKey = isKey;
		this.escaped = false;
		this.escape = 0;
		this.text = this.keeps(isKey) ? [] : null;
	}

	/** Whether the string starting now is one of the names or values kept. */
	private keeps(isKey: boolean): boolean {
		const depth = this.stack.length;
		if (depth > 4) return false;
		if (depth === 1) return isKey;
		const top = this.stack[0]!.key;
		if (top === 'info')
			return depth === 2 && (isKey || this.stack[1]!.key === 'version' || this.stack[1]!.key === 'description');
		if (top !== 'definitions' || !isKey || !this.withTables || !this.stack[1]!.object) return false;
		return depth < 4 || this.stack[2]!.key === 'properties';
	}

	/** One byte of an escape: after the backslash, one of "\/bfnrt or u and four hex digits. */
	private escaping(byte: number): void {
		if (this.escape === 1) {
			if (byte === 0x75) this.escape = 5;
			else if (!'"\\/bfnrt'.includes(String.fromCharCode(byte))) throw new Malformed();
			else this.escape = 0;
		} else {
			if (!/[0-9a-fA-F]/.test(String.fromCharCode(byte))) throw new Malformed();
			this.escape--;
			if (this.escape === 1) this.escape = 0;
		}
	}

	private inString(byte: number): void {
		if (this.escape > 0) {
			this.escaping(byte);
		} else if (byte === backslash) {
			this.escape = 1;
			this.escaped = true;
		} else if (byte === quote) {
			return this.endString();
		} else if (byte < 0x20 && this.text) {
			throw new Malformed();
		}
		this.text?.push(byte);
	}

	private endString(): void {
		const bytes = this.text;
		this.text = undefined;
		const frame = this.stack.at(-1)!;
		const value = bytes ? this.decode(bytes) : undefined;
		if (!this.stringIsKey) {
			frame.expect = 'comma';
			if (value !== undefined) this.result[this.stack[1]!.key as 'version' | 'description'] = value;
			return;
		}
		frame.key = value;
		frame.expect = 'colon';
		if (value === undefined) return;
		const depth = this.stack.length;
		if (depth === 1 && value === 'swagger') this.swagger = true;
		else if (depth === 2 && this.stack[0]!.key === 'definitions')
			this.result.tables.push({name: value, columns: []});
		else if (depth === 4) this.result.tables.at(-1)?.columns.push(value);
	}

	private decode(bytes: number[]): string {
		const raw = Buffer.from(bytes);
		if (!this.escaped) return raw.toString('utf8');
		try {
			return JSON.parse(`"${raw.toString('utf8')}"`) as string;
		} catch {
			throw new Malformed();
		}
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
