// `pgrst-doctor codes`: the public vocabulary with cause and cure, for people and for scripts.
import {codesText} from '../report/codesText.js';
import type {Output} from '../report/output.js';

export function codesCommand(json: boolean, output: Output): number {
	output.write(codesText(json));
	return 0;
}
