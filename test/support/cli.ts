// Runs the built CLI the way users and CI do: piped stdio, no TTY. Every output is checked for the secrets the
// test stack uses, so a leak fails the test that caused it.
import assert from 'node:assert/strict';
import {type ChildProcess, spawn} from 'node:child_process';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {authenticatorPassword, superPassword} from './stack.js';

export const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const apiKeySecret = 'eyJhbGciOiJIUzI1NiJ9.test-api-key-secret.signature';
// The stack's passwords, the API key, and the passwords the tests try on purpose.
const secrets = [
	superPassword,
	authenticatorPassword,
	apiKeySecret,
	encodeURIComponent(superPassword),
	'not-the-password',
	'reader-pw',
	'migrator-pw',
	'admin-pw',
	'attacker-pw',
];

/**
 * A --json document as JSON.parse gives it. The tests read it freely and assert on what they read: a wrong shape
 * fails the assertion, so typing it again here would only repeat source/report's types.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: the one `any` the tests share
export type JsonDocument = any;

export type CliRun = {code: number | null; stdout: string; stderr: string; json: JsonDocument};

/**
 * Runs start in an empty directory with none of the variables discovery reads, so that only what a test gives
 * counts: a .env or postgrest.conf next to the checkout, or a SUPABASE_URL in the shell, cannot change a result.
 */
const emptyDirectory = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-cwd-'));

export function withoutDiscovery(environment: NodeJS.ProcessEnv): Record<string, string | undefined> {
	const discovered =
		/^(?:PGRST_|DATABASE_URL$|DIRECT_URL$|POSTGRES_URL|(?:NEXT_PUBLIC_|VITE_|EXPO_PUBLIC_)?SUPABASE_)/;
	return Object.fromEntries(Object.entries(environment).filter(([name]) => !discovered.test(name)));
}

export async function runCli(
	args: string[],
	env: Record<string, string | undefined> = {},
	meanwhile?: (child: ChildProcess) => void,
	input?: string,
	cwd = emptyDirectory
): Promise<CliRun> {
	const child = spawn(process.execPath, [cliPath, ...args], {
		cwd,
		env: {...withoutDiscovery(process.env), CI: 'true', ...env},
		stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
	});
	if (input !== undefined) child.stdin!.end(input);
	meanwhile?.(child);
	let stdout = '';
	let stderr = '';
	child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	for (const secret of secrets) {
		assert.ok(
			!stdout.includes(secret) && !stderr.includes(secret),
			`a secret leaked into the output of pgrst-doctor ${args.join(' ')}`
		);
	}
	let json: JsonDocument;
	if (args.includes('--json')) json = JSON.parse(stdout);
	return {code, stdout, stderr, json};
}

/** The findings of a --json run as comparable rows: code plus the object it names. */
export function findingRows(json: JsonDocument): string[] {
	return (json.findings as Array<Record<string, string>>)
		.map(found => [found.code, found.schema, found.table, found.column, found.function].filter(Boolean).join(' '))
		.sort();
}

export function checkStatus(json: JsonDocument, id: string): string {
	return (json.checks as Array<{id: string; status: string}>).find(check => check.id === id)?.status ?? 'absent';
}
