// Runs checks in order against one set of facts. A check whose prerequisites did not pass is skipped with the
// reason; a check that throws gets status error instead of taking the doctor down.
import {apiDatabase} from './checks/apiDatabase.js';
import {apiReachable} from './checks/apiReachable.js';
import {cacheChecks} from './checks/cacheChecks.js';
import {cacheConsistent} from './checks/cacheConsistent.js';
import {cacheLoaded} from './checks/cacheLoaded.js';
import type {Check, CheckStatus, Facts} from './checks/check.js';
import {configListener, configServer} from './checks/configMatches.js';
import {databaseConnect} from './checks/databaseConnect.js';
import {instancesReached} from './checks/instancesReached.js';
import {listenerPresent} from './checks/listenerPresent.js';
import {notifyDelivery} from './checks/notifyDelivery.js';
import {projectMatch} from './checks/projectMatch.js';
import {triggerInstalled} from './checks/triggerInstalled.js';
import type {Finding} from './findings.js';

/** A listener PostgREST's own config turns off is not diagnosed as broken: the listener checks wait for config.listener. */
const afterConfig = (check: Check): Check => ({...check, dependsOn: [...check.dependsOn, configListener.id]});

export const checks: Check[] = [
	projectMatch,
	databaseConnect,
	apiReachable,
	apiDatabase,
	instancesReached,
	cacheLoaded,
	...cacheChecks,
	cacheConsistent,
	triggerInstalled,
	configServer,
	configListener,
	afterConfig(listenerPresent),
	afterConfig(notifyDelivery),
];

export type CheckResult = {
	id: string;
	title: string;
	status: CheckStatus;
	summary: string;
	durationMs: number;
	findings: Finding[];
	/** A skipped check: the check it depends on that did not pass, so this one was not run. */
	blockedBy?: string;
};

export function runChecks(facts: Facts, selected: Check[] = checks): CheckResult[] {
	const results = new Map<string, CheckResult>();
	for (const check of selected) {
		if (check.appliesTo && !check.appliesTo(facts)) continue;
		const started = performance.now();
		const blocked = check.dependsOn
			.map(id => results.get(id))
			.find(result => result && result.status !== 'pass' && result.status !== 'warn');
		let result: Omit<CheckResult, 'durationMs'> & {durationMs?: number};
		if (blocked) {
			result = {
				id: check.id,
				title: check.title,
				status: 'skip',
				summary: `Skipped: ${blocked.id} did not pass`,
				findings: [],
				blockedBy: blocked.id,
			};
		} else {
			try {
				const outcome = check.run(facts);
				result = {
					id: check.id,
					title: check.title,
					...outcome,
					findings: (outcome.findings ?? []).map(found => ({...found, check: check.id})),
				};
			} catch (error) {
				result = {
					id: check.id,
					title: check.title,
					status: 'error',
					summary: `The check itself failed: ${(error as Error).message}`,
					findings: [],
				};
			}
		}
		results.set(check.id, {...result, durationMs: Math.round(result.durationMs ?? performance.now() - started)});
	}
	return [...results.values()];
}
