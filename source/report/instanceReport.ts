// Several PostgREST instances checked at their own addresses: one report, with a column per instance for each check
// and every finding that is about one instance naming it. A finding every instance reported (a missing trigger, a
// column missing everywhere) is about the database, so it stays unnamed; one that only some reported names each of them.
import type {CheckStatus} from '../checks/check.js';
import {type Finding, findingKey} from '../findings.js';
import type {Fix} from '../fixes/fixCatalog.js';
import {exitCodeFor, type Report} from './buildReport.js';

/** One instance's own results: its address (without credentials), what it is, and each check's outcome on it. */
export type InstanceResult = {
	label: string;
	api: string;
	version: string | null;
	cacheSource: string | null;
	exitCode: number;
	checks: Array<{id: string; status: CheckStatus; summary: string}>;
};

/** Worse first: a check that was skipped on one instance was not made there, which a pass elsewhere cannot make up for. */
const statusRank: Record<CheckStatus, number> = {error: 4, fail: 3, skip: 2, warn: 1, pass: 0};

export const instanceLabel = (index: number) => `#${index + 1}`;

export function mergeInstanceReports(reports: Report[]): Report {
	const [first] = reports;
	const labels = reports.map((_report, index) => instanceLabel(index));
	const ids = [...new Set(reports.flatMap(report => report.checks.map(check => check.id)))];
	const checks = ids.map(id => {
		const each = reports.map(report => report.checks.find(check => check.id === id));
		const present = each.filter(check => check !== undefined);
		const worst = present.reduce((a, b) => (statusRank[b.status] > statusRank[a.status] ? b : a));
		return {
			...worst,
			summary: mergedSummary(each, labels),
			durationMs: Math.max(...present.map(check => check.durationMs)),
		};
	});
	const findings = mergedFindings(reports);
	const fixes = new Map<string, Fix>();
	for (const fix of reports.flatMap(report => report.fixes)) if (!fixes.has(fix.id)) fixes.set(fix.id, fix);
	const requests = reports.reduce((sum, report) => sum + (report.postgrest.requests ?? 0), 0);
	const bytesRead = reports.reduce((sum, report) => sum + (report.postgrest.bytesRead ?? 0), 0);
	return {
		...first!,
		postgrest: {...first!.postgrest, requests, bytesRead},
		checks,
		findings,
		fixes: [...fixes.values()],
		instances: reports.map((report, index) => ({
			label: labels[index]!,
			api: report.target.api ?? '',
			version: report.postgrest.version,
			cacheSource: report.postgrest.cacheSource,
			exitCode: report.exitCode,
			checks: report.checks.map(({id, status, summary}) => ({id, status, summary})),
		})),
		exitCode: exitCodeFor(findings, checks),
	};
}

/** One summary when every instance said the same; else each distinct outcome with the instances that had it, worst first. */
function mergedSummary(each: Array<Report['checks'][number] | undefined>, labels: string[]): string {
	const outcomes = new Map<string, {status: CheckStatus; summary: string; labels: string[]}>();
	for (const [index, check] of each.entries()) {
		if (!check) continue;
		const key = `${check.status}\u0000${check.summary}`;
		const outcome = outcomes.get(key) ?? {status: check.status, summary: check.summary, labels: []};
		outcome.labels.push(labels[index]!);
		outcomes.set(key, outcome);
	}
	if (outcomes.size === 1) return [...outcomes.values()][0]!.summary;
	return [...outcomes.values()]
		.sort((a, b) => statusRank[b.status] - statusRank[a.status])
		.map(outcome => `${outcome.labels.join(' ')}: ${outcome.summary}`)
		.join(' | ');
}

/** Each finding once: unnamed when every instance reported it, else once per instance that did, with its address. */
function mergedFindings(reports: Report[]): Finding[] {
	// Two instances may word one problem differently (another cached signature): then each keeps its own.
	const key = (found: Finding) => JSON.stringify([found.key, found.message]);
	const counts = new Map<string, number>();
	for (const report of reports) {
		for (const found of new Set(report.findings.map(key))) counts.set(found, (counts.get(found) ?? 0) + 1);
	}
	const merged: Finding[] = [];
	const shared = new Set<string>();
	for (const report of reports) {
		for (const found of report.findings) {
			const id = key(found);
			if (counts.get(id) === reports.length) {
				if (!shared.has(id)) merged.push(found);
				shared.add(id);
			} else {
				const instance = report.target.api ?? '';
				merged.push({...found, key: findingKey(found.code, {...found, instance}), instance});
			}
		}
	}
	return merged;
}
