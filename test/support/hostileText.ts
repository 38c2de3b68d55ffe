// Text an attacker controls (object names, a LISTEN channel, a server's answers, pasted errors) carrying the terminal
// controls of issue 9 case 5, and the one assertion every rendering of it must pass.
import assert from 'node:assert/strict';

export const csi = '\u001B[31m';
export const osc0 = '\u001B]0;pwned\u0007';
export const osc52 = '\u001B]52;c;cHduZWQ=\u0007';
export const bel = '\u0007';
/** A line break followed by a line that looks like a passing check; `forged` marks it. */
export const forgedPass = '\r\n✔ PASS  forged';

/** Our own colour codes (plainReport's painter), the only escape sequences allowed when colour is on. */
const ownColours = /\u001B\[(?:1|22|31|32|33|39|90)m/g;

/**
 * Asserts that text rendered for a terminal holds no escape, BEL, CR, C1 control or bidi override that came from
 * outside, and that no line starts as a forged "✔ PASS".
 */
export function assertTerminalSafe(text: string, where: string, {colour = false} = {}): void {
	const plain = colour ? text.replaceAll(ownColours, '') : text;
	const at = plain.indexOf('\u001B');
	assert.ok(
		at === -1,
		`${where}: an escape character reached the terminal:\n${JSON.stringify(plain.slice(Math.max(0, at - 80), at + 40))}`
	);
	for (const [name, character] of [
		['BEL', '\u0007'],
		['CR', '\r'],
		['C1 CSI', '\u009B'],
		['C1 OSC', '\u009D'],
		['RLO', '\u202E'],
	] as const) {
		assert.ok(!plain.includes(character), `${where}: a raw ${name} reached the terminal`);
	}
	const forged = plain.split('\n').filter(line => /^\s*✔ PASS\s+forged/.test(line));
	assert.deepEqual(forged, [], `${where}: a forged PASS line`);
}
