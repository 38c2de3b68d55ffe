// Reads the command line before meow does, so that every mistake becomes one sentence naming the problem and what
// is accepted (meow would throw a stack trace for a bad choice or a repeated flag, and print two lines and exit for
// an unknown flag). It never repeats a value that could be a secret: only values that read as plain words.
import {closestName} from './explain/closestName.js';

export type FlagSpec = {type: 'string' | 'number' | 'boolean'; isMultiple?: boolean; choices?: readonly string[]};

/** Flags meow answers by itself. */
const builtIn = ['help', 'version'];

const kebab = (key: string) => key.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);
const isNegativeNumber = (token: string) => /^-(?:\d+|\d*\.\d+)(?:e[+-]?\d+)?$/i.test(token);
/** A value safe to repeat in a message: a short plain word. */
const quotable = (value: string) => /^[\w.-]{1,40}$/.test(value);

/** The first thing wrong with the command line, as one sentence, or undefined when meow can take it. */
export function argumentProblem(argv: string[], specs: Record<string, FlagSpec>): string | undefined {
	const byName = new Map(Object.entries(specs).map(([key, spec]) => [kebab(key), spec]));
	const names = [...byName.keys(), ...builtIn];
	const list = names.map(name => `--${name}`).join(', ');
	const seen = new Set<string>();
	for (let index = 0; index < argv.length; index++) {
		const token = argv[index]!;
		if (token === '--') return undefined;
		if (!token.startsWith('-') || token === '-' || isNegativeNumber(token)) continue;
		if (!token.startsWith('--')) return `Unknown flag ${quotable(token) ? token : 'with a single dash'}; the flags are ${list}.`;
		const [written = '', ...valueParts] = token.slice(2).split('=');
		const inline = valueParts.length > 0 ? valueParts.join('=') : undefined;
		const negated = written.startsWith('no-') && byName.get(written.slice(3))?.type === 'boolean';
		const name = negated ? written.slice(3) : written;
		const spec = byName.get(name);
		if (!spec && !builtIn.includes(name)) {
			const typo = closestName(name, names);
			const what = quotable(written) ? `Unknown flag --${written}` : 'Unknown flag';
			return typo ? `${what}: did you mean --${typo}?` : `${what}; the flags are ${list}.`;
		}
		if (seen.has(name) && !spec?.isMultiple) return `--${name} was given more than once; give it once.`;
		seen.add(name);
		if (!spec || spec.type === 'boolean') {
			if (inline !== undefined && inline !== 'true' && inline !== 'false') return `--${name} takes no value (or =true, =false).`;
			continue;
		}
		let value = inline;
		if (value === undefined) {
			const next = argv[index + 1];
			// What yargs would read as another flag is not this flag's value.
			if (next !== undefined && !(next.startsWith('-') && next !== '-' && !isNegativeNumber(next))) {
				value = next;
				index++;
			}
		}
		if (!value) return `--${name} needs a value${spec.choices ? `: one of ${spec.choices.join(', ')}` : ''}.`;
		if (spec.choices && !spec.choices.includes(value)) {
			return `--${name} ${quotable(value) ? `does not accept "${value}"` : 'got a value it does not accept'}; accepted: ${spec.choices.join(', ')}.`;
		}
	}
	return undefined;
}

/** Whether the command line asks for help or the version (meow answers these itself only when given alone). */
export function asksFor(flag: 'help' | 'version', argv: string[]): boolean {
	const end = argv.indexOf('--');
	return (end < 0 ? argv : argv.slice(0, end)).includes(`--${flag}`);
}
