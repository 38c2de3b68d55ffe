/** An identifier as SQL needs it: bare when PostgreSQL would not fold or misread it, else double-quoted. */
export function quoteIdentifier(name: string): string {
	return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}
