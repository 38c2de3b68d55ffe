// Turning the user's URLs into connection targets and into text that is safe to print.

export class UsageError extends Error {}

export type DatabaseTarget = {connectionString: string; display: string; password?: string};
export type ApiTarget = {url: string; display: string};

export function databaseTarget(text: string): DatabaseTarget {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new UsageError('The database URL is not a valid URL; expected postgresql://user:password@host:5432/database.');
	}
	if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
		throw new UsageError(`The database URL must start with postgresql:// (got ${url.protocol}//).`);
	}
	const user = decodeURIComponent(url.username);
	const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || user || 'postgres';
	const port = url.port || '5432';
	return {
		connectionString: text,
		display: `${user ? `${user}@` : ''}${url.hostname}:${port}/${database}`,
		password: url.password ? decodeURIComponent(url.password) : undefined,
	};
}

export function httpTarget(text: string, what: string): ApiTarget {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new UsageError(`The ${what} is not a valid URL; expected something like http://localhost:3000.`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new UsageError(`The ${what} must start with http:// or https:// (got ${url.protocol}//).`);
	}
	url.username = '';
	url.password = '';
	url.search = '';
	url.hash = '';
	const clean = url.toString().replace(/\/+$/, '');
	return {url: clean, display: clean};
}

/** Replace every secret with *** — the last guard before anything is written. */
export function redact(text: string, secrets: Array<string | undefined>): string {
	let result = text;
	for (const secret of secrets) {
		if (secret && secret.length >= 3) {
			result = result.replaceAll(secret, '***');
			const encoded = encodeURIComponent(secret);
			if (encoded !== secret) result = result.replaceAll(encoded, '***');
		}
	}
	return result;
}
