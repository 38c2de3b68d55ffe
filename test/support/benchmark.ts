// `npm run benchmark`: how long a full diagnosis takes on a large schema, and how many probe requests it sends.
// 1,000 tables × 20 columns and 300 functions, half of the tables readable by the API role (so OpenAPI lists
// them) and half not (so they are probed one request each), against real PostgreSQL and PostgREST.
import {execFile} from 'node:child_process';
import {promisify} from 'node:util';
import {fileURLToPath} from 'node:url';
import {authenticatorPassword, startPostgres, startPostgrest} from './stack.js';

const tables = Number(process.env.TABLES ?? 1000);
const functions = Number(process.env.FUNCTIONS ?? 300);
const runs = 3;
const pg = await startPostgres();
try {
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
	const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
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
} finally {
	await pg.stop();
}
