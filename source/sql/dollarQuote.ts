/** A dollar-quoted body whose tag does not occur in it, so nothing inside can end it early. */
export function dollarQuote(body: string, tag = 'pgrst_doctor'): string {
	let chosen = tag;
	for (let n = 1; body.includes(`$${chosen}$`); n++) chosen = `${tag}_${n}`;
	return `$${chosen}$${body}$${chosen}$`;
}
