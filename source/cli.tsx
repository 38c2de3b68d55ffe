#!/usr/bin/env node
// The entry: parse flags, decide the mode, hand over. Colour is settled before anything that reads it loads.
import meow from 'meow';
import {UsageError, databaseTarget, httpTarget, redact} from './target.js';

const cli = meow(
	`
  Usage
    $ pgrst-doctor check --db-url <postgres-url> --api-url <postgrest-url> [options]
    $ pgrst-doctor codes [--json]

  Finds out why PostgREST's schema cache disagrees with your database, and what to do about it.

  Options
    --db-url      PostgreSQL URL (default: $DATABASE_URL)
    --api-url     PostgREST base URL, e.g. http://localhost:3000 or https://<ref>.supabase.co/rest/v1
    --api-key     Sent as apikey and Authorization: Bearer (default: $PGRST_DOCTOR_API_KEY)
    --admin-url   PostgREST admin server, e.g. http://localhost:3001 (optional)
    --schemas     Exposed schemas, comma-separated (default: what PostgREST exposes, else public)
    --channel     PostgREST's db-channel (default: pgrst)
    --timeout     Seconds for each connection and request (default: 10)
    --json        Print one JSON document instead of text
    --help        Show this help
    --version     Show the version

  Examples
    $ pgrst-doctor check --db-url postgresql://postgres:postgres@127.0.0.1:54322/postgres --api-url http://127.0.0.1:54321/rest/v1 --api-key "$SERVICE_ROLE_KEY"
    $ DATABASE_URL=postgresql://app@db:5432/app pgrst-doctor check --api-url http://localhost:3000 --json

  Exit codes: 0 healthy, 1 problems found, 2 could not diagnose or usage error, 130 cancelled.
`,
	{
		importMeta: import.meta,
		allowUnknownFlags: false,
		flags: {
			dbUrl: {type: 'string'},
			apiUrl: {type: 'string'},
			apiKey: {type: 'string'},
			adminUrl: {type: 'string'},
			schemas: {type: 'string'},
			channel: {type: 'string', default: 'pgrst'},
			timeout: {type: 'number', default: 10},
			json: {type: 'boolean', default: false},
		},
	},
);

const commands = ['check', 'codes'];

async function main(): Promise<number> {
	const [command = 'check', ...rest] = cli.input;
	if (!commands.includes(command) || rest.length > 0) {
		throw new UsageError(`Unknown command "${[command, ...rest].join(' ')}". Run pgrst-doctor --help for the commands.`);
	}
	const {flags} = cli;
	const output = {write: (text: string) => process.stdout.write(redact(text, secrets)), color: wantsColor()};
	if (command === 'codes') {
		const {codesCommand} = await import('./commands/codes.js');
		return codesCommand(flags.json, output);
	}
	const dbUrl = flags.dbUrl ?? process.env.DATABASE_URL;
	const apiKey = flags.apiKey ?? process.env.PGRST_DOCTOR_API_KEY;
	if (!dbUrl && !flags.apiUrl) {
		throw new UsageError('Tell pgrst-doctor where to look: --db-url (or DATABASE_URL) and --api-url.');
	}
	if (!(flags.timeout > 0)) throw new UsageError('--timeout must be a number of seconds greater than 0.');
	if (!flags.channel.trim()) throw new UsageError('--channel must not be empty.');
	const database = dbUrl ? databaseTarget(dbUrl) : undefined;
	secrets.push(database?.password, apiKey);
	const controller = new AbortController();
	process.once('SIGINT', () => controller.abort());
	process.once('SIGTERM', () => controller.abort());
	const {checkCommand} = await import('./commands/check.js');
	return checkCommand(
		{
			database,
			api: flags.apiUrl ? httpTarget(flags.apiUrl, '--api-url') : undefined,
			admin: flags.adminUrl ? httpTarget(flags.adminUrl, '--admin-url') : undefined,
			apiKey,
			schemas: flags.schemas?.split(',').map(name => name.trim()).filter(Boolean),
			channel: flags.channel,
			timeoutMs: Math.round(flags.timeout * 1000),
			signal: controller.signal,
			json: flags.json,
		},
		output,
	);
}

const secrets: Array<string | undefined> = [];

function wantsColor(): boolean {
	if (process.env.NO_COLOR || process.env.FORCE_COLOR === '0' || process.env.TERM === 'dumb') return false;
	return Boolean(process.env.FORCE_COLOR) || Boolean(process.stdout.isTTY);
}

main().then(
	code => {
		process.exitCode = code;
		// A connect that was cancelled half-way may keep a socket open; nothing is left to wait for.
		if (code === 130) process.exit(code);
	},
	(error: unknown) => {
		if (error instanceof UsageError) {
			process.stderr.write(`${redact(error.message, secrets)}\n\n${cli.help.trim()}\n`);
			process.exitCode = 2;
			return;
		}
		process.stderr.write(`pgrst-doctor could not finish: ${redact((error as Error).message ?? String(error), secrets)}\nPlease report this at the project's issue tracker with the command you ran.\n`);
		process.exitCode = 2;
	},
);
