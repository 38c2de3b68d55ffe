// Shared set-up for end-to-end test files: one PostgreSQL per file, one PostgREST per scenario, all stopped after.
import {after, before} from 'node:test';
import {runCli} from './cli.js';
import {type Scenario, scenario} from './scenario.js';
import {type Postgres, startPostgres} from './stack.js';

export function useStack() {
	let pg: Postgres | undefined;
	const running: Scenario[] = [];
	before(async () => {
		pg = await startPostgres();
	});
	after(async () => {
		await Promise.all(running.map(async item => item.stop()));
		await pg?.stop();
	});
	return {
		get pg() {
			return pg!;
		},
		async setUp(
			...args: Parameters<typeof scenario> extends [unknown, ...infer Rest] ? Rest : never
		): Promise<Scenario> {
			const item = await scenario(pg!, ...args);
			running.push(item);
			return item;
		},
	};
}

/** `check --json` against a scenario, with extra flags. */
export async function checkJson(item: Scenario, ...extra: string[]) {
	return runCli(['check', '--db-url', item.dbUrl, '--api-url', item.api.url, '--json', ...extra]);
}

export async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise(resolve => setTimeout(resolve, 100));
	}
}
