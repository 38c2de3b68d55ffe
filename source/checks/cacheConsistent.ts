// Through one address, did identical requests meet one schema cache? Answers that describe different schemas came
// from instances whose caches differ: at least one is stale, and one request in N fails. Agreement is only the
// absence of that evidence: every sample may have reached the same instance, so it is never reported as proof.
import {finding} from '../findings.js';
import {plural} from '../wording.js';
import type {CacheSample} from '../probes/cacheAgreement.js';
import type {Check} from './check.js';
import {describeInstance} from './postgrestInstances.js';

type Answer = Extract<CacheSample, {digest: string}>;

/** How many differing entries a message names before it counts the rest. */
const named = 3;

export const cacheConsistent: Check = {
	id: 'cache.consistent',
	title: 'One schema cache behind the address',
	dependsOn: ['api.reachable'],
	appliesTo: facts => facts.agreement !== undefined,
	run(facts) {
		const {samples} = facts.agreement!;
		const answers = samples.filter((sample): sample is Answer => 'digest' in sample);
		const failed = samples.length - answers.length;
		const byDigest = new Map<string, Answer[]>();
		for (const answer of answers) byDigest.set(answer.digest, [...(byDigest.get(answer.digest) ?? []), answer]);
		const groups = [...byDigest.values()].sort((a, b) => b.length - a.length);
		const url = facts.apiUrl ?? 'the API URL';
		const unanswered = failed > 0 ? `; ${failed} got no comparable answer` : '';
		if (groups.length < 2) {
			return {
				status: answers.length >= 2 ? 'pass' : 'warn',
				summary:
					`${answers.length} of ${samples.length} identical requests for GET / through ${url} described ` +
					`the same schema cache${unanswered} (no disagreement seen; that does not prove every instance was reached)`,
			};
		}
		const [majority, ...others] = groups;
		const disagreeing = others.reduce((sum, group) => sum + group.length, 0);
		const differences = others.map(group => difference(majority!, group)).join('; ');
		const instances = (facts.instancesSeen ?? []).map(describeInstance);
		const seen = instances.length > 1 ? ` The database shows these instances: ${instances.join('; ')}.` : '';
		return {
			status: 'fail',
			summary:
				`${disagreeing} of ${answers.length} identical requests through ${url} described another schema ` +
				`cache than the other ${majority!.length}`,
			findings: [
				finding(
					'cache.inconsistent',
					{url, disagreeing, answers: answers.length, majority: majority!.length, unanswered, differences},
					{
						suggestion:
							`Check each instance at its own address: pgrst-doctor check --db-url … --api-url <instance ` +
							`1> --api-url <instance 2> … names the stale one.${seen} Then reload it (SIGUSR1 or a restart) ` +
							`and fix why it did not hear NOTIFY.`,
					}
				),
			],
		};
	},
};

/** What one group of answers had that the other did not, in both directions, naming a few. */
function difference(majority: Answer[], minority: Answer[]): string {
	const inMinority = new Set(minority[0]!.entries);
	const inMajority = new Set(majority[0]!.entries);
	const only = (entries: string[], other: Set<string>) => entries.filter(entry => !other.has(entry));
	const list = (entries: string[]) =>
		`${entries.slice(0, named).join(', ')}${entries.length > named ? ` and ${entries.length - named} more` : ''}`;
	const counted = (entries: string[], have: number, lack: number) =>
		`${list(entries)} in ${plural(have, 'answer')}, not in ${lack}`;
	const missing = only(majority[0]!.entries, inMinority);
	const extra = only(minority[0]!.entries, inMajority);
	return [
		...(missing.length > 0 ? [counted(missing, majority.length, minority.length)] : []),
		...(extra.length > 0 ? [counted(extra, minority.length, majority.length)] : []),
	].join(', ');
}
