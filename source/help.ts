// The command line's vocabulary in one place: the flags, the commands, which flags each command reads, and the help
// each one prints. The flags a command's help lists are the flags it accepts, so a flag cannot be silently ignored
// by one command while another documents it.
import type {AnyFlags} from 'meow';
import {recognised} from './explain/parseError.js';

export const flags = {
	dbUrl: {type: 'string'},
	apiUrl: {type: 'string', isMultiple: true},
	apiKey: {type: 'string'},
	adminUrl: {type: 'string'},
	schemas: {type: 'string'},
	channel: {type: 'string'},
	dotenv: {type: 'string'},
	config: {type: 'string'},
	timeout: {type: 'number'},
	concurrency: {type: 'number'},
	fix: {
		type: 'string',
		choices: [
			'reload',
			'trigger',
			'uninstall-trigger',
			'reload-function',
			'uninstall-reload-function',
			'all',
		] as string[],
	},
	functionSchema: {type: 'string'},
	yes: {type: 'boolean', default: false},
	probe: {type: 'boolean', default: false},
	role: {type: 'string', isMultiple: true},
	json: {type: 'boolean', default: false},
	ignore: {type: 'string', isMultiple: true},
	ignoreFile: {type: 'string'},
} as const satisfies AnyFlags;

export type FlagName = keyof typeof flags;
export const commandNames = ['check', 'wait', 'explain', 'sql', 'codes'] as const;
export type CommandName = (typeof commandNames)[number];

/** What the help says about a flag: its value's placeholder and one sentence (defaults in parentheses). */
type FlagText = {value?: string; text: string};

type CommandHelp = {
	/** The first line: the command and what it is for. */
	summary: string;
	usage: string[];
	about: string;
	flags: FlagName[];
	/** What a flag means for this command, where it differs from the shared wording. */
	flagText?: Partial<Record<FlagName, FlagText>>;
	/** Lists between the description and the options: a bullet per item, or two columns per row. */
	sections?: Array<{title: string; items?: string[]; rows?: Array<[string, string]>}>;
	examples: string[];
	exitCodes: Array<[number, string]>;
};

const width = 80;

const flagText: Record<FlagName, FlagText> = {
	dbUrl: {
		value: '<url>',
		text:
			'PostgreSQL URL, postgresql://user:password@host:5432/db (default: $DATABASE_URL, $SUPABASE_DB_URL, ' +
			'$PGRST_DB_URI, … or the files below)',
	},
	apiUrl: {
		value: '<url>',
		text:
			'PostgREST base URL, e.g. http://localhost:3000 or https://<ref>.supabase.co/rest/v1; without ' +
			'a scheme, http:// is meant. check and wait: repeat it (or give a comma list) to check each ' +
			'instance of a load-balanced PostgREST at its own address (default: $PGRST_DOCTOR_API_URL, ' +
			"$SUPABASE_URL + /rest/v1, PostgREST's server-port, … or the files below)",
	},
	apiKey: {
		value: '<key>',
		text:
			'Sent as apikey and Authorization: Bearer (default: $PGRST_DOCTOR_API_KEY, $SUPABASE_SERVICE_ROLE_KEY, ' +
			'$SUPABASE_SECRET_KEY, … or the files below)',
	},
	adminUrl: {
		value: '<url>',
		text: "PostgREST's admin server, e.g. http://localhost:3001 (default: PostgREST's admin-server-port, else none)",
	},
	schemas: {
		value: '<a,b>',
		text: 'Exposed schemas, comma-separated (default: what PostgREST exposes, else its db-schemas setting, else public)',
	},
	channel: {
		value: '<name>',
		text: "PostgREST's db-channel (default: $PGRST_DB_CHANNEL or db-channel in the files below, else pgrst)",
	},
	dotenv: {
		value: '<file>',
		text: 'Read DATABASE_URL, SUPABASE_URL, keys and PGRST_* from this file instead of ./.env.local and ./.env (default: those two)',
	},
	config: {
		value: '<file>',
		text:
			"PostgREST's config file (postgrest.conf format), a Compose file (.yml/.yaml) or Supabase's " +
			'config.toml (.toml), instead of looking for ./postgrest.conf, ./compose.yaml and ./supabase/config.toml ' +
			'(default: those)',
	},
	timeout: {value: '<seconds>', text: 'For each connection, query and request, 0.1 to 3600 (default: 10)'},
	concurrency: {
		value: '<n>',
		text: 'Probe requests in flight at once, 1 to 64: the load the doctor puts on PostgREST (default: 6)',
	},
	fix: {
		value: '<fix>',
		text:
			'reload | trigger | uninstall-trigger | reload-function | uninstall-reload-function | all (reload ' +
			'and trigger): show what the fix runs; with --yes apply it and diagnose again (default: none)',
	},
	functionSchema: {
		value: '<schema>',
		text:
			'Where the reload function lives; PostgREST serves it only if db-schemas lists this schema ' +
			'(default: pgrst_doctor_reload, which it does not)',
	},
	yes: {text: 'Apply the --fix; without it nothing is written (default: off)'},
	probe: {
		text: "Send NOTIFY <channel>, 'reload schema' (a harmless reload) and prove PostgREST hears it (default: off)",
	},
	role: {
		value: '<role>',
		text:
			"The role requests run as, whose privileges decide; repeatable (default: the API key's role " +
			"claim, else every API role PostgREST's login role may become)",
	},
	json: {text: 'Print one JSON document instead of text (default: off)'},
	ignore: {
		value: '<key>',
		text:
			'Accept the finding with this key on purpose (its "key" in --json; it starts with the finding\'s code): it' +
			' is listed as ignored and no longer fails the run; one that keeps the diagnosis or other checks from' +
			' being made cannot be ignored; without @<instance> it matches every instance; repeatable, or a comma' +
			' list (default: none)',
	},
	ignoreFile: {
		value: '<file>',
		text:
			'Finding keys to ignore, one a line; # starts a comment; at most 10,000 keys, and a line that is not' +
			' a key is refused without being shown (default: none)',
	},
};

const builtInText: Array<[string, string]> = [
	['--help, -h', 'Show this help'],
	['--version', 'Show the version'],
];

const connection: FlagName[] = [
	'dbUrl',
	'apiUrl',
	'apiKey',
	'adminUrl',
	'schemas',
	'channel',
	'dotenv',
	'config',
	'timeout',
];

const usageExitCode: [number, string] = [2, 'a usage error'];
const cancelled: [number, string] = [130, 'cancelled (Ctrl-C)'];

/** The bare `pgrst-doctor`: the interactive doctor in a terminal, check everywhere else. */
const overview: CommandHelp = {
	summary: "pgrst-doctor: why PostgREST's schema cache disagrees with your database, the fix, and the proof",
	usage: [
		'pgrst-doctor [--db-url <url>] [--api-url <url>] [--api-key <key>]',
		'pgrst-doctor <command> [options]',
		'pgrst-doctor <command> --help',
	],
	about:
		'In a terminal, bare pgrst-doctor is the interactive doctor: it asks for what the flags, the ' +
		'environment and the files here do not say, diagnoses, offers the fixes and proves them. In ' +
		'pipes, in CI, or with --json, --fix or --probe it runs check once. Without flags it reads ' +
		'the environment, then ./.env.local and ./.env, ./postgrest.conf, ./compose.yaml (or docker-compose.yml) ' +
		'and ./supabase/config.toml, and says where each value came from.',
	sections: [
		{
			title: 'Commands',
			rows: [
				['check', 'Diagnose once (the default); --fix heals and proves it'],
				['wait', 'Reload and wait until the cache matches the database (CI/CD)'],
				['explain', 'The root cause of an error message you paste'],
				['sql', 'Print ready-to-paste SQL: reload, trigger, uninstall'],
				['codes', 'List every finding code with its cause and cure'],
			],
		},
	],
	flags: [...connection, 'concurrency'],
	examples: [
		'pgrst-doctor',
		'DATABASE_URL=postgresql://app@db:5432/app pgrst-doctor \\\n    --api-url http://localhost:3000',
		'pgrst-doctor check --help',
	],
	exitCodes: [
		[0, 'healthy and verified'],
		[1, 'problems found'],
		[2, 'could not diagnose, or a usage error'],
		cancelled,
	],
};

const commandHelp: Record<CommandName, CommandHelp> = {
	check: {
		summary: 'pgrst-doctor check: diagnose the schema cache once; --fix heals and proves it',
		usage: [
			'pgrst-doctor check [--db-url <url>] [--api-url <url>] [options]',
			'pgrst-doctor check … --fix reload|trigger|uninstall-trigger|all [--yes]',
			'pgrst-doctor check --db-url <url> --fix reload-function|uninstall-reload-function [--role ' +
				'<role>] [--function-schema <schema>] [--yes]',
		],
		about:
			"Compares PostgreSQL's catalog with PostgREST's schema cache and checks the auto-reload trigger " +
			'and the listener. Either URL alone works: --db-url alone checks the trigger and the listener, ' +
			'--api-url alone checks PostgREST. In a terminal without --json, --fix or --probe it is the ' +
			'interactive doctor.',
		flags: [
			...connection,
			'concurrency',
			'fix',
			'yes',
			'probe',
			'role',
			'functionSchema',
			'ignore',
			'ignoreFile',
			'json',
		],
		flagText: {
			role: {
				value: '<role>',
				text:
					'With --fix reload-function: a role that may call the reload function, never the anonymous ' +
					'one; repeatable (default: service_role, if the database has it)',
			},
		},
		examples: [
			'pgrst-doctor check --db-url "$DATABASE_URL" --api-url http://localhost:3000',
			'pgrst-doctor check --db-url "$DATABASE_URL" --api-url localhost:3000 \\\n    --fix all --yes',
			'pgrst-doctor check --db-url "$DATABASE_URL" \\\n    --api-url http://10.0.0.11:3000,http://10.0.0.12:3000',
			'pgrst-doctor check --db-url "$SUPABASE_DB_URL" --json \\\n    --api-url https://<ref>.supabase.co/rest/v1 ' +
				'--api-key "$SERVICE_ROLE_KEY"',
		],
		exitCodes: [
			[0, 'healthy and verified: everything asked for was compared'],
			[1, 'problems found (or --fix without --yes: what it would run)'],
			[2, 'could not diagnose (unreachable, refused, unverified), or a usage error'],
			cancelled,
		],
	},
	wait: {
		summary: 'pgrst-doctor wait: reload and wait until the cache matches the database',
		usage: ['pgrst-doctor wait --db-url <url> --api-url <url> [--timeout 60] [options]'],
		about:
			"The post-migration gate for CI/CD: sends NOTIFY <channel>, 'reload schema', waits until PostgREST's " +
			'cache matches the database, and prints the differences that remain when time runs out.',
		flags: [...connection, 'concurrency', 'probe', 'json'],
		flagText: {
			timeout: {
				value: '<seconds>',
				text: 'For the whole wait, 0.1 to 3600; each connection and request gets at most 10 (default: 60)',
			},
		},
		examples: [
			'supabase db push && pgrst-doctor wait --db-url "$SUPABASE_DB_URL" \\\n    --api-url https://<ref>.supabase.co/rest/v1 ' +
				'--api-key "$SERVICE_ROLE_KEY"',
			'psql "$DATABASE_URL" -f migration.sql && \\\n    pgrst-doctor wait --db-url "$DATABASE_URL" --api-url "$PGRST_URL"',
		],
		exitCodes: [
			[0, 'the cache matches the database, every object compared'],
			[1, 'time ran out with differences left (they are printed)'],
			[2, 'could not compare, or a usage error'],
			cancelled,
		],
	},
	explain: {
		summary: 'pgrst-doctor explain: the root cause of an error message you paste',
		usage: [
			'pgrst-doctor explain "<error>" [--db-url <url> --api-url <url>] [options]',
			'pgrst-doctor explain - < error.txt',
			'pgrst-doctor explain "<error>" --db-url … --api-url … --fix reload|all [--yes]',
		],
		about:
			'Offline (no URLs) it says what the error means, the likely causes and the SQL to tell them ' +
			'apart. Connected, it looks the object up (exists, schema, exposure, case, closest name, the ' +
			"grants of the role requests run as, PostgREST's cache, RPC arguments), tries a denied read " +
			'again, and ends with one verdict and its fix. --fix applies the fix only when the verdict ' +
			'is a stale cache; otherwise it says why and changes nothing.',
		flags: [...connection, 'role', 'fix', 'yes', 'json'],
		flagText: {
			fix: {
				value: '<fix>',
				text: 'reload | all: when the verdict is a stale cache, show the reload; with --yes run it and prove it (default: none)',
			},
		},
		sections: [
			{title: 'Recognised errors', items: [...recognised]},
			{
				title: 'Paste it as you have it',
				items: [
					'PostgREST\'s JSON body: {"code":"PGRST204","message":"…",…}',
					'console.log(error) of supabase-js or postgrest-js (v1 and v2), also multi-line, with PostgrestError: or [Object]',
					'JSON.stringify(error), or error.message alone',
					'a stack trace, a PostgREST or PostgreSQL log line, or the bare message',
					'on standard input, with - in place of the text (best for multi-line text)',
				],
			},
		],
		examples: [
			'pgrst-doctor explain \'column "adminname" does not exist\'',
			'pbpaste | pgrst-doctor explain - --db-url "$DATABASE_URL" \\\n    --api-url http://localhost:3000',
			'pgrst-doctor explain "$ERROR" --db-url "$DATABASE_URL" \\\n    --api-url "$PGRST_URL" --fix reload --yes',
		],
		exitCodes: [
			[0, 'offline advice, or nothing is wrong now'],
			[1, 'the verdict is a problem'],
			[2, 'text it does not recognise, could not connect, or a usage error'],
			cancelled,
		],
	},
	sql: {
		summary: 'pgrst-doctor sql: print ready-to-paste SQL; needs no connection',
		usage: [
			'pgrst-doctor sql reload|trigger|uninstall|reload-function|uninstall-reload-function [--channel pgrst]',
		],
		about:
			'reload is the NOTIFY that makes PostgREST reload its schema cache; trigger installs the auto-reload ' +
			'event triggers (what check --fix trigger runs); uninstall removes exactly those. reload-function ' +
			'installs the rate-limited function apps may call to ask for a reload (what check --fix reload-function ' +
			"runs); uninstall-reload-function removes it. Paste it into psql or Supabase's SQL Editor.",
		flags: ['channel', 'role', 'functionSchema'],
		flagText: {
			channel: {value: '<name>', text: "PostgREST's db-channel (default: pgrst)"},
			role: {
				value: '<role>',
				text: 'For reload-function: a role that may call it, never the anonymous one; repeatable (default: service_role)',
			},
		},
		examples: ['pgrst-doctor sql trigger | psql "$DATABASE_URL"', 'pgrst-doctor sql reload --channel my_channel'],
		exitCodes: [[0, 'printed'], usageExitCode],
	},
	codes: {
		summary: 'pgrst-doctor codes: every finding code with its cause and cure',
		usage: ['pgrst-doctor codes [--json]'],
		about: 'The public vocabulary of findings, as the readme lists it; --json for scripts.',
		flags: ['json'],
		examples: ['pgrst-doctor codes', 'pgrst-doctor codes --json'],
		exitCodes: [[0, 'printed'], usageExitCode],
	},
};

export const kebab = (name: string) => name.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);

/** Whether a command reads the flag; no command means the bare `pgrst-doctor`, which runs check. */
export function commandTakes(command: CommandName | undefined, flag: FlagName): boolean {
	return commandHelp[command ?? 'check'].flags.includes(flag);
}

/** The commands that read the flag. */
export function commandsTaking(flag: FlagName): CommandName[] {
	return commandNames.filter(command => commandHelp[command].flags.includes(flag));
}

/** The help for one command, or the overview for the bare `pgrst-doctor`; every line fits 80 columns. */
export function helpText(command: CommandName | undefined): string {
	const help = command ? commandHelp[command] : overview;
	const flagRows: Array<[string, string]> = help.flags.map(flag => {
		const {value, text} = help.flagText?.[flag] ?? flagText[flag];
		return [`--${kebab(flag)}${value ? ` ${value}` : ''}`, text];
	});
	const lines = [
		...wrap(help.summary, 0),
		'',
		'Usage',
		...help.usage.flatMap(line => wrap(`$ ${line}`, 2, 6)),
		'',
		...wrap(help.about, 0),
		...(help.sections ?? []).flatMap(section => [
			'',
			section.title,
			...table(section.rows ?? []),
			...(section.items ?? []).flatMap(item => wrap(`- ${item}`, 2, 4)),
		]),
		'',
		'Options',
		...table([...flagRows, ...builtInText]),
		'',
		'Examples',
		...help.examples.flatMap(example =>
			example.split('\n').map((line, index) => `  ${index === 0 ? '$ ' : ''}${line}`)
		),
		'',
		'Exit codes',
		...table(help.exitCodes.map(([code, meaning]) => [String(code), meaning])),
	];
	return `${lines.join('\n')}\n`;
}

/** Two columns: the flag, and its text wrapped under itself. */
function table(rows: Array<[string, string]>): string[] {
	if (rows.length === 0) return [];
	const column = 2 + Math.max(...rows.map(([name]) => name.length)) + 2;
	return rows.flatMap(([name, text]) => {
		const [first = '', ...rest] = wrap(text, column);
		return [`  ${name}`.padEnd(column) + first.trimStart(), ...rest];
	});
}

/**
 * Words filled to the width: the first line indented by `indent`, the rest by `hanging`. A word longer than the
 * line (a URL) keeps a line of its own rather than being broken.
 */
export function wrap(text: string, indent: number, hanging = indent): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of text.split(' ')) {
		const margin = lines.length === 0 ? indent : hanging;
		if (line && margin + line.length + 1 + word.length > width) {
			lines.push(' '.repeat(margin) + line);
			line = word;
		} else {
			line = line ? `${line} ${word}` : word;
		}
	}
	lines.push(' '.repeat(lines.length === 0 ? indent : hanging) + line);
	return lines;
}
