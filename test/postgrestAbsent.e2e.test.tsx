// PostgREST not running: --probe names that before any pooler, and the interactive progress line says PostgREST did
// not answer. Real PostgreSQL and PostgREST 12.0.2, stopped; a real PgBouncer in transaction mode is still named
// (listener.e2e.test.ts).
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {render} from 'ink-testing-library';
import React from 'react';
import {doctorEngine} from '../source/commands/interactive.js';
import {databaseTarget, httpTarget} from '../source/target.js';
import {DoctorApp} from '../source/ui/DoctorApp.js';
import {findingRows, runCli, type JsonDocument} from './support/cli.js';
import {useStack} from './support/e2e.js';
import {parseChannel} from '../source/sql/channel.js';

const stack = useStack();

const finding = (json: JsonDocument, code: string) =>
	json.findings.find((found: {code: string}) => found.code === code);

test('--probe with PostgREST stopped: the top cause is PostgREST not running or not connected, never a pooler', async () => {
	const item = await stack.setUp();
	await item.api.stop();
	const {code, json} = await runCli([
		'check',
		'--db-url',
		item.dbUrl,
		'--api-url',
		item.api.url,
		'--json',
		'--probe',
		'--timeout',
		'2',
	]);
	assert.equal(code, 2);
	const rows = findingRows(json);
	assert.ok(rows.includes('api.unreachable'), rows.join(', '));
	assert.ok(!rows.includes('listener.pooled'), rows.join(', '));
	const undelivered = finding(json, 'notify.undelivered').message;
	assert.match(
		undelivered,
		new RegExp(
			`Most likely: PostgREST is not running or not connected to ${item.name}: it did not answer ` +
				`at ${item.api.url} and has no session in ${item.name}\\.`
		)
	);
	assert.doesNotMatch(undelivered, /pooler/);
	assert.match(
		finding(json, 'listener.missing').suggestion,
		/^Start PostgREST, or point its db-uri at this database/
	);
	assert.match(
		json.checks.find((check: {id: string}) => check.id === 'notify.delivery').summary,
		/most likely: listener\.missing\)/
	);
});

test('the interactive doctor given /rest/v1 on a self-hosted PostgREST says it is not the API root, never that it answered', async () => {
	const item = await stack.setUp();
	const engine = doctorEngine({
		database: databaseTarget(item.dbUrl),
		api: httpTarget(`${item.api.url}/rest/v1`, '--api-url'),
		channel: parseChannel('pgrst'),
		timeoutMs: 2000,
	});
	const app = render(<DoctorApp engine={engine} onExit={() => {}} />);
	try {
		const deadline = Date.now() + 20_000;
		while (!app.lastFrame()!.includes('What next?')) {
			if (Date.now() > deadline) throw new Error(`no report; last frame:\n${app.lastFrame()}`);
			await new Promise(resolve => setTimeout(resolve, 25));
		}
		const frames = app.frames.join('\n');
		assert.match(frames, /✖ PostgREST answered, but --api-url is not its API root/);
		assert.doesNotMatch(frames, /✔ PostgREST answered/);
		assert.match(app.lastFrame()!, /api\.wrong_base_url/);
	} finally {
		app.unmount();
	}
});

test('the interactive doctor with PostgREST stopped says it did not answer, and offers no probe (it could not tell anything)', async () => {
	const item = await stack.setUp();
	await item.api.stop();
	const engine = doctorEngine({
		database: databaseTarget(item.dbUrl),
		api: httpTarget(item.api.url, '--api-url'),
		channel: parseChannel('pgrst'),
		timeoutMs: 2000,
	});
	const app = render(<DoctorApp engine={engine} onExit={() => {}} />);
	const until = async (done: () => boolean) => {
		const deadline = Date.now() + 20_000;
		while (!done()) {
			if (Date.now() > deadline) throw new Error(`the screen never got there; last frame:\n${app.lastFrame()}`);
			await new Promise(resolve => setTimeout(resolve, 25));
		}
	};
	try {
		await until(() => app.lastFrame()!.includes('What next?'));
		const diagnosing = app.frames.join('\n');
		assert.match(diagnosing, /✖ PostgREST did not answer/);
		assert.match(diagnosing, /✔ Database catalogs read/, 'a phase that answered still says so');
		assert.doesNotMatch(diagnosing, /PostgREST answered/);
		// Probing needs a PostgREST that answers: the key is not offered, the way to correct the URL is.
		assert.doesNotMatch(app.lastFrame()!, /\[p\]/);
		assert.match(app.lastFrame()!, /\[u\] Change the URLs/);
	} finally {
		app.unmount();
	}
});
