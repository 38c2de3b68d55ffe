// PostgREST's settings in a Docker Compose file: the PGRST_* variables of the service that runs PostgREST (list or
// map form, with Compose's ${VAR} interpolation from the environment and .env), and the ports it publishes, which
// say where PostgREST answers from this machine. A db-uri naming another service of the file is reached through
// the port that service publishes.
import {createRequire} from 'node:module';
import type * as Yaml from 'yaml'; // its types only: the module itself is loaded when needed (below)
import type {Borrowing, ConfValue} from './postgrestConf.js';
import {type Candidate, type Publish, postgrestCandidates} from './settingCandidates.js';
import type {Provenance} from './settings.js';

// Loaded only when a file is there to parse: most runs have none, and loading it was a fifth of a check's start.
const yaml = () => createRequire(import.meta.url)('yaml') as typeof Yaml;

type Variables = Readonly<Record<string, string | undefined>>;

type Service = {
	name: string;
	environment: Map<string, string>;
	borrowed: Map<string, Borrowing>;
	ports: PortMapping[];
	hostNetwork: boolean;
};

/** Whether a variable's value is the process environment's (yours), not only the folder's .env. */
type Yours = (name: string) => boolean;

/** A published port: the container's port, and the host's address and port (undefined: one Docker picks). */
type PortMapping = {container: number; hostPort?: number; hostIp?: string};

export class ComposeSyntaxError extends Error {}

/** The candidates of the first service that sets PGRST_* variables (or runs a postgrest image). */
export function composeCandidates(
	text: string,
	file: string,
	variables: Variables,
	yours: Yours = () => false
): {candidates: Candidate[]; problems: string[]} {
	let document: unknown;
	try {
		// merge: Compose files share environment blocks through anchors and merge keys (<<: *defaults).
		document = yaml().parse(text, {maxAliasCount: 100, merge: true});
	} catch (error) {
		throw new ComposeSyntaxError(`it is not valid YAML (${String((error as Error).message).split('\n')[0]})`);
	}
	const services = readServices(document, variables, yours);
	const postgrest = services.filter(service =>
		[...service.environment.keys()].some(name => name.startsWith('PGRST_'))
	);
	if (postgrest.length === 0) return {candidates: [], problems: []};
	const [chosen] = postgrest;
	const problems =
		postgrest.length > 1
			? [
					`${file} has ${postgrest.length} services with PGRST_* settings ` +
						`(${postgrest.map(service => service.name).join(', ')}); ${chosen!.name}'s were used`,
				]
			: [];
	const values = new Map<string, ConfValue>();
	for (const [name, value] of chosen!.environment) {
		if (name.startsWith('PGRST_')) values.set(name.slice(6).toLowerCase().replaceAll('_', '-'), value);
	}
	const from = (key: string): Provenance =>
		`${file} (service ${chosen!.name}: PGRST_${key.toUpperCase().replaceAll('-', '_')})`;
	const borrowed = (key: string) => chosen!.borrowed.get(`PGRST_${key.toUpperCase().replaceAll('-', '_')}`);
	const found = postgrestCandidates(values, from, {
		publish: publisher(chosen!, file),
		defaultPort: true,
		reachDatabase: uri => reachDatabase(uri, services, file),
		borrowed,
	});
	return {candidates: found.candidates, problems: [...problems, ...found.problems]};
}

function readServices(document: unknown, variables: Variables, yours: Yours): Service[] {
	const services = isRecord(document) && isRecord(document.services) ? document.services : {};
	return Object.entries(services)
		.filter(([, body]) => isRecord(body))
		.map(([name, body]) => {
			const service = body as Record<string, unknown>;
			return {
				name,
				...environmentOf(service.environment, variables, yours),
				ports: Array.isArray(service.ports)
					? service.ports.flatMap(entry => portMapping(entry, variables))
					: [],
				hostNetwork: service.network_mode === 'host',
			};
		});
}

/**
 * environment: as a list (- NAME=value, - NAME) or a map (NAME: value); a name without a value comes from here. A
 * value that took text from the process environment (not only from .env) is recorded as borrowed.
 */
function environmentOf(
	environment: unknown,
	variables: Variables,
	yours: Yours
): {environment: Map<string, string>; borrowed: Map<string, Borrowing>} {
	const entries: Array<[string, unknown]> = Array.isArray(environment)
		? environment
				.filter((item): item is string => typeof item === 'string')
				.map(item => {
					const equals = item.indexOf('=');
					return equals === -1 ? [item, null] : [item.slice(0, equals), item.slice(equals + 1)];
				})
		: isRecord(environment)
			? Object.entries(environment)
			: [];
	const result = new Map<string, string>();
	const borrowed = new Map<string, Borrowing>();
	for (const [name, value] of entries) {
		if (value === null || value === undefined) {
			if (variables[name] === undefined) continue;
			result.set(name, variables[name]);
			if (yours(name)) borrowed.set(name, {references: [`\${${name}}`], sole: true});
		} else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
			const template = String(value);
			const read: string[] = [];
			result.set(name, interpolateCompose(template, variables, read));
			const references = [...new Set(read.filter(yours))].map(variable => `\${${variable}}`);
			const sole =
				read.length === 1 && references.length === 1 && [`$${read[0]}`, references[0]].includes(template);
			if (references.length > 0) borrowed.set(name, {references, sole});
		}
	}
	return {environment: result, borrowed};
}

/** ports: "8080:3000", "127.0.0.1:8080:3000/tcp", "[::1]:8080:3000", "3000" or 3000 (Docker picks), or the long form. */
function portMapping(entry: unknown, variables: Variables): PortMapping[] {
	if (isRecord(entry)) {
		const container = Number(entry.target);
		const published =
			// eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML scalar; anything else is no port (NaN)
			entry.published === undefined ? undefined : Number(interpolateCompose(String(entry.published), variables));
		const hostIp = typeof entry.host_ip === 'string' ? entry.host_ip : undefined;
		return Number.isInteger(container)
			? [{container, hostPort: Number.isInteger(published) ? published : undefined, hostIp}]
			: [];
	}
	if (typeof entry !== 'string' && typeof entry !== 'number') return [];
	const text = interpolateCompose(String(entry), variables).replace(/\/(?:tcp|udp)$/, '');
	const match = /^(?:(\[[\da-f:.]+\]|\d+\.\d+\.\d+\.\d+):)?(?:(\d+):)?(\d+)$/i.exec(text);
	if (!match) return [];
	const [, hostIp, hostPort, container] = match;
	return [
		{
			container: Number(container),
			hostPort: hostPort === undefined ? undefined : Number(hostPort),
			hostIp: hostIp?.replace(/^\[|\]$/g, ''),
		},
	];
}

function publisher(service: Service, file: string): Publish {
	return port => {
		if (service.hostNetwork) return {url: `http://127.0.0.1:${port}`, how: 'network_mode host'};
		const mapping = service.ports.find(item => item.container === port);
		if (!mapping)
			return {
				problem: `${file}: service ${service.name} does not publish PostgREST's port ${port}, so it cannot be reached from here`,
			};
		if (mapping.hostPort === undefined)
			return {
				problem:
					`${file}: service ${service.name} publishes port ${port} on a port Docker picks, so pgrst-doctor ` +
					`cannot know it (docker compose port ${service.name} ${port} says)`,
			};
		return {
			url: `http://${hostAddress(mapping.hostIp)}:${mapping.hostPort}`,
			how: `port ${port} published as ${mapping.hostPort}`,
		};
	};
}

function hostAddress(hostIp: string | undefined): string {
	if (!hostIp || hostIp === '0.0.0.0') return '127.0.0.1';
	if (hostIp === '::') return '[::1]';
	return hostIp.includes(':') ? `[${hostIp}]` : hostIp;
}

/** A db-uri whose host is a service of this file: the address that service's published port has here. */
function reachDatabase(
	uri: string,
	services: Service[],
	file: string
): {uri: string; how?: string} | {problem: string} {
	if (!URL.canParse(uri)) return {uri};
	const url = new URL(uri);
	const service = services.find(item => item.name === url.hostname);
	if (!service) return {uri};
	const port = Number(url.port || 5432);
	const mapping = service.ports.find(item => item.container === port);
	if (!mapping?.hostPort)
		return {
			problem: `its host ${url.hostname} is a service of ${file} that does not publish port ${port} to this machine`,
		};
	url.hostname = hostAddress(mapping.hostIp);
	url.port = String(mapping.hostPort);
	return {uri: url.toString(), how: `${service.name}:${port} published as ${url.host}`};
}

/**
 * Compose's interpolation: $$ is a dollar sign; $NAME and ${NAME} the variable (empty when unset);
 * ${NAME:-default} / ${NAME-default} the default when unset (or empty, with the colon); ${NAME:+other} / ${NAME+other}
 * the other when set; ${NAME:?message} / ${NAME?message} the variable (Compose would stop when unset: empty here).
 */
export function interpolateCompose(text: string, variables: Variables, read: string[] = []): string {
	let result = '';
	for (let index = 0; index < text.length; index++) {
		const char = text[index]!;
		if (char !== '$') {
			result += char;
			continue;
		}
		const next = text[index + 1];
		if (next === '$') {
			result += '$';
			index++;
			continue;
		}
		const bare = /^[A-Za-z_]\w*/.exec(text.slice(index + 1));
		if (bare) {
			read.push(bare[0]);
			result += variables[bare[0]] ?? '';
			index += bare[0].length;
			continue;
		}
		if (next !== '{') {
			result += char;
			continue;
		}
		const close = matchingBrace(text, index + 1);
		if (close === -1) {
			result += text.slice(index);
			break;
		}
		result += expand(text.slice(index + 2, close), variables, read);
		index = close;
	}
	return result;
}

function expand(inner: string, variables: Variables, read: string[]): string {
	const match = /^([A-Za-z_]\w*)(?:(:?)([-+?])([\s\S]*))?$/.exec(inner);
	if (!match) return '';
	const [, name, colon, operator, word = ''] = match;
	read.push(name!);
	const value = variables[name!];
	const set = colon ? value !== undefined && value !== '' : value !== undefined;
	if (operator === '-') return set ? value! : interpolateCompose(word, variables, read);
	if (operator === '+') return set ? interpolateCompose(word, variables, read) : '';
	return value ?? '';
}

/** The } that closes the { at `open`, counting nested ${…}. */
function matchingBrace(text: string, open: number): number {
	let depth = 0;
	for (let index = open; index < text.length; index++) {
		if (text[index] === '{') depth++;
		if (text[index] === '}' && --depth === 0) return index;
	}
	return -1;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
