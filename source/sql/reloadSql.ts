import {type Channel, channelIdentifier} from './channel.js';

/** The statement that makes a listening PostgREST reload its schema cache. */
export function reloadSql(channel: Channel): string {
	return `NOTIFY ${channelIdentifier(channel)}, 'reload schema';`;
}
