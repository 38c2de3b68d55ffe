// The interactive doctor's runner: builds the engine from the same pieces `check` uses and mounts Ink.
import {render} from 'ink';
import React from 'react';
import type {DiagnosisOptions} from '../collectFacts.js';
import {applyFix} from '../fixes/applyFixes.js';
import {fixCatalog} from '../fixes/fixCatalog.js';
import {manualReloadSteps} from '../fixes/manualReload.js';
import {reloadScript} from '../sql/triggerSql.js';
import {databaseTarget, httpTarget, UsageError} from '../target.js';
import {DoctorApp, type DoctorEngine} from '../ui/DoctorApp.js';
import {diagnose, fixContext} from './check.js';

export function doctorEngine(initial: DiagnosisOptions): DoctorEngine {
	let options = initial;
	return {
		connected: Boolean(options.database && options.api),
		connect(values) {
			try {
				options = {...options, database: databaseTarget(values.dbUrl), api: httpTarget(values.apiUrl, 'PostgREST URL'), apiKey: values.apiKey || options.apiKey};
				return undefined;
			} catch (error) {
				if (error instanceof UsageError) return error.message;
				throw error;
			}
		},
		diagnose: async (onPhase, probe) => diagnose({...options, onPhase, probe}),
		applyFix: async (fix, before) => applyFix(fix, fixContext(options, before)),
		sql: fix => (fix === 'reload' ? reloadScript(options.channel) : fixCatalog(options.channel)[fix].preview),
		manualSteps: () => manualReloadSteps(options.channel, options.api?.url, options.database?.connectionString),
		target: () => [options.database?.display, options.api?.display].filter(Boolean).join(' · '),
	};
}

export async function interactiveCommand(options: DiagnosisOptions): Promise<number> {
	let code = 0;
	const app = render(<DoctorApp engine={doctorEngine(options)} onExit={exitCode => (code = exitCode)} />, {exitOnCtrlC: false});
	await app.waitUntilExit();
	return code;
}
