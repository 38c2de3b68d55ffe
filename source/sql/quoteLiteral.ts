import {controlCharacter} from './quoteIdentifier.js';

/**
 * A string as a SQL literal: '…' with quotes doubled; with a backslash or a control character the E'…' form, whose
 * escapes mean the same whatever standard_conforming_strings says and keep control characters out of the text.
 */
export function quoteLiteral(text: string): string {
	const quoted = text.replaceAll("'", "''");
	if (!controlCharacter.test(text) && !text.includes('\\')) return `'${quoted}'`;
	const escaped = quoted
		.replaceAll('\\', '\\\\')
		.replace(
			new RegExp(controlCharacter.source, 'g'),
			character => `\\u${character.codePointAt(0)!.toString(16).padStart(4, '0')}`
		);
	return `E'${escaped}'`;
}
