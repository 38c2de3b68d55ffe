// `npm run benchmark`: two timings against real PostgreSQL and PostgREST.
// 1. The interactive doctor's first frame on a small schema (the app schema of the tests), in a real
//    pseudo-terminal (script(1)): from spawn to the first frame, and to the diagnosis on screen. Aim: under 300 ms.
// 2. A full diagnosis on a large schema, and how many probe requests it sends: 1,000 tables × 20 columns and 300
//    functions, half of the tables readable by the API role (so OpenAPI lists them) and half not (so they are
//    probed one request each). FIRST_FRAME_ONLY=1 skips it.
import {execFile, spawn} from 'node:child_process';
import {promisify} from 'node:util';
import {fileURLToPath} from 'node:url';
import {appSchema} from './scenario.js';
import {type Postgres, authenticatorPassword, startPostgres, startPostgrest} from './stack.js';

const tables = Number(process.env.TABLES ?? 1000);
const functions = Number(process.env.FUNCTIONS ?? 300);
const runs = 3;
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Milliseconds from spawn until the terminal shows `first` (the first frame) and then `last` (the diagnosis). */
async function terminalTimings(args: string[], first: string, last: string): Promise<[number, number]> {
	const command = `stty cols 80 rows 24; exec '${process.execPath}' '${cli}' ${args.map(arg => `'${arg}'`).join(' ')}`;
	const person = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'CI' && name !== 'CONTINUOUS_INTEGRATION' && !name.startsWith('CI_')));
	const started = performance.now();
	const child = spawn('script', ['-qfec', command, '/dev/null'], {env: {...person, TERM: 'xterm-256color'}, stdio: ['pipe', 'pipe', 'pipe']});
	let output = '';
	let firstAt = 0;
	let lastAt = 0;
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill();
			reject(new Error(`no diagnosis within 20 s:\n${output}`));
		}, 20_000);
		child.stdout.on('data', (chunk: Buffer) => {
			output += chunk.toString();
			const plain = output.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
			if (!firstAt && plain.includes(first)) firstAt = performance.now() - started;
			if (firstAt && !lastAt && plain.includes(last)) {
				clearTimeout(timer);
				lastAt = performance.now() - started;
				child.stdin.write('q');
				child.on('close', () => resolve([firstAt, lastAt]));
			}
		});
	});
}

async function firstFrame(pg: Postgres): Promise<void> {
	await pg.createDatabase('first_frame');
	await pg.query(appSchema, [], 'first_frame');
	const api = await startPostgrest({dbUri: pg.url('first_frame', 'authenticator', authenticatorPassword)});
	try {
		const firsts: number[] = [];
		const diagnoses: number[] = [];
		for (let run = 0; run < 5; run++) {
			const [firstAt, lastAt] = await terminalTimings(['check', '--db-url', pg.url('first_frame'), '--api-url', api.url], 'pgrst-doctor', 'What next?');
			firsts.push(firstAt);
			diagnoses.push(lastAt);
		}
		console.log(`interactive doctor, small schema, 80×24 pseudo-terminal: first frame median ${Math.round(median(firsts))} ms (min ${Math.round(Math.min(...firsts))}, max ${Math.round(Math.max(...firsts))}); diagnosis on screen median ${Math.round(median(diagnoses))} ms over 5 runs`);
	} finally {
		await api.stop();
	}
}

async function largeSchema(pg: Postgres): Promise<void> {
	const columns = Array.from({length: 19}, (_, index) => `c${index} text`).join(', ');
	await pg.query(`do $$ begin
		for i in 1..${tables} loop
			execute format('create table public.t%s (id int primary key, ${columns})', i);
			if i % 2 = 0 then execute format('grant select on public.t%s to anon', i); end if;
		end loop;
		for i in 1..${functions} loop
			execute format('create function public.f%s(a int, b text default null) returns int language sql as ''select a''', i);
		end loop;
	end $$`);
	const api = await startPostgrest({dbUri: pg.url('postgres', 'authenticator', authenticatorPassword)});
	await pg.query('alter table public.t1 add column late text; alter table public.t2 add column late text');
	const timings: number[] = [];
	let report: {findings: unknown[]; postgrest: {probeRequests: number}} | undefined;
	for (let run = 0; run < runs; run++) {
		const started = performance.now();
		// Asynchronously: PostgREST's log pipe must keep draining while the doctor runs.
		const result = await promisify(execFile)(process.execPath, [cli, 'check', '--db-url', pg.url(), '--api-url', api.url, '--json', '--timeout', '60'], {maxBuffer: 64 * 1024 * 1024}).catch((error: {stdout: string}) => error);
		timings.push(performance.now() - started);
		report = JSON.parse(result.stdout);
	}
	timings.sort((a, b) => a - b);
	console.log(`${tables} tables × 20 columns, ${functions} functions: median ${Math.round(timings[1]!)} ms over ${runs} runs (min ${Math.round(timings[0]!)}, max ${Math.round(timings[2]!)})`);
	console.log(`probe requests: ${report!.postgrest.probeRequests}; findings: ${report!.findings.length}`);
	await api.stop();
}

const pg = await startPostgres();
try {
	await firstFrame(pg);
	if (!process.env.FIRST_FRAME_ONLY) await largeSchema(pg);
} finally {
	await pg.stop();
}
