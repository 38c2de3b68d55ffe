// Word wrapping for a mark and its text: Ink's own wrap keeps the space at a break, so a continuation line can start
// one column off, and it cuts any word that does not fit the rest of a line. Here every line starts under the text,
// a word moves whole to the next line, and only a word wider than the whole column is cut.
export type Span = {text: string; dim?: boolean; color?: string};

/** The spans as lines of at most `width` characters, broken at spaces, each line's spans in order. */
export function wrapWords(spans: Span[], width: number): Span[][] {
	const column = Math.max(8, width);
	const lines: Span[][] = [[]];
	let used = 0;
	const put = (word: string, style: Omit<Span, 'text'>, space: string) => {
		const line = lines.at(-1)!;
		const last = line.at(-1);
		const text = used > 0 ? `${space}${word}` : word;
		if (last && last.dim === style.dim && last.color === style.color) last.text += text;
		else line.push({...style, text});
		used += text.length;
	};
	// The spaces before the next word, as they were: a break takes them, otherwise they are kept as written.
	let pendingSpace = '';
	for (const {text, ...style} of spans) {
		const parts = text.split(/( +)/);
		for (const part of parts) {
			if (part === '') continue;
			if (part.startsWith(' ')) {
				pendingSpace += part;
				continue;
			}
			let word = part;
			while (word) {
				const needed = word.length + (used > 0 ? pendingSpace.length : 0);
				if (used > 0 && used + needed > column) {
					lines.push([]);
					used = 0;
				}
				const piece = word.length > column ? word.slice(0, column) : word;
				put(piece, style, pendingSpace);
				pendingSpace = '';
				word = word.slice(piece.length);
			}
		}
	}
	return lines;
}
