// The one way outside text reaches a terminal. Names, server answers, messages and pasted input may hold control
// characters that recolour, hide text, retitle the window, write the clipboard (OSC 52) or start a forged line;
// here every such character is shown as an escape (\x1b, \n, \u202e) instead of being emitted.

/**
 * C0 controls (line breaks and tabs included), DEL, C1 controls, the bidirectional overrides and isolates (and the
 * marks that steer them), and the Unicode line and paragraph separators.
 */
const unsafe = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const named: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'};

function visible(character: string): string {
	const code = character.codePointAt(0)!;
	return (
		named[character] ??
		(code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
	);
}

/** One line of text, safe to print: it cannot carry a line break or any terminal control onto the screen. */
export function terminalLine(text: string): string {
	return text.replace(unsafe, visible);
}

/** Multi-line text pgrst-doctor composed itself (SQL, steps): its own line breaks kept, each line made safe. */
export function terminalBlock(text: string): string {
	return text.split('\n').map(terminalLine).join('\n');
}

/**
 * A copy of a document (a report) in which every string is safe to print: strings under a key in `blockKeys` keep
 * their line breaks (our own multi-line text), all others become single lines. Renderers read this copy, so a
 * field added later is covered without anyone remembering to.
 */
export function terminalValues<T>(value: T, blockKeys: ReadonlySet<string> = new Set()): T {
	const copy = (item: unknown, key?: string): unknown => {
		if (typeof item === 'string')
			return key !== undefined && blockKeys.has(key) ? terminalBlock(item) : terminalLine(item);
		if (Array.isArray(item)) return item.map(element => copy(element, key));
		if (item && typeof item === 'object')
			return Object.fromEntries(Object.entries(item).map(([name, element]) => [name, copy(element, name)]));
		return item;
	};
	return copy(value) as T;
}

/** Characters JSON.stringify leaves raw that a terminal still acts on: DEL, C1 controls, bidi and line separators. */
const rawInJson = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A JSON document that is safe to print as well as to parse: JSON.stringify escapes C0 controls itself, and the rest
 * of the unsafe characters become \uXXXX escapes, which every JSON reader turns back into the same string.
 */
export function jsonDocument(value: unknown): string {
	const text = `${JSON.stringify(value, null, 2)}\n`;
	// A large document (200,000 findings) is copied only when it holds a character to escape.
	if (!rawInJsonOnce.test(text)) return text;
	return text.replace(rawInJson, character => `\\u${character.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** rawInJson without the global flag, whose `test` keeps no position between calls. */
const rawInJsonOnce = new RegExp(rawInJson.source);
