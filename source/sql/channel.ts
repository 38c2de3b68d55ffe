// A NOTIFY/LISTEN channel as a value: checked once where it enters (--channel), then rendered by one function
// per SQL context, so no spelling of it can end a comment, a literal or a dollar-quoted body.
import {UsageError} from '../usageError.js';
import {quoteIdentifier} from './quoteIdentifier.js';
import {quoteLiteral} from './quoteLiteral.js';

export type Channel = string & {readonly brand: 'Channel'};

/** PostgreSQL's NAMEDATALEN - 1: pg_notify refuses longer channel names, and NOTIFY truncates them. */
export const maxChannelBytes = 63;

export function parseChannel(text: string): Channel {
	const bytes = Buffer.byteLength(text, 'utf8');
	if (bytes === 0) throw new UsageError("--channel must not be empty; PostgREST's default is pgrst.");
	// Node turns bytes that are not UTF-8 into U+FFFD and may leave lone surrogates; neither is a name PostgreSQL stores.
	if (/[\uD800-\uDFFF\uFFFD]/u.test(text)) throw new UsageError('--channel must be valid UTF-8 text.');
	if (text.includes('\u0000')) throw new UsageError('--channel must not contain a NUL character.');
	if (bytes > maxChannelBytes)
		throw new UsageError(
			`--channel is ${bytes} bytes long; PostgreSQL channel names are 1 to ${maxChannelBytes} bytes.`
		);
	return text as Channel;
}

/** For NOTIFY and LISTEN. */
export function channelIdentifier(channel: Channel): string {
	return quoteIdentifier(channel);
}

/** For pg_notify() and comparisons with pg_listening_channels(). */
export function channelLiteral(channel: Channel): string {
	return quoteLiteral(channel);
}
