// Supabase names its project in the API URL (<ref>.supabase.co), in a legacy key's ref claim and in the database URL
// (db.<ref> or the pooler user postgres.<ref>). When they name different projects, one project's schema cache would
// be compared with another project's database: every verdict would be meaningless, so none is given.
import {type Finding, finding} from '../findings.js';
import {apiKeysPage, localProject, namesOtherProjects, type ProjectRefs} from '../settings/supabaseShape.js';
import type {Check} from './check.js';

const sources: Record<keyof ProjectRefs, string> = {
	api: 'the API URL',
	key: 'the API key (its ref claim)',
	database: 'the database URL',
};

export const projectMatch: Check = {
	id: 'config.project',
	title: 'URLs and key of one Supabase project',
	dependsOn: [],
	// Run only where something names a Supabase project: a self-hosted PostgREST has nothing to compare here.
	appliesTo: ({projectRefs = {}}) => namedRefs(projectRefs).length > 0,
	run({projectRefs = {}}) {
		const named = namedRefs(projectRefs);
		if (!namesOtherProjects(projectRefs)) {
			const who = named.map(([source]) => sources[source]);
			const listed = who.length > 1 ? `${who.slice(0, -1).join(', ')} and ${who.at(-1)!}` : who[0]!;
			const project =
				named[0]![1] === localProject ? "supabase start's local project" : `project ${named[0]![1]}`;
			return {
				status: 'pass',
				summary: `${listed[0]!.toUpperCase()}${listed.slice(1)} name${named.length === 1 ? 's' : ''} ${project}`,
			};
		}
		return {
			status: 'fail',
			summary: 'Different Supabase projects: nothing compared here is a verdict',
			findings: [projectMismatch(named)],
		};
	},
};

function namedRefs(refs: ProjectRefs): Array<[keyof ProjectRefs, string]> {
	return (Object.keys(sources) as Array<keyof ProjectRefs>).flatMap(source =>
		refs[source] ? [[source, refs[source]] as [keyof ProjectRefs, string]] : []
	);
}

function projectMismatch(named: Array<[keyof ProjectRefs, string]>): Finding {
	const who = named.map(([source, ref]) => `${sources[source]} names ${ref}`).join(', ');
	const pages = [...new Set(named.map(([, ref]) => ref))]
		.filter(ref => ref !== localProject)
		.map(ref => apiKeysPage(ref));
	const local = named.some(([, ref]) => ref === localProject) ? ['supabase status -o env for supabase start'] : [];
	return finding(
		'config.project_mismatch',
		{who},
		{
			suggestion:
				`Decide which project the app uses and take the API URL, the key and the database URL all from ` +
				`it (Project URL and keys: ${[...pages, ...local].join(' or ')}; the database URL: Connect ` +
				`in the same project's dashboard), then run the doctor again.`,
		}
	);
}
