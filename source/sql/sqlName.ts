// A schema or role name as a value: checked once where it enters (--function-schema, --role for the reload function),
// then only ever written into SQL through quoteIdentifier or as a literal.
import {UsageError} from '../usageError.js';
import {controlCharacter} from './quoteIdentifier.js';

export type SqlName = string & {readonly brand: 'SqlName'};

/** PostgreSQL's NAMEDATALEN - 1: a longer name would be truncated to another one. */
const maxNameBytes = 63;

export function parseSqlName(text: string, what: string): SqlName {
	const bytes = Buffer.byteLength(text, 'utf8');
	if (bytes === 0) throw new UsageError(`${what} must not be empty.`);
	if (/[\uD800-\uDFFF\uFFFD]/u.test(text)) throw new UsageError(`${what} must be valid UTF-8 text.`);
	// A control character would survive only as a U&"…" escape, which not every context it is written into reads.
	if (controlCharacter.test(text)) throw new UsageError(`${what} must not contain control characters.`);
	if (bytes > maxNameBytes)
		throw new UsageError(`${what} is ${bytes} bytes long; PostgreSQL names are 1 to ${maxNameBytes} bytes.`);
	return text as SqlName;
}
