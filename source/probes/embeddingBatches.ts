// Many foreign keys' embedding probes in one request. PostgREST resolves every embedding of a request's select,
// nested ones included, while it plans the read (Plan.hs addRels at v11.2.2 and v12.0.2), before the stop the
// probe method relies on (the Accept refusal, or PGRST119 for a spread); a missing one answers PGRST200 first. So a
// request that reaches the stop proves that every embedding in it resolved, each by the same lookup its own probe
// makes (parent relation, child name, the key's name as hint). Any other answer proves nothing about the rest, and
// each key of the batch is then probed alone. A nested embedding costs PostgREST more the deeper it sits (measured
// on 12.0.2: 0.1 ms per embedding at depth 10 to 20, 0.2 ms at depth 100), so batches stay small.
import {objectKey} from '../objectKey.js';
import type {ForeignKey} from './foreignKeys.js';

/** accept: the key's table embeds the referenced relation; spread: the referenced relation spreads the key's table. */
export type EmbeddingDirection = 'accept' | 'spread';

export type EmbeddingBatch = {schema: string; root: string; select: string; keys: ForeignKey[]};

/** Embeddings per request, and the longest select (characters before encoding) a request carries. */
export const batchLimits = {keys: 16, selectLength: 2000};

/**
 * Groups keys into trees of embeddings: a relation embeds, through each of its keys, the relation at the other end,
 * which in turn embeds through its own keys. Every key is in exactly one batch. Siblings never share a name, so no
 * two embeddings of one level could be taken for each other. With accept, a key is also embedded from the relation
 * it references (one-to-many): PostgREST makes both relationships of a key from the same constraint, so a hub that
 * many tables reference gathers them into one request. A spread must be one-to-many to reach its stop, so spread
 * goes that way only.
 */
export function embeddingBatches(
	keys: ForeignKey[],
	direction: EmbeddingDirection,
	quote: (name: string) => string,
	limits = batchLimits
): EmbeddingBatch[] {
	type Edge = {key: ForeignKey; parent: string; child: string};
	const node = (schema: string, name: string) => objectKey({schema, name});
	const edges = (key: ForeignKey): Edge[] =>
		direction === 'spread'
			? [{key, parent: key.foreignTable, child: key.table}]
			: [
					{key, parent: key.table, child: key.foreignTable},
					{key, parent: key.foreignTable, child: key.table},
				];
	const byParent = new Map<string, Edge[]>();
	for (const edge of keys.flatMap(edges)) {
		const parent = node(edge.key.schema, edge.parent);
		byParent.set(parent, [...(byParent.get(parent) ?? []), edge]);
	}
	// How many unused keys lead into each relation: a spread tree rooted where none does reaches furthest.
	const leadingIn = new Map<string, number>();
	const into = (key: ForeignKey) => node(key.schema, edges(key)[0]!.child);
	for (const key of keys) leadingIn.set(into(key), (leadingIn.get(into(key)) ?? 0) + 1);
	const used = new Set<ForeignKey>();
	const batches: EmbeddingBatch[] = [];
	while (used.size < keys.length) {
		const unused = keys.filter(key => !used.has(key));
		const first = unused.find(key => !leadingIn.get(node(key.schema, edges(key)[0]!.parent))) ?? unused[0]!;
		// The first unused key under the root is always taken, so every round uses at least one key.
		const batch: EmbeddingBatch = {schema: first.schema, root: edges(first)[0]!.parent, select: '', keys: []};
		let length = 0;
		const embeddings = (parent: string): string[] => {
			const items: string[] = [];
			const children = new Set<string>();
			for (const {key, child} of byParent.get(node(batch.schema, parent)) ?? []) {
				const item = `${direction === 'spread' ? '...' : ''}${quote(child)}!${quote(key.name)}(`;
				if (used.has(key) || children.has(child) || batch.keys.length >= limits.keys) continue;
				if (batch.keys.length > 0 && length + item.length + 2 > limits.selectLength) continue;
				used.add(key);
				leadingIn.set(into(key), leadingIn.get(into(key))! - 1);
				children.add(child);
				batch.keys.push(key);
				length += item.length + 2;
				const inner = embeddings(child);
				items.push(`${item}${inner.length > 0 ? inner.join(',') : '*'})`);
			}
			return items;
		};
		batch.select = embeddings(batch.root).join(',');
		batches.push(batch);
	}
	return batches;
}
