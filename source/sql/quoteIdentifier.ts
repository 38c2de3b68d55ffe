import {reservedKeywords} from './keywords.js';

/** C0 and C1 control characters and DEL: never emitted raw into SQL or a terminal. */
export const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

const unicodeEscape = (character: string) =>
	`\\${character.codePointAt(0)!.toString(16).padStart(4, '0').toUpperCase()}`;

/**
 * An identifier as SQL needs it: bare when PostgreSQL would neither fold nor misread it (lower case, not a keyword
 * that cannot stand bare), else double-quoted; control characters are written as U&"…\000A…" escapes so the text
 * holds no line break or terminal control of its own.
 */
export function quoteIdentifier(name: string): string {
	if (/^[a-z_][a-z0-9_$]*$/.test(name) && !reservedKeywords.has(name)) return name;
	const quoted = name.replaceAll('"', '""');
	if (!controlCharacter.test(name)) return `"${quoted}"`;
	return `U&"${quoted.replaceAll('\\', '\\\\').replace(new RegExp(controlCharacter.source, 'g'), unicodeEscape)}"`;
}
