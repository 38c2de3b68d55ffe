// A project folder as users have them, in a fresh temporary directory: each file at its relative path.
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {discoverSettings, type DiscoveryInput} from '../../source/settings/discoverSettings.js';

export function projectFolder(files: Record<string, string>): string {
	const directory = mkdtempSync(path.join(tmpdir(), 'pgrst-doctor-project-'));
	for (const [name, text] of Object.entries(files)) {
		mkdirSync(path.dirname(path.join(directory, name)), {recursive: true});
		writeFileSync(path.join(directory, name), text);
	}
	return directory;
}

/** Discovery in a folder, with the environment and flags a test gives (none by default). */
export const discover = (
	directory: string,
	environment: DiscoveryInput['environment'] = {},
	flags: DiscoveryInput['flags'] = {}
) => discoverSettings({flags, environment, directory});
