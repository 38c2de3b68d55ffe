// No foreign code runs (issue 9, case 1), on the real PostgreSQL 18 and PostgREST 12.0.2. A low-privileged role
// that may create in public plants a look-alike of every function and operator the doctor's SQL uses (found by
// reading that SQL), and the doctor's superuser is given search_path = public, pg_catalog, the strongest form of
// the attack. Every command the doctor has then runs as that superuser, and not one planted object may run.
import assert from 'node:assert/strict';
import {chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import pg from 'pg';
import {databaseStatements} from '../source/probes/database.js';
import {objectLookupStatements} from '../source/probes/objectLookup.js';
import {parseChannel} from '../source/sql/channel.js';
import {runCli} from './support/cli.js';
import {doctorStatements} from './support/doctorStatements.js';
import {useStack} from './support/e2e.js';
import {sqlCalls} from './support/sqlTokens.js';

const stack = useStack();
const records = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-pwned-'));
chmodSync(records, 0o777);
after(() => rmSync(records, {recursive: true, force: true}));

const calls = sqlCalls(doctorStatements(parseChannel('pgrst')));

// Pseudo-types a plpgsql look-alike cannot take, replaced by the concrete type that wins resolution for our SQL.
const stand = (type: string) =>
	(
		({
			'"any"': 'text',
			anyelement: 'text',
			anynonarray: 'text',
			anycompatible: 'text',
			anycompatiblenonarray: 'text',
			anyarray: 'text[]',
			anycompatiblearray: 'text[]',
		}) as Record<string, string>
	)[type];

type Overload = {
	name: string;
	kind: string;
	retset: boolean;
	variadic: boolean;
	args: string[];
	argKinds: string[];
	ret: string;
	retKind: string;
	aggkind: string | null;
};
type Operator = {name: string; left: string; right: string; result: string};

/** The attacker's objects: a recorder that leaves a file behind (COPY runs as whoever calls it), and the look-alikes. */
function plants(overloads: Overload[], operators: Operator[]): string[] {
	const mapped = (type: string, kind: string) => (kind === 'p' ? stand(type) : type);
	const statements = [
		`create function public.pwned(what text) returns void language plpgsql set search_path = pg_catalog as $$
		begin
		  execute format('copy (select %L) to %L', what, '${records}/' || md5(what || clock_timestamp()::text || random()::text));
		exception when others then null;
		end $$`,
	];
	overloads.forEach((overload, n) => {
		const args = overload.args.map((type, i) => mapped(type, overload.argKinds[i]!));
		const ret = overload.ret === 'void' ? 'void' : mapped(overload.ret, overload.retKind);
		if (
			args.some(type => type === undefined) ||
			ret === undefined ||
			overload.kind === 'w' ||
			overload.kind === 'p' ||
			(overload.aggkind && overload.aggkind !== 'n')
		)
			return;
		if (overload.variadic)
			args[args.length - 1] = `variadic ${args.at(-1)!.endsWith('[]') ? args.at(-1) : `${args.at(-1)}[]`}`;
		const what = `${overload.name}(${args.join(', ')})`;
		if (overload.kind === 'a') {
			const state = ret;
			const stepArgs = args.map(type => `, ${type!.replace('variadic ', '')}`).join('');
			statements.push(
				`create function public.pwned_step_${n}(state ${state}${stepArgs}) ` +
					`returns ${state} language plpgsql set search_path = pg_catalog as $$ ` +
					`begin perform public.pwned(${pg.escapeLiteral(what)}); return state; end $$`
			);
			statements.push(
				`create aggregate public.${overload.name}(${args.length > 0 ? args.join(', ') : '*'}) (sfunc ` +
					`= public.pwned_step_${n}, stype = ${state})`
			);
			return;
		}
		const returns = overload.retset ? `setof ${ret}` : ret;
		const back = overload.retset || ret === 'void' ? 'return;' : 'return null;';
		statements.push(
			`create function public.${overload.name}(${args.join(', ')}) returns ${returns} language plpgsql ` +
				`set search_path = pg_catalog as $$ begin perform public.pwned(${pg.escapeLiteral(what)}); ${back} end $$`
		);
	});
	operators.forEach((operator, n) => {
		const what = pg.escapeLiteral(`${operator.left} ${operator.name} ${operator.right}`);
		statements.push(
			`create function public.pwned_operator_${n}(${operator.left}, ${operator.right}) returns ${operator.result} ` +
				`language plpgsql set search_path = pg_catalog as $$ begin perform public.pwned(${what}); ` +
				`return null; end $$`
		);
		statements.push(
			`create operator public.${operator.name} (leftarg = ${operator.left}, rightarg = ${operator.right}, ` +
				`function = public.pwned_operator_${n})`
		);
	});
	return statements;
}

const planted = () =>
	readdirSync(records)
		.map(file => readFileSync(path.join(records, file), 'utf8').trim())
		.sort();

async function withSuperuser<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({connectionString: url});
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

test('look-alikes of every function and operator the doctor calls, planted in public, never run in any command', async () => {
	assert.deepEqual([...calls.unqualified], [], 'every function the doctor calls is schema-qualified');
	for (const expected of [
		'array_agg',
		'format',
		'set_config',
		'pg_notify',
		'current_setting',
		'has_table_privilege',
		'unnest',
		'json_agg',
		'count',
	]) {
		assert.ok(calls.functions.has(expected), `the tokenizer finds ${expected}`);
	}
	assert.ok(calls.operators.has('=') && calls.operators.has('<>'));

	const item = await stack.setUp();
	const overloads = await withSuperuser(
		item.dbUrl,
		async client =>
			(
				await client.query<Overload>(
					`
		select p.proname as name, p.prokind::text as kind, p.proretset as retset, p.provariadic <> 0 as variadic,
		       array(select format_type(u.t, null) from unnest(p.proargtypes::oid[]) with ordinality u(t, i) order by u.i) as args,
		       array(select y.typtype::text from unnest(p.proargtypes::oid[]) with ordinality u(t, i) join pg_type y
		           on y.oid = u.t order by u.i) as "argKinds",
		       format_type(p.prorettype, null) as ret, r.typtype::text as "retKind", a.aggkind::text as aggkind
		from pg_proc p join pg_type r on r.oid = p.prorettype left join pg_aggregate a on a.aggfnoid = p.oid
		where p.pronamespace = 'pg_catalog'::regnamespace and p.proname = any($1) and p.proallargtypes is null`,
					[[...calls.functions]]
				)
			).rows
	);
	const operators = await withSuperuser(
		item.dbUrl,
		async client =>
			(
				await client.query<Operator>(
					`
		select o.oprname as name, format_type(o.oprleft, null) as left, format_type(o.oprright, null) as right,
			format_type(o.oprresult, null) as result
		from pg_catalog.pg_operator o join pg_catalog.pg_type l on l.oid = o.oprleft join pg_catalog.pg_type r on r.oid = o.oprright
		where o.oprnamespace = 'pg_catalog'::pg_catalog.regnamespace and o.oprname = any($1) and l.typtype <> 'p' and r.typtype <> 'p'`,
					[[...calls.operators]]
				)
			).rows
	);

	// The attacker: a login role with CREATE on public (the default before PostgreSQL 15).
	await item.query(
		`create role doctor_attacker login password 'attacker-pw'; grant create on schema public to doctor_attacker`
	);
	const attackerUrl = stack.pg.url(item.name, 'doctor_attacker', 'attacker-pw');
	const made = new Set<string>();
	await withSuperuser(attackerUrl, async client => {
		for (const statement of plants(overloads, operators)) {
			try {
				await client.query(statement);
				const name = /^create (?:function|aggregate|operator) public\.(\S+?)[( ]/.exec(statement)?.[1];
				if (name && !name.startsWith('pwned')) made.add(name);
			} catch {
				// A plant this PostgreSQL refuses is not planted: `made` lists only what was.
			}
		}
	});
	for (const name of calls.functions) {
		if (!['pg_event_trigger_ddl_commands', 'pg_event_trigger_dropped_objects'].includes(name))
			assert.ok(made.has(name), `a look-alike of ${name} was planted`);
	}
	for (const operator of calls.operators) assert.ok(made.has(operator), `a look-alike of ${operator} was planted`);

	// A stale cache, so that the fixes and wait have something to do.
	await item.query('alter table public.organizations add column created_by text');
	// The strongest form: the doctor's superuser searches public before pg_catalog.
	await item.query(`alter role postgres in database ${item.name} set search_path = public, pg_catalog`);

	// The control: the doctor's own SQL without the pin runs the planted operators, and without the qualification
	// (as it was before issue 9) the planted functions too, so the real assertion below can fail.
	await withSuperuser(item.dbUrl, async client => {
		const [serverFacts, , , , tables] = databaseStatements.slice(4);
		const privileges = objectLookupStatements.at(-1)!;
		const samples: Array<[string, unknown[]]> = [
			[serverFacts!, []],
			[tables!, [['public']]],
			[privileges, [['anon'], 'public', 'organizations', null, null, null, null]],
		];
		for (const [sql, parameters] of samples) {
			await client.query('begin transaction read only');
			await client.query(sql.replaceAll('pg_catalog.', ''), parameters).catch(() => {});
			await client.query('rollback');
		}
	});
	const control = [...new Set(planted())];
	assert.ok(
		control.some(what => /^[a-z_]+\(/.test(what)),
		`without the pin a planted function runs: ${control.join(', ')}`
	);
	assert.ok(
		control.some(what => / (=|<>) /.test(what)),
		`without the pin a planted operator runs: ${control.join(', ')}`
	);
	for (const file of readdirSync(records)) rmSync(path.join(records, file));

	const target = ['--db-url', item.dbUrl, '--api-url', item.api.url];
	const runs = [
		await runCli(['check', ...target, '--json']),
		await runCli([
			'explain',
			"Could not find the 'created_by' column of 'organizations' in the schema cache",
			...target,
		]),
		await runCli(['explain', 'permission denied for table organizations', ...target]),
		await runCli(['explain', 'permission denied for schema public', ...target, '--role', 'anon']),
		await runCli(['check', ...target, '--json', '--fix', 'trigger']),
		await runCli(['check', ...target, '--json', '--fix', 'trigger', '--yes']),
		await runCli(['check', ...target, '--json', '--fix', 'reload', '--yes', '--timeout', '3']),
		await runCli(['wait', ...target, '--timeout', '10']),
		await runCli(['check', ...target, '--json', '--probe']),
		await runCli(['check', ...target, '--json', '--fix', 'uninstall-trigger', '--yes']),
		// Several instances (the same one twice will do): each instance's reload is watched with its own SQL.
		await runCli(['check', ...target, '--api-url', item.api.url, '--json', '--probe']),
	];
	for (const run of runs)
		assert.ok(run.code !== null && run.code <= 2 && !run.stderr.includes('could not finish'), run.stderr);
	assert.equal(runs[5]!.json.fixesApplied[0].ok, true, 'the install worked in this database');
	// The planted functions are new /rpc/ candidates, so whether wait ends healthy depends on PostgREST; it must end in a verdict.
	assert.ok([0, 1].includes(runs[7]!.code!), runs[7]!.stdout);
	assert.deepEqual(readdirSync(records), [], `planted code ran: ${readdirSync(records).length} calls`);
});
