// Finds the PostgREST process behind a loopback URL on this machine (Linux /proc), to send it SIGUSR1.
import {readdirSync, readFileSync, readlinkSync} from 'node:fs';

export function localPostgrestPid(apiUrl: string): number | undefined {
	let url: URL;
	try {
		url = new URL(apiUrl);
	} catch {
		return undefined;
	}
	if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(url.hostname)) return undefined;
	const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
	const inodes = listeningInodes(port);
	if (inodes.size === 0) return undefined;
	for (const entry of safeReaddir('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const comm = safeRead(`/proc/${entry}/comm`).trim();
		if (!comm.startsWith('postgrest')) continue;
		for (const fd of safeReaddir(`/proc/${entry}/fd`)) {
			const inode = /^socket:\[(\d+)\]$/.exec(safeReadlink(`/proc/${entry}/fd/${fd}`))?.[1];
			if (inode && inodes.has(inode)) return Number(entry);
		}
	}
	return undefined;
}

/** Inodes of sockets listening on the port, from /proc/net/tcp and tcp6 (state 0A = LISTEN). */
function listeningInodes(port: number): Set<string> {
	const inodes = new Set<string>();
	for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
		for (const line of safeRead(file).split('\n').slice(1)) {
			const fields = line.trim().split(/\s+/);
			const localPort = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
			if (localPort === port && fields[3] === '0A' && fields[9]) inodes.add(fields[9]);
		}
	}
	return inodes;
}

function safeRead(file: string): string {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

function safeReaddir(directory: string): string[] {
	try {
		return readdirSync(directory);
	} catch {
		return [];
	}
}

function safeReadlink(file: string): string {
	try {
		return readlinkSync(file);
	} catch {
		return '';
	}
}
