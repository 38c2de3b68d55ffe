// Reads the command line before meow does, so that every mistake becomes one sentence naming the problem and what
// is accepted (meow would throw a stack trace for a bad choice or a repeated flag, and print two lines and exit for
// an unknown flag). It never repeats a value that could be a secret: only values that read as plain words.
import {closestName} from './explain/closestName.js';

export type FlagSpec = {type: 'string' | 'number' | 'boolean'; isMultiple?: boolean; choices?: readonly string[]};

/** Flags answered before anything else runs. */
const builtIn = ['help', 'version'];

const kebab = (key: string) => key.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);
const isNegativeNumber = (token: string) => /^-(?:\d+|\d*\.\d+)(?:e[+-]?\d+)?$/i.test(token);
/** A value safe to repeat in a message: a short plain word. */
const quotable = (value: string) => /^[\w.-]{1,40}$/.test(value);

/** The command line as read before meow: its words (command and arguments), the flags given, the first problem. */
export type ArgumentScan = {words: string[]; given: string[]; problem?: string};

/** The first thing wrong with the command line, as one sentence, or undefined when meow can take it. */
export function argumentProblem(argv: string[], specs: Record<string, FlagSpec>): string | undefined {
	return scanArguments(argv, specs).problem;
}

/**
 * Reads the whole line even past a problem, so that the command is known for its --help and its hint: a word is
 * what is neither a flag nor a flag's value; after `--` everything is a word.
 */
export function scanArguments(argv: string[], specs: Record<string, FlagSpec>): ArgumentScan {
	const byName = new Map(Object.entries(specs).map(([key, spec]) => [kebab(key), spec]));
	const names = [...byName.keys(), ...builtIn];
	const list = names.map(name => `--${name}`).join(', ');
	const scan: ArgumentScan = {words: [], given: []};
	const report = (problem: string) => (scan.problem ??= problem);
	for (let index = 0; index < argv.length; index++) {
		const token = argv[index]!;
		if (token === '--') {
			scan.words.push(...argv.slice(index + 1));
			break;
		}
		if (!token.startsWith('-') || token === '-' || isNegativeNumber(token)) {
			scan.words.push(token);
			continue;
		}
		if (token === '-h') {
			scan.given.push('help');
			continue;
		}
		if (!token.startsWith('--')) {
			report(`Unknown flag ${quotable(token) ? token : 'with a single dash'}; the flags are ${list}.`);
			continue;
		}
		const [written = '', ...valueParts] = token.slice(2).split('=');
		const inline = valueParts.length > 0 ? valueParts.join('=') : undefined;
		const negated = written.startsWith('no-') && byName.get(written.slice(3))?.type === 'boolean';
		const name = negated ? written.slice(3) : written;
		const spec = byName.get(name);
		if (!spec && !builtIn.includes(name)) {
			const typo = closestName(name, names);
			const what = quotable(written) ? `Unknown flag --${written}` : 'Unknown flag';
			report(typo ? `${what}: did you mean --${typo}?` : `${what}; the flags are ${list}.`);
			// `--apiurl x` is a misspelt flag and its value, not a flag followed by the word x.
			const meant = typo && byName.get(typo);
			if (
				meant &&
				meant.type !== 'boolean' &&
				inline === undefined &&
				argv[index + 1] !== undefined &&
				!argv[index + 1]!.startsWith('-')
			)
				index++;
			continue;
		}
		if (scan.given.includes(name) && !spec?.isMultiple) report(`--${name} was given more than once; give it once.`);
		scan.given.push(name);
		if (!spec || spec.type === 'boolean') {
			if (inline !== undefined && inline !== 'true' && inline !== 'false')
				report(`--${name} takes no value (or =true, =false).`);
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
		if (!value) {
			report(`--${name} needs a value${spec.choices ? `: one of ${spec.choices.join(', ')}` : ''}.`);
		} else if (spec.choices && !spec.choices.includes(value)) {
			report(choiceProblem(name, value, spec.choices));
		}
	}
	return scan;
}

function choiceProblem(name: string, value: string, choices: readonly string[]): string {
	const what = `--${name} ${quotable(value) ? `does not accept "${value}"` : 'got a value it does not accept'}`;
	const typo = closestName(value, [...choices]);
	return typo ? `${what}: did you mean ${typo}?` : `${what}; accepted: ${choices.join(', ')}.`;
}

/** Whether the command line asks for help (--help or -h) or the version, anywhere before `--`. */
export function asksFor(flag: 'help' | 'version', argv: string[]): boolean {
	const end = argv.indexOf('--');
	const before = end < 0 ? argv : argv.slice(0, end);
	return before.includes(`--${flag}`) || (flag === 'help' && before.includes('-h'));
}
