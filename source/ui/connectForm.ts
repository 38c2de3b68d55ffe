// The connect screen's fields as pure data: it starts from what is already known (and says where each value came
// from), checks a field when it is entered, and takes pasted text with its line breaks as Enter, so a pasted URL
// and its newline fill the field and move on instead of running into the next paste.
import {withHttpScheme} from '../withHttpScheme.js';

export type Field = 'dbUrl' | 'apiUrl' | 'apiKey';

export const fields: Field[] = ['dbUrl', 'apiUrl', 'apiKey'];

/** Where a value came from: a flag (--db-url), a variable (DATABASE_URL), or typed here. */
export type Known = Partial<Record<Field, {value: string; source: string}>>;

export type FieldState = {value: string; cursor: number; source?: string; error?: string};

export type ConnectForm = {fields: Record<Field, FieldState>; active: Field; submitted: boolean};

/** Says what is wrong with a value for a field, or nothing when it is usable. */
export type Validate = (field: Field, value: string) => string | undefined;

export function connectForm(known: Known, focusFirst = false): ConnectForm {
	const state = (field: Field): FieldState => {
		const value = known[field]?.value ?? '';
		return {value, cursor: value.length, source: known[field]?.source};
	};
	const form = {fields: {dbUrl: state('dbUrl'), apiUrl: state('apiUrl'), apiKey: state('apiKey')}, submitted: false};
	// The first value still missing gets the cursor; when all are there (reached with u), the first one does.
	const missing = fields.find(field => field !== 'apiKey' && !form.fields[field].value);
	return {...form, active: focusFirst ? 'dbUrl' : (missing ?? 'dbUrl')};
}

export type Keys = {
	return?: boolean;
	upArrow?: boolean;
	downArrow?: boolean;
	tab?: boolean;
	shift?: boolean;
	leftArrow?: boolean;
	rightArrow?: boolean;
	backspace?: boolean;
	delete?: boolean;
};

const step = (field: Field, by: number): Field =>
	fields[Math.min(fields.length - 1, Math.max(0, fields.indexOf(field) + by))]!;

function update(form: ConnectForm, field: Field, change: Partial<FieldState>): ConnectForm {
	return {...form, fields: {...form.fields, [field]: {...form.fields[field], ...change}}};
}

/** PostgREST's address typed as host:port (127.0.0.1:3000, localhost:3000/rest/v1) is read as http://, as --api-url is. */
export function withScheme(field: Field, value: string): string {
	return field === 'apiUrl' ? withHttpScheme(value) : value;
}

/** Enter on a field: check it; on the last field, the form is submitted once every field passes. */
export function enter(form: ConnectForm, validate: Validate): ConnectForm {
	const {active} = form;
	const value = withScheme(active, form.fields[active].value.trim());
	const error = validate(active, value);
	const checked = update(form, active, {value, cursor: Math.min(form.fields[active].cursor, value.length), error});
	if (error) return checked;
	if (active !== 'apiKey') return {...checked, active: step(active, 1)};
	const wrong = fields.find(field => validate(field, checked.fields[field].value));
	if (wrong) return {...update(checked, wrong, {error: validate(wrong, checked.fields[wrong].value)}), active: wrong};
	return {...checked, submitted: true};
}

function insert(form: ConnectForm, text: string): ConnectForm {
	const {value, cursor} = form.fields[form.active];
	return update(form, form.active, {
		value: value.slice(0, cursor) + text + value.slice(cursor),
		cursor: cursor + text.length,
		source: undefined,
		error: undefined,
	});
}

/** One keypress or one pasted chunk. */
export function typeInto(form: ConnectForm, input: string, key: Keys, validate: Validate): ConnectForm {
	const field = form.fields[form.active];
	if (key.return) return enter(form, validate);
	if (key.upArrow || (key.tab && key.shift)) return {...form, active: step(form.active, -1)};
	if (key.downArrow || key.tab) return {...form, active: step(form.active, 1)};
	if (key.leftArrow) return update(form, form.active, {cursor: previous(field.value, field.cursor)});
	if (key.rightArrow) return update(form, form.active, {cursor: next(field.value, field.cursor)});
	if (key.backspace || key.delete) return erase(form);
	// A paste, or keys that arrived together (typed before the screen was up): line breaks are Enter, DEL and BS
	// erase, the rest is text.
	let result = form;
	for (const part of input.split(/(\r\n|\r|\n|\u007F|\u0008)/)) {
		if (part === '\u007F' || part === '\u0008') result = erase(result);
		else if (/^[\r\n]/.test(part)) {
			result = enter(result, validate);
			// A field that was refused keeps the cursor: the rest of the paste is not typed into the wrong field.
			if (result.fields[result.active].error || result.submitted) return result;
		} else if (part) result = insert(result, part);
	}
	return result;
}

function erase(form: ConnectForm): ConnectForm {
	const field = form.fields[form.active];
	const from = previous(field.value, field.cursor);
	return update(form, form.active, {
		value: field.value.slice(0, from) + field.value.slice(field.cursor),
		cursor: from,
		source: undefined,
		error: undefined,
	});
}

function previous(value: string, cursor: number): number {
	if (cursor === 0) return 0;
	return cursor >= 2 && /[\udc00-\udfff]/.test(value[cursor - 1]!) && /[\ud800-\udbff]/.test(value[cursor - 2]!)
		? cursor - 2
		: cursor - 1;
}

function next(value: string, cursor: number): number {
	if (cursor >= value.length) return value.length;
	return cursor + String.fromCodePoint(value.codePointAt(cursor)!).length;
}
