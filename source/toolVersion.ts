import {readFileSync} from 'node:fs';

// source/ and dist/ both sit one level below package.json.
export const toolVersion: string = (
	JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string}
).version;
