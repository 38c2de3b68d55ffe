// --ignore, --ignore-file and the library's `ignore`, parsed at the edge into finding keys: each starts with a finding
// code, is printable, bounded and said once. A refused key is never repeated: what was typed or listed may be a paste
// of a secret (an .env given as --ignore-file), so the usage error names only where it stands and why it was refused.
import {closeSync, openSync, readSync} from 'node:fs';
import {findingCodes} from './findings.js';
import {UsageError} from './usageError.js';

/** Longer than any key pgrst-doctor makes from PostgreSQL's 63-byte names, percent-encoded. */
export const maxKeyLength = 1024;

/** An allow-list is a few accepted findings; ten thousand keys is a file that is not one. */
export const maxKeys = 10_000;

/** A key pgrst-doctor makes is printable ASCII without spaces (see findingKey); anything else is a typo or a paste. */
const printableKey = /^[\u0021-\u007E]+$/;

/**
 * What a secret looks like, so that a pasted one is refused even after a finding code: a URL with a password
 * (user:password@), a JWT (its header is base64url JSON, eyJ…), a Supabase secret key. Keys percent-encode their
 * names, so a key pgrst-doctor made never has a raw `://`.
 */
const secretShapes = [/:\/\/[^/?#@]*:[^/?#@]*@/, /eyJ[\w-]{8,}/, /sb_secret_/];

/** Where one key was given, for the usage error: `line 3 of --ignore-file keys.txt`, `the 2nd --ignore value`. */
type Placed = {key: string; where: string};

/** The keys of --ignore (repeatable, or a comma list) and of --ignore-file (one a line, # comments, blank lines). */
export function ignoreKeys(values: readonly string[], file: string | undefined): string[] {
	const given = values
		.flatMap(value => value.split(','))
		.map(value => value.trim())
		.filter(Boolean);
	const placed = given.map((key, index) => ({key, where: `the ${ordinal(index + 1)} --ignore value`}));
	const listed = file === undefined ? [] : linesOf(file);
	return checkedKeys([...placed, ...listed], '--ignore and --ignore-file give');
}

/** The library's `ignore`: an array of strings, trimmed and checked as the CLI checks its flags. */
export function libraryIgnoreKeys(ignore: unknown): string[] {
	if (ignore === undefined) return [];
	if (!Array.isArray(ignore) || !(ignore as unknown[]).every(key => typeof key === 'string')) {
		throw new UsageError('ignore must be an array of finding keys (strings), as the report\'s "key" gives them.');
	}
	const placed = (ignore as string[]).map((key, index) => ({key: key.trim(), where: `ignore[${index}]`}));
	return checkedKeys(
		placed.filter(({key}) => key !== ''),
		'ignore has'
	);
}

/** Each key checked, each once; above maxKeys the list is refused before any key is looked at. */
function checkedKeys(placed: readonly Placed[], counted: string): string[] {
	const distinct = new Set(placed.map(({key}) => key)).size;
	if (distinct > maxKeys) {
		const [count, limit] = [distinct, maxKeys].map(number => number.toLocaleString('en-US'));
		throw new UsageError(`${counted} ${count} finding keys, more than the ${limit} an allow-list may hold.`);
	}
	const keys = new Set<string>();
	for (const {key, where} of placed) keys.add(checkedKey(key, where));
	return [...keys];
}

function linesOf(file: string): Placed[] {
	let text: string;
	try {
		text = readBounded(file);
	} catch (error) {
		if (error instanceof UsageError) throw error;
		const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
		throw new UsageError(
			`--ignore-file ${file} could not be read (${code}): give a file of finding keys, one a line.`
		);
	}
	const placed = text.split(/\r?\n/).map((line, index) => ({
		key: line.replace(/#.*$/, '').trim(),
		where: `line ${index + 1} of --ignore-file ${file}`,
	}));
	return placed.filter(({key}) => key !== '');
}

/** The key, or a usage error that says where it stands and why, never the key itself. */
function checkedKey(key: string, where: string): string {
	const problem = keyProblem(key);
	if (problem === undefined) return key;
	throw new UsageError(`${where} is not a finding key: ${problem}; copy keys from the report's "key".`);
}

const secretLike = 'it looks like a secret (a password in a URL, a JWT or a secret key)';

/** Why a key cannot be one pgrst-doctor made, in a few words, or undefined for a key that can. */
export function keyProblem(key: string): string | undefined {
	if (key.length > maxKeyLength) return `it is longer than ${maxKeyLength} characters`;
	if (!printableKey.test(key)) return 'it has a space or a character that is not printable ASCII';
	if (!startsWithCode(key)) return 'it does not start with a finding code (see `pgrst-doctor codes`)';
	if (secretShapes.some(shape => shape.test(key))) return secretLike;
	return undefined;
}

const codes = Object.keys(findingCodes);

/** A code, then the end, : or @: `trigger.missing`, `cache.column_missing:public.t.c`, `listener.missing@…`. */
function startsWithCode(key: string): boolean {
	return codes.some(code => key === code || key.startsWith(`${code}:`) || key.startsWith(`${code}@`));
}

/** 1st, 2nd, 3rd, 4th, …, 11th, 12th, 13th, 21st. */
function ordinal(count: number): string {
	const teen = count % 100 >= 11 && count % 100 <= 13;
	const suffix = teen ? 'th' : (({1: 'st', 2: 'nd', 3: 'rd'} as Record<number, string>)[count % 10] ?? 'th');
	return `${count}${suffix}`;
}

/** More than an allow-list of maxKeys keys of maxKeyLength characters with comments needs: a wrong file, not read on. */
const maxFileBytes = 16 * 1024 * 1024;

/** The file's text, read in chunks and given up past maxFileBytes (a huge file or /dev/zero is never read whole). */
function readBounded(file: string): string {
	const descriptor = openSync(file, 'r');
	try {
		const chunks: Buffer[] = [];
		const buffer = Buffer.alloc(64 * 1024);
		let total = 0;
		for (let read = readSync(descriptor, buffer); read > 0; read = readSync(descriptor, buffer)) {
			total += read;
			if (total > maxFileBytes) {
				throw new UsageError(
					`--ignore-file ${file} is larger than ${maxFileBytes / 1024 / 1024} MiB: give a file of finding keys, one a line.`
				);
			}
			chunks.push(Buffer.from(buffer.subarray(0, read)));
		}
		return Buffer.concat(chunks).toString('utf8');
	} finally {
		closeSync(descriptor);
	}
}
