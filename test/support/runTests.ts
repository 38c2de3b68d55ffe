// Runs one kind of test file with the Node that runs this script (npm exec picks Node 24 for test:node24):
// `node --import tsx test/support/runTests.ts unit|e2e|node24`. A small file because npm scripts run under /bin/sh,
// whose globs cannot leave out `*.e2e.*`.
// unit: every test file that needs no server (no `.e2e.` in its name), in seconds; npm test runs it first.
// e2e: the files that start real PostgreSQL and PostgREST (test/support/stack.ts).
// node24: the unit layer plus the end-to-end files that exercise what differs between Node versions, listed below
// with the reason each is there; the rest of the e2e layer runs on Node 20 only (the oldest Node package.json allows).
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

/** End-to-end files that prove compatibility with the second Node version, each for what it exercises there. */
const compatibility: Record<string, string> = {
	'library.e2e.test.ts':
		'the library imported as applications import it (package.json exports, emitted declarations) and a pg Pool',
	'cancel.e2e.test.ts':
		'signals and child processes: Ctrl-C (SIGINT) from every phase, AbortSignal timing, SIGUSR1 sent to PostgREST',
	'interactive.e2e.test.ts':
		'Ink in a real terminal (script(1), tmux): raw-mode stdin, TTY detection, the frames a person sees',
	'tls.e2e.test.ts': "pg over TLS through Node's tls module (its OpenSSL), compared with psql for every sslmode",
	'recoveringFetch.e2e.test.ts':
		'the global fetch (the undici Node bundles) wrapped for supabase-js: stream bodies, aborts, error bodies',
};

const kinds = ['unit', 'e2e', 'node24'] as const;
type Kind = (typeof kinds)[number];

const directory = new URL('../', import.meta.url);
const isTestFile = (name: string) => name.endsWith('.test.ts') || name.endsWith('.test.tsx');
const isEndToEnd = (name: string) => name.includes('.e2e.');

function filesOf(kind: Kind): string[] {
	const all = readdirSync(directory).filter(isTestFile).sort();
	const unit = all.filter(name => !isEndToEnd(name));
	switch (kind) {
		case 'unit':
			return unit;
		case 'e2e':
			return all.filter(isEndToEnd);
		case 'node24':
			return [...unit, ...Object.keys(compatibility)];
		default: {
			const unknownKind: never = kind;
			throw new Error(`Unknown kind ${String(unknownKind)}`);
		}
	}
}

const kind = process.argv[2];
if (!kinds.includes(kind as Kind)) {
	console.error(`Usage: node --import tsx test/support/runTests.ts ${kinds.join('|')} [node --test options]`);
	process.exit(2);
}
const files = filesOf(kind as Kind);
// A renamed or removed file must fail the run, not shrink the Node 24 set unnoticed.
const absent = files.filter(name => !existsSync(new URL(name, directory)));
if (absent.length > 0 || files.length === 0) {
	console.error(`No such test file: ${absent.join(', ') || '(none of this kind)'}`);
	process.exit(2);
}
// readme.test.ts and discoveryTrust.test.ts run the built CLI (no server): without dist/ they would fail obscurely.
if (!existsSync(new URL('../../dist/cli.js', import.meta.url))) {
	console.error('dist/cli.js is missing: run npm run build first (npm test does).');
	process.exit(2);
}
console.log(`${kind} tests on Node ${process.versions.node}: ${files.length} files`);
const paths = files.map(name => `test/${name}`);
const root = fileURLToPath(new URL('../../', import.meta.url));
// Options after the kind go to node --test (npm run test:unit -- --test-name-pattern=…).
const options = process.argv.slice(3);
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...options, ...paths], {
	cwd: root,
	stdio: 'inherit',
});
process.exit(run.status ?? 1);
