// A field of the connect screen as drawn: the value typed stays intact, but what is drawn hides the password (one mask,
// whatever its length) and shows control characters as escapes, so neither the password nor a pasted escape
// sequence reaches the screen.
import {Text} from 'ink';
import type React from 'react';
import {passwordSpans} from '../target.js';
import {terminalLine} from '../terminalText.js';

export const passwordMask = '••••';

export type ShownUnit = {text: string; from: number; to: number};

/** The value as drawn, unit by unit: a character each, one mask per password; offsets are into the value. */
export function shownUnits(value: string): ShownUnit[] {
	const spans = passwordSpans(value);
	const units: ShownUnit[] = [];
	let offset = 0;
	while (offset < value.length) {
		const span = spans.find(([from]) => from === offset);
		if (span) {
			units.push({text: passwordMask, from: span[0], to: span[1]});
			offset = span[1];
			continue;
		}
		const character = String.fromCodePoint(value.codePointAt(offset)!);
		units.push({text: terminalLine(character), from: offset, to: offset + character.length});
		offset += character.length;
	}
	return units;
}

/**
 * The units that fit in `width` columns around the cursor, with an ellipsis where some are left out: a long value
 * scrolls in its field instead of wrapping, so no URL is ever cut across lines.
 */
export function visibleUnits(
	units: ShownUnit[],
	cursorUnit: number,
	width: number
): {units: ShownUnit[]; before: boolean; after: boolean} {
	const total = units.reduce((sum, unit) => sum + unit.text.length, 0);
	if (total + 1 <= width) return {units, before: false, after: false};
	let from = Math.min(cursorUnit, units.length);
	let to = from;
	let used = 3;
	while (from > 0 && used + units[from - 1]!.text.length <= width) used += units[--from]!.text.length;
	while (to < units.length && used + units[to]!.text.length <= width) used += units[to++]!.text.length;
	return {units: units.slice(from, to), before: from > 0, after: to < units.length};
}

/**
 * A field without focus that does not fit: its start and its end around one ellipsis, so the host, port and database
 * at the end stay readable (a value cut at its end read as another port).
 */
export function middleUnits(units: ShownUnit[], width: number): {head: ShownUnit[]; tail: ShownUnit[]} | undefined {
	const length = (items: ShownUnit[]) => items.reduce((sum, unit) => sum + unit.text.length, 0);
	if (length(units) + 1 <= width) return undefined;
	const room = Math.max(2, width - 2);
	const head: ShownUnit[] = [];
	while (head.length < units.length && length(head) + units[head.length]!.text.length <= Math.floor(room * 0.4))
		head.push(units[head.length]!);
	const tail: ShownUnit[] = [];
	for (
		let index = units.length - 1;
		index >= head.length && length(head) + length(tail) + units[index]!.text.length <= room;
		index--
	)
		tail.unshift(units[index]!);
	return {head, tail};
}

/** A field's value as drawn: the password masked, control characters as escapes, the cursor when it has focus. */
export function MaskedUrlInput({
	value,
	cursor,
	focused,
	placeholder,
	secret,
	width,
}: {
	readonly value: string;
	readonly cursor: number;
	readonly focused: boolean;
	readonly placeholder: string;
	readonly secret?: boolean;
	readonly width: number;
}): React.JSX.Element {
	if (!value)
		return focused ? (
			<Text>
				<Text inverse>{placeholder[0]}</Text>
				<Text dimColor>{placeholder.slice(1)}</Text>
			</Text>
		) : (
			<Text dimColor>{placeholder}</Text>
		);
	const all = secret
		? Array.from(value, (character, index) => ({text: '*', from: index, to: index + 1}))
		: shownUnits(value);
	const middle = focused ? undefined : middleUnits(all, width);
	if (middle)
		return (
			<Text>
				{middle.head.map(unit => unit.text).join('')}…{middle.tail.map(unit => unit.text).join('')}
			</Text>
		);
	const at = all.findIndex(unit => unit.from <= cursor && cursor < unit.to);
	const shown = visibleUnits(all, focused ? (at === -1 ? all.length : at) : 0, width);
	return (
		<Text>
			{shown.before && '…'}
			{shown.units.map(unit =>
				focused && unit.from <= cursor && cursor < unit.to ? (
					<Text key={unit.from} inverse>
						{unit.text}
					</Text>
				) : (
					unit.text
				)
			)}
			{shown.after && '…'}
			{focused && cursor === value.length && <Text inverse> </Text>}
		</Text>
	);
}
