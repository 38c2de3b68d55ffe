// A DoctorEngine over reports recorded from real PostgreSQL 18 and PostgREST 12.0.2 (test/fixtures/report-*.json,
// made with `check --json` on the tests' app schema with a column added after PostgREST started): the Ink views are
// tested in milliseconds, exactly, while the e2e tests prove the real engine behind them. report-healthy-12.0.2.json
// is the same schema after `check --fix trigger --yes`, recorded by test/support/recordReports.ts.
import {readFileSync} from 'node:fs';
import {validateField} from '../../source/commands/interactive.js';
import {findingKey} from '../../source/findings.js';
import {fixCatalog} from '../../source/fixes/fixCatalog.js';
import type {FixResult} from '../../source/fixes/applyFixes.js';
import {manualReloadSteps} from '../../source/fixes/manualReload.js';
import type {Report} from '../../source/report/buildReport.js';
import {parseChannel} from '../../source/sql/channel.js';
import {reloadScript} from '../../source/sql/triggerSql.js';
import type {Known} from '../../source/ui/connectForm.js';
import type {DoctorEngine} from '../../source/ui/DoctorApp.js';

export const recorded = <T = Report>(name: string): T =>
	JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;

/**
 * A report recorded before findings had a `key` gets the one `check --json` gives today (findingKey, from the code
 * and the object), so the views that tell findings apart by key see what the CLI would show them.
 */
const keyed = (report: Report): Report => ({
	...report,
	findings: report.findings.map(found => ({...found, key: found.key ?? findingKey(found.code, found)})),
	...(report.before
		? {
				before: {
					...report.before,
					findings: report.before.findings.map(found => ({
						...found,
						key: found.key ?? findingKey(found.code, found),
					})),
				},
			}
		: {}),
});

export const staleReport = keyed(recorded('report-stale-12.0.2.json'));
export const reloadedReport = keyed(recorded('report-reloaded-12.0.2.json'));
export const reloadResult = recorded<FixResult>('fix-reload-12.0.2.json');
export const unreachableReport = keyed(recorded('report-db-unreachable-12.0.2.json'));
export const healthyReport = keyed(recorded('report-healthy-12.0.2.json'));

const channel = parseChannel('pgrst');

export function fakeEngine({
	reports = [staleReport, reloadedReport],
	known = {},
	connected = true,
	apiUrl = 'http://127.0.0.1:14631',
}: {reports?: Report[]; known?: Known; connected?: boolean; apiUrl?: string} = {}) {
	const queue = [...reports];
	const calls: string[] = [];
	const engine: DoctorEngine = {
		connected,
		known: () => known,
		validate: validateField,
		connect(values) {
			calls.push(`connect ${values.dbUrl} ${values.apiUrl}`);
			return undefined;
		},
		async diagnose(onPhase, probe) {
			calls.push(probe ? 'diagnose --probe' : 'diagnose');
			onPhase('database', true, 12);
			return queue.length > 1 ? queue.shift()! : queue[0]!;
		},
		async applyFix(fix) {
			calls.push(`fix ${fix}`);
			return reloadResult;
		},
		sql: script => (script === 'reload' ? reloadScript(channel) : fixCatalog(channel)[script].preview),
		manualSteps: () => manualReloadSteps(channel, apiUrl, undefined),
		target: () => 'postgres@127.0.0.1:14571/scenario_21810_1 · http://127.0.0.1:14631',
		supabase: () => apiUrl.includes('.supabase.co'),
	};
	return {engine, calls};
}
