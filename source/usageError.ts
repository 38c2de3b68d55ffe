// A problem with what was typed: one sentence, exit 2. Its own module so that the entry can recognise it without
// loading the database driver (which --help never needs).
export class UsageError extends Error {
	/** notes: lines shown under the sentence (what discovery found and did not use), each made safe on its own. */
	constructor(
		message: string,
		readonly notes: readonly string[] = []
	) {
		super(message);
	}
}
