#!/usr/bin/env node
// The entry: parse flags, decide the mode, hand over. Colour is settled before anything that reads it loads.
import {setMaxListeners} from 'node:events';
import meow, {type AnyFlags} from 'meow';
import {argumentProblem, asksFor} from './argumentProblem.js';
import {closestName} from './explain/closestName.js';
import type {FixRequest} from './commands/check.js';
import {parseChannel} from './sql/channel.js';
import {UsageError, databaseTarget, httpTarget} from './target.js';
import {terminalBlock, terminalLine} from './terminalText.js';

// A reader that goes away (`pgrst-doctor check | head -1`) ends the output, not the run with a stack trace.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

const flags = {
	dbUrl: {type: 'string'},
	apiUrl: {type: 'string'},
	apiKey: {type: 'string'},
	adminUrl: {type: 'string'},
	schemas: {type: 'string'},
	channel: {type: 'string', default: 'pgrst'},
	timeout: {type: 'number'},
	fix: {type: 'string', choices: ['reload', 'trigger', 'uninstall-trigger', 'all'] as string[]},
	yes: {type: 'boolean', default: false},
	probe: {type: 'boolean', default: false},
	role: {type: 'string', isMultiple: true},
	json: {type: 'boolean', default: false},
} as const satisfies AnyFlags;

const usageHint = 'Run pgrst-doctor --help for usage.';

/** One line naming the problem, one line pointing at the help, exit 2: never a stack trace or the whole help. */
function usageFailure(message: string): void {
	process.stderr.write(`${terminalLine(message)}\n${usageHint}\n`);
	process.exitCode = 2;
}

/** The parsed command line, or undefined once a usage problem was reported (or help or the version printed). */
function readCommandLine(argv: string[]): CommandLine | undefined {
	const problem = argumentProblem(argv, flags);
	if (problem) return void usageFailure(problem);
	let cli: CommandLine;
	try {
		cli = parseCommandLine();
	} catch (error) {
		// meow's own checks, should one ever go beyond argumentProblem's: still one line.
		return void usageFailure(String((error as Error).message ?? error).split('\n')[0]!);
	}
	if (asksFor('help', argv)) cli.showHelp(0);
	if (asksFor('version', argv)) cli.showVersion();
	return cli;
}

type CommandLine = ReturnType<typeof parseCommandLine>;

function parseCommandLine() {
	return meow(
	`
  Usage
    $ pgrst-doctor                      (in a terminal: the interactive doctor; asks where to look)
    $ pgrst-doctor check --db-url <postgres-url> --api-url <postgrest-url> [options]
    $ pgrst-doctor check … --fix reload|trigger|uninstall-trigger|all [--yes]
    $ pgrst-doctor wait --db-url <postgres-url> --api-url <postgrest-url> [--timeout 60]
    $ pgrst-doctor explain "<error text>" [--db-url … --api-url …]   (or - to read the error from stdin)
    $ pgrst-doctor sql reload|trigger|uninstall [--channel pgrst]
    $ pgrst-doctor codes [--json]

  Finds out why PostgREST's schema cache disagrees with your database, heals it, and proves the cure.

  Commands
    check   Diagnose (default). In a terminal it is interactive: pick a fix, watch it heal. In pipes, CI or with
            --json it prints once. With --fix, apply a fix and diagnose again; nothing is written without --yes
    wait    Reload and wait until the cache matches the database: exit 0, or 1 on timeout (for CI/CD)
    explain Find the true root cause of an error message (stale cache, typo, case, schema, GRANT, RPC arguments…)
    sql     Print ready-to-paste SQL; needs no connection
    codes   List every finding code with cause and cure

  Options
    --db-url      PostgreSQL URL (default: $DATABASE_URL)
    --api-url     PostgREST base URL, e.g. http://localhost:3000 or https://<ref>.supabase.co/rest/v1
    --api-key     Sent as apikey and Authorization: Bearer (default: $PGRST_DOCTOR_API_KEY)
    --admin-url   PostgREST admin server, e.g. http://localhost:3001 (optional)
    --schemas     Exposed schemas, comma-separated (default: what PostgREST exposes, else public)
    --channel     PostgREST's db-channel (default: pgrst)
    --timeout     Seconds for each connection and request (default: 10; for wait: the whole wait, default 60)
    --fix         reload | trigger | uninstall-trigger | all (the fixes the findings point at)
    --yes         Apply the --fix (without it pgrst-doctor only shows what it would run)
    --probe       Send NOTIFY <channel>, 'reload schema' (a harmless reload) and prove PostgREST hears it
    --role        explain: also check this role's privileges (repeatable; anon, authenticated, service_role by default)
    --json        Print one JSON document instead of text
    --help        Show this help
    --version     Show the version

  Examples
    $ pgrst-doctor check --db-url postgresql://postgres:postgres@127.0.0.1:54322/postgres --api-url http://127.0.0.1:54321/rest/v1 --api-key "$SERVICE_ROLE_KEY"
    $ DATABASE_URL=postgresql://app@db:5432/app pgrst-doctor check --api-url http://localhost:3000 --json
    $ pgrst-doctor check --db-url "$DATABASE_URL" --api-url http://localhost:3000 --fix all --yes
    $ supabase db push && pgrst-doctor wait --db-url "$SUPABASE_DB_URL" --api-url https://<ref>.supabase.co/rest/v1 --api-key "$SERVICE_ROLE_KEY"

  Exit codes: 0 healthy, 1 problems found, 2 could not diagnose or usage error, 130 cancelled.
`,
		{importMeta: import.meta, allowUnknownFlags: false, flags},
	);
}

const commands = ['check', 'wait', 'explain', 'sql', 'codes'];

async function main(cli: CommandLine): Promise<number> {
	const [command = 'check', ...rest] = cli.input;
	if (!commands.includes(command)) {
		const typo = closestName(command, commands);
		const what = /^[\w-]{1,40}$/.test(command) ? `Unknown command "${command}"` : 'Unknown command';
		throw new UsageError(typo ? `${what}: did you mean ${typo}?` : `${what}; the commands are ${commands.join(', ')}.`);
	}
	const takesArgument = command === 'sql' || command === 'explain';
	if (rest.length > (takesArgument ? 1 : 0)) {
		throw new UsageError(`pgrst-doctor ${command} takes ${takesArgument ? `one argument${command === 'explain' ? ' (quote the error text)' : ''}` : 'no arguments'}; got ${rest.length}.`);
	}
	const {flags} = cli;
	const output = {write: (text: string) => process.stdout.write(text), color: wantsColor()};
	// The channel is checked once, here; everything after holds a Channel that renders itself safely.
	const channel = parseChannel(flags.channel);
	if (command === 'codes') {
		const {codesCommand} = await import('./commands/codes.js');
		return codesCommand(flags.json, output);
	}
	if (command === 'sql') {
		const [script] = rest;
		const {sqlCommand, sqlScripts} = await import('./commands/sql.js');
		if (!script || !Object.hasOwn(sqlScripts, script)) throw new UsageError(`pgrst-doctor sql needs one of: ${Object.keys(sqlScripts).join(', ')}.`);
		// Our SQL keeps its lines; a control character in the channel is shown, not emitted.
		return sqlCommand(script as keyof typeof sqlScripts, channel, {...output, write: text => output.write(terminalBlock(text))});
	}
	const dbUrl = flags.dbUrl ?? process.env.DATABASE_URL;
	const apiKey = flags.apiKey ?? process.env.PGRST_DOCTOR_API_KEY;
	if (command === 'explain' && rest[0] === undefined) throw new UsageError('pgrst-doctor explain needs the error text (quoted), or - to read it from stdin.');
	// Interactive only on a real terminal, outside CI, when nothing asked for machine output or unattended fixing.
	const interactive = command === 'check' && !flags.json && !flags.yes && !flags.fix && !flags.probe
		&& Boolean(process.stdin.isTTY && process.stdout.isTTY) && !inCi() && process.env.TERM !== 'dumb';
	if (!dbUrl && !flags.apiUrl && command !== 'explain' && !interactive) {
		throw new UsageError('Tell pgrst-doctor where to look: --db-url (or DATABASE_URL) and --api-url.');
	}
	if (command === 'wait' && (!dbUrl || !flags.apiUrl)) throw new UsageError('pgrst-doctor wait needs both --db-url (or DATABASE_URL) and --api-url.');
	if (flags.yes && !flags.fix) throw new UsageError('--yes applies a --fix; say which: --fix reload|trigger|uninstall-trigger|all.');
	const timeout = flags.timeout ?? (command === 'wait' ? 60 : 10);
	// Below 0.1 s a timeout rounds towards 0, which pg and undici read as "no timeout"; above an hour it is a typo.
	if (!(timeout >= 0.1 && timeout <= 3600)) throw new UsageError(`--timeout must be a number of seconds from 0.1 to 3600 (got ${String(flags.timeout)}).`);
	const database = dbUrl ? databaseTarget(dbUrl) : undefined;
	// Every connection, request, probe, wait and fix listens to this one signal.
	setMaxListeners(0, controller.signal);
	process.once('SIGINT', cancel);
	process.once('SIGTERM', cancel);
	const options = {
		database,
		api: flags.apiUrl ? httpTarget(flags.apiUrl, '--api-url') : undefined,
		admin: flags.adminUrl ? httpTarget(flags.adminUrl, '--admin-url') : undefined,
		apiKey,
		schemas: flags.schemas?.split(',').map(name => name.trim()).filter(Boolean),
		channel,
		// wait's --timeout is the whole wait; each connection and request still gets at most 10 s.
		timeoutMs: Math.round(Math.min(timeout, command === 'wait' ? 10 : timeout) * 1000),
		signal: controller.signal,
		probe: flags.probe,
		json: flags.json,
	};
	if (command === 'wait') {
		const {waitCommand} = await import('./commands/wait.js');
		return waitCommand({...options, waitMs: Math.round(timeout * 1000)}, output);
	}
	if (command === 'explain') {
		const text = rest[0] === '-' ? await readStdin() : rest[0]!;
		const {explainCommand} = await import('./commands/explain.js');
		return explainCommand(text, {...options, roles: flags.role ?? [], fix: flags.fix as FixRequest | undefined, yes: flags.yes}, output);
	}
	if (interactive) {
		// Ink's colours are settled when it is imported: NO_COLOR must be turned into FORCE_COLOR=0 before that.
		if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';
		const {interactiveCommand} = await import('./commands/interactive.js');
		return interactiveCommand(options, {
			dbUrl: flags.dbUrl ? '--db-url' : 'DATABASE_URL',
			apiUrl: '--api-url',
			apiKey: flags.apiKey ? '--api-key' : 'PGRST_DOCTOR_API_KEY',
		});
	}
	const {checkCommand} = await import('./commands/check.js');
	return checkCommand({...options, fix: flags.fix as FixRequest | undefined, yes: flags.yes}, output);
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
	return env.CI !== '0' && env.CI !== 'false' && ('CI' in env || 'CONTINUOUS_INTEGRATION' in env || Object.keys(env).some(name => name.startsWith('CI_')));
}

function wantsColor(): boolean {
	if (process.env.NO_COLOR || process.env.FORCE_COLOR === '0' || process.env.TERM === 'dumb') return false;
	return Boolean(process.env.FORCE_COLOR) || Boolean(process.stdout.isTTY);
}

const cli = readCommandLine(process.argv.slice(2));
if (cli) {
	main(cli).then(
		code => {
			process.exitCode = code;
			// A connect that was cancelled half-way may keep a socket open; nothing is left to wait for.
			if (code === 130) process.exit(code);
		},
		(error: unknown) => {
			if (controller.signal.aborted) process.exit(130);
			if (error instanceof UsageError) return usageFailure(error.message);
			process.stderr.write(`pgrst-doctor could not finish: ${terminalLine((error as Error).message ?? String(error))}\nPlease report this at the project's issue tracker with the command you ran.\n`);
			process.exitCode = 2;
		},
	);
}
