// --ignore and --ignore-file, parsed at the edge into finding keys: printable, bounded, each said once. The usage
// failure that shows a rejected key shows its control characters as escapes (cli.tsx, terminalLine).
import {readFileSync} from 'node:fs';
import {UsageError} from './usageError.js';

/** Longer than any key pgrst-doctor makes from PostgreSQL's 63-byte names, percent-encoded. */
export const maxKeyLength = 1024;

/** A key pgrst-doctor makes is printable ASCII without spaces (see findingKey); anything else is a typo or a paste. */
const printableKey = /^[\u0021-\u007E]+$/;

/** The keys of --ignore (repeatable, or a comma list) and of --ignore-file (one a line, # comments, blank lines). */
export function ignoreKeys(values: readonly string[], file: string | undefined): string[] {
	const given = values.flatMap(value => value.split(',')).map(value => value.trim()).filter(Boolean);
	const listed = file === undefined ? [] : checkedKeys(linesOf(file), `--ignore-file ${file}`);
	return [...new Set([...checkedKeys(given, '--ignore'), ...listed])];
}

/** Each key checked (printable, bounded), each once; `from` names where they came from in the usage error. */
export function checkedKeys(keys: readonly string[], from: string): string[] {
	return [...new Set(keys.map(key => checkedKey(key, from)))];
}

function linesOf(file: string): string[] {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
		throw new UsageError(`--ignore-file ${file} could not be read (${code}): give a file of finding keys, one a line.`);
	}
	return text.split(/\r?\n/).map(line => line.replace(/#.*$/, '').trim()).filter(Boolean);
}

function checkedKey(key: string, from: string): string {
	if (key.length <= maxKeyLength && printableKey.test(key)) return key;
	const shown = key.length > 80 ? `${key.slice(0, 80)}…` : key;
	const rule = `printable ASCII without spaces, at most ${maxKeyLength} characters`;
	throw new UsageError(`${from}: ${shown} is not a finding key (${rule}; copy it from the report's "key").`);
}
