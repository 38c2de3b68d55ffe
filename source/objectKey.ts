// The keys that match one object across the catalog, PostgREST's cache and the probes: the parts joined by NUL, which
// no identifier may contain, so two objects never share a key whatever their names (dots and quotes included).
export function objectKey(object: {schema: string; name: string}): string {
	return `${object.schema}\u0000${object.name}`;
}

/** One key per foreign key constraint: its table, its name and the relation it references. */
export function foreignKeyKey(key: {schema: string; table: string; name: string; foreignTable: string}): string {
	return [key.schema, key.table, key.name, key.foreignTable].join('\u0000');
}
