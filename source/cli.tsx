#!/usr/bin/env node
// The entry: parse flags, decide the mode, hand over. Colour is settled before anything that reads it loads.
import {setMaxListeners} from 'node:events';
import {asksFor, scanArguments} from './argumentProblem.js';
import {closestName} from './explain/closestName.js';
import type {FixRequest} from './library/diagnosis.js';
import type {ReloadFunctionOptions} from './fixes/reloadFunction.js';
import {ignoreKeys} from './ignoreKeys.js';
import {parseSqlName} from './sql/sqlName.js';
import {
	type CommandName,
	commandNames,
	commandTakes,
	commandsTaking,
	flags,
	helpText,
	kebab,
	type FlagName,
} from './help.js';
import {type Channel, parseChannel} from './sql/channel.js';
import {UsageError} from './usageError.js';
import {terminalBlock, terminalLine} from './terminalText.js';
import {toolVersion} from './toolVersion.js';
import {withHttpScheme} from './withHttpScheme.js';
import {capYoungGeneration} from './youngGeneration.js';

capYoungGeneration();

// A reader that goes away (`pgrst-doctor check | head -1`) ends the output, not the run with a stack trace.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

/** One line naming the problem, one line pointing at the help, exit 2: never a stack trace or the whole help. */
function usageFailure(message: string, command?: CommandName, notes: readonly string[] = []): void {
	const noted = notes.map(note => `  note: ${terminalLine(note)}\n`).join('');
	process.stderr.write(
		`${terminalLine(message)}\n${noted}Run pgrst-doctor${command ? ` ${command}` : ''} --help for usage.\n`
	);
	process.exitCode = 2;
}

/** A command, or no word at all: the bare `pgrst-doctor`. */
const isCommand = (word: string | undefined): word is CommandName | undefined =>
	word === undefined || (commandNames as readonly string[]).includes(word);

/** A word that is not a command, as one sentence with the nearest command; the word itself only when it is plain. */
function unknownCommand(word: string): string {
	const typo = closestName(word, [...commandNames]);
	const what = /^[\w-]{1,40}$/.test(word) ? `Unknown command "${word}"` : 'Unknown command';
	return typo ? `${what}: did you mean ${typo}?` : `${what}; the commands are ${commandNames.join(', ')}.`;
}

/**
 * The parsed command line, or undefined once a usage problem was reported or help or the version printed. Help and
 * the version come first, wherever they stand on the line and whatever else is on it: nothing has connected, read
 * the environment's URLs or written anything yet.
 */
async function readCommandLine(argv: string[]): Promise<CommandLine | undefined> {
	const scan = scanArguments(argv, flags);
	// `pgrst-doctor help check` reads as `pgrst-doctor check --help`.
	const helpWord = scan.words[0] === 'help';
	const [word] = helpWord ? scan.words.slice(1) : scan.words;
	if (helpWord || asksFor('help', argv)) {
		if (!isCommand(word)) return void usageFailure(unknownCommand(word));
		process.stdout.write(helpText(word));
		return undefined;
	}
	if (asksFor('version', argv)) {
		process.stdout.write(`${toolVersion}\n`);
		return undefined;
	}
	// A flag's problem first: after a mistyped flag, the next word may have been its value rather than a command.
	if (scan.problem) return void usageFailure(scan.problem, isCommand(word) ? word : undefined);
	if (!isCommand(word)) return void usageFailure(unknownCommand(word));
	const command = word;
	const stray = scan.given.map(camel).find(flag => flag in flags && !commandTakes(command, flag));
	if (stray) {
		const takers = commandsTaking(stray);
		const those = `${takers.join(', ')} ${takers.length > 1 ? 'do' : 'does'}`;
		return void usageFailure(
			`pgrst-doctor ${command ?? 'check'} does not take --${kebab(stray)} (${those}).`,
			command
		);
	}
	try {
		return {...(await parseCommandLine(argv)), command};
	} catch (error) {
		// meow's own checks, should one ever go beyond scanArguments': still one line.
		return void usageFailure(String((error as Error).message ?? error).split('\n')[0]!, command);
	}
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase()) as FlagName;

type CommandLine = Awaited<ReturnType<typeof parseCommandLine>> & {command: CommandName | undefined};

/** meow loads only once help and the version are out of the way: --help answers without it. */
async function parseCommandLine(argv: string[]) {
	const {default: meow} = await import('meow');
	return meow({argv, importMeta: import.meta, allowUnknownFlags: false, autoHelp: false, autoVersion: false, flags});
}

/** What was typed after --name or in --name=value, for a message about it. */
function typedValue(argv: string[], name: string): string | undefined {
	const at = argv.findIndex(argument => argument === `--${name}` || argument.startsWith(`--${name}=`));
	if (at === -1) return undefined;
	return argv[at]!.includes('=') ? argv[at]!.slice(argv[at]!.indexOf('=') + 1) : argv[at + 1];
}

async function main(cli: CommandLine): Promise<number> {
	const command = cli.command ?? 'check';
	const rest = cli.input.slice(1);
	const takesArgument = command === 'sql' || command === 'explain';
	if (rest.length > (takesArgument ? 1 : 0)) {
		const quote = command === 'explain' ? ' (quote the error text)' : '';
		const takes = takesArgument ? `one argument${quote}` : 'no arguments';
		throw new UsageError(`pgrst-doctor ${command} takes ${takes}; got ${rest.length}.`);
	}
	const {flags} = cli;
	const output = {write: (text: string) => process.stdout.write(text), color: wantsColor()};
	if (command === 'codes') {
		const {codesCommand} = await import('./commands/codes.js');
		return codesCommand(flags.json, output);
	}
	if (command === 'sql') {
		const [script] = rest;
		const {sqlCommand, sqlScripts} = await import('./commands/sql.js');
		if (!script || !Object.hasOwn(sqlScripts, script))
			throw new UsageError(`pgrst-doctor sql needs one of: ${Object.keys(sqlScripts).join(', ')}.`);
		// Our SQL keeps its lines; a control character in the channel is shown, not emitted.
		return sqlCommand(
			script as keyof typeof sqlScripts,
			{channel: parseChannel(flags.channel ?? 'pgrst'), reloadFunction: reloadFunctionFlags(flags)},
			{...output, write: text => output.write(terminalBlock(text))}
		);
	}
	const timeout = flags.timeout ?? (command === 'wait' ? 60 : 10);
	const typed = (flag: string) => typedValue(process.argv.slice(2), flag);
	// Below 0.1 s a timeout rounds towards 0, which pg and undici read as "no timeout"; above an hour it is a typo.
	// Checked before anything else is asked for, and shown as typed (meow reads "abc" as NaN).
	if (!(timeout >= 0.1 && timeout <= 3600))
		throw new UsageError(
			`--timeout must be a number of seconds from 0.1 to 3600 (got ${typed('timeout') ?? String(flags.timeout)}).`
		);
	const concurrency = flags.concurrency;
	if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64))
		throw new UsageError(
			`--concurrency must be a whole number from 1 to 64 (got ${typed('concurrency') ?? String(concurrency)}).`
		);
	if (command === 'explain' && rest[0] === undefined)
		throw new UsageError('pgrst-doctor explain needs the error text (quoted), or - to read it from stdin.');
	const fixes =
		command === 'explain'
			? 'reload|all'
			: 'reload|trigger|uninstall-trigger|reload-function|uninstall-reload-function|all';
	if (flags.yes && !flags.fix) throw new UsageError(`--yes applies a --fix; say which: --fix ${fixes}.`);
	// explain heals only a stale cache; the trigger is check's to install or remove.
	if (
		command === 'check' &&
		(flags.role?.length || flags.functionSchema) &&
		!flags.fix?.includes('reload-function')
	) {
		throw new UsageError(
			`--role and --function-schema are for --fix reload-function or uninstall-reload-function.`
		);
	}
	if (command === 'explain' && flags.fix && !['reload', 'all'].includes(flags.fix)) {
		throw new UsageError(
			`explain's --fix is reload or all; for the trigger run pgrst-doctor check --fix ${flags.fix}.`
		);
	}
	const ignore = command === 'check' ? ignoreKeys(flags.ignore ?? [], flags.ignoreFile) : [];
	// Given at all, even as an empty file or `--ignore ,`: the run is an unattended one, never the interactive doctor.
	const ignoreGiven = command === 'check' && ((flags.ignore?.length ?? 0) > 0 || flags.ignoreFile !== undefined);
	// Only now, with the command line known to be usable, are the environment and the files here read.
	const [{discoverSettings}, {databaseTarget, httpTarget}] = await Promise.all([
		import('./settings/discoverSettings.js'),
		import('./target.js'),
	]);
	// Several instances of one PostgREST (replicas): discovery reads the first, the rest are checked beside it.
	const apiUrls = (flags.apiUrl ?? [])
		.flatMap(value => value.split(','))
		.map(value => value.trim())
		.filter(Boolean);
	if (apiUrls.length > 1 && command !== 'check' && command !== 'wait')
		throw new UsageError(`pgrst-doctor ${command} takes one --api-url; check and wait take several.`);
	if (apiUrls.length > 1 && flags.adminUrl)
		throw new UsageError("--admin-url names one PostgREST's admin server; with several --api-url, leave it out.");
	const settings = discoverSettings({
		flags: {...flags, apiUrl: apiUrls[0]},
		environment: process.env,
		directory: process.cwd(),
	});
	const dbUrl = settings.dbUrl?.value;
	// Interactive only on a real terminal, outside CI, when nothing asked for machine output or unattended fixing.
	// An allow-list is for unattended runs: the report it shapes is the plain or JSON one.
	const interactive =
		command === 'check' &&
		!flags.json &&
		!flags.yes &&
		!flags.fix &&
		!flags.probe &&
		apiUrls.length < 2 &&
		!ignoreGiven &&
		Boolean(process.stdin.isTTY && process.stdout.isTTY) &&
		!inCi() &&
		process.env.TERM !== 'dumb';
	if (!dbUrl && !settings.apiUrl && command !== 'explain' && !interactive) {
		// What was found but not used is the likely reason nothing was: it is said with the request.
		throw new UsageError(
			'Tell pgrst-doctor where to look: --db-url and --api-url (or DATABASE_URL, a .env, postgrest.conf, ' +
				'a Compose file or supabase/config.toml here).',
			settings.notes
		);
	}
	if (command === 'wait' && (!dbUrl || !settings.apiUrl)) {
		const found = dbUrl
			? " (the database was found, PostgREST's URL was not)"
			: settings.apiUrl
				? " (PostgREST's URL was found, the database was not)"
				: '';
		throw new UsageError(
			`pgrst-doctor wait needs both the database and PostgREST: --db-url and --api-url${found}.`
		);
	}
	// A URL the folder's files chose gets no password from this environment (PGPASSWORD, ~/.pgpass).
	const database = dbUrl ? databaseTarget(dbUrl, {ambientPassword: !settings.dbUrlFromFolder}) : undefined;
	// Every connection, request, probe, wait and fix listens to this one signal.
	setMaxListeners(0, controller.signal);
	process.once('SIGINT', cancel);
	process.once('SIGTERM', cancel);
	const options = {
		database,
		api: settings.apiUrl ? httpTarget(settings.apiUrl.value, '--api-url') : undefined,
		admin: settings.adminUrl && apiUrls.length < 2 ? httpTarget(settings.adminUrl.value, '--admin-url') : undefined,
		...(apiUrls.length > 1 && settings.apiUrl
			? {
					instances: [settings.apiUrl.value, ...apiUrls.slice(1).map(withHttpScheme)].map(url =>
						httpTarget(url, '--api-url')
					),
				}
			: {}),
		apiKey: settings.apiKey?.value,
		// --schemas decides; schemas found in the environment or files count only where PostgREST does not say.
		schemas: settings.schemas?.from === '--schemas' ? settings.schemas.value : undefined,
		channel: (settings.channel?.value as Channel | undefined) ?? parseChannel('pgrst'),
		settings,
		// wait's --timeout is the whole wait; each connection and request still gets at most 10 s.
		timeoutMs: Math.round(Math.min(timeout, command === 'wait' ? 10 : timeout) * 1000),
		signal: controller.signal,
		probe: flags.probe,
		json: flags.json,
		concurrency,
		...(ignore.length > 0 ? {ignore} : {}),
	};
	if (command === 'wait') {
		const {waitCommand} = await import('./commands/wait.js');
		return waitCommand({...options, waitMs: Math.round(timeout * 1000)}, output);
	}
	if (command === 'explain') {
		const text = rest[0] === '-' ? await readStdin() : rest[0]!;
		const {explainCommand} = await import('./commands/explain.js');
		return explainCommand(
			text,
			{...options, roles: flags.role ?? [], fix: flags.fix as FixRequest | undefined, yes: flags.yes},
			output
		);
	}
	if (interactive) {
		// Ink's colours are settled when it is imported: NO_COLOR must be turned into FORCE_COLOR=0 before that.
		if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';
		const {interactiveCommand} = await import('./commands/interactive.js');
		// Sources may carry outside text (a path, a Compose service's name): the connect screen shows them as they are.
		const from = (setting?: {from: string}) => setting && terminalLine(setting.from);
		return interactiveCommand(options, {
			dbUrl: from(settings.dbUrl),
			apiUrl: from(settings.apiUrl),
			apiKey: from(settings.apiKey),
		});
	}
	const {checkCommand} = await import('./commands/check.js');
	return checkCommand(
		{
			...options,
			fix: flags.fix as FixRequest | undefined,
			yes: flags.yes,
			reloadFunction: {...reloadFunctionFlags(flags), anonRole: settings.anonRole?.value},
		},
		output
	);
}

/** --function-schema and --role as the reload function's names, checked here at the edge. */
function reloadFunctionFlags(flags: CommandLine['flags']): ReloadFunctionOptions {
	return {
		...(flags.functionSchema === undefined
			? {}
			: {schema: parseSqlName(flags.functionSchema, '--function-schema')}),
		...(flags.role?.length ? {roles: flags.role.map(role => parseSqlName(role, '--role'))} : {}),
	};
}

const controller = new AbortController();

/**
 * Ctrl-C: every phase sees the abort, ends its connections (which rolls back an open transaction) and sends
 * nothing more. Whatever still winds down after that is not waited for: the process exits 130 within a second.
 */
function cancel(): void {
	controller.abort();
	setTimeout(() => process.exit(130), 900).unref();
}

/** At most 4 MiB of standard input; the parser reads only the first 64 KiB anyway. */
async function readStdin(): Promise<string> {
	let text = '';
	for await (const chunk of process.stdin) {
		text += (chunk as Buffer).toString('utf8');
		if (text.length > 4 * 1024 * 1024) break;
	}
	return text;
}

/** The same rule Ink applies (is-in-ci), so that pgrst-doctor and Ink agree on whether this is a terminal session. */
function inCi(): boolean {
	const {env} = process;
	return (
		env.CI !== '0' &&
		env.CI !== 'false' &&
		('CI' in env || 'CONTINUOUS_INTEGRATION' in env || Object.keys(env).some(name => name.startsWith('CI_')))
	);
}

function wantsColor(): boolean {
	if (process.env.NO_COLOR || process.env.FORCE_COLOR === '0' || process.env.TERM === 'dumb') return false;
	return Boolean(process.env.FORCE_COLOR) || Boolean(process.stdout.isTTY);
}

const cli = await readCommandLine(process.argv.slice(2));
if (cli) {
	main(cli).then(
		code => {
			process.exitCode = code;
			// A connect that was cancelled half-way may keep a socket open; nothing is left to wait for.
			if (code === 130) process.exit(code);
		},
		(error: unknown) => {
			if (controller.signal.aborted) process.exit(130);
			if (error instanceof UsageError) return usageFailure(error.message, cli.command, error.notes);
			process.stderr.write(
				`pgrst-doctor could not finish: ${terminalLine((error as Error).message ?? String(error))}\nPlease ` +
					`report this at the project's issue tracker with the command you ran.\n`
			);
			process.exitCode = 2;
		}
	);
}
