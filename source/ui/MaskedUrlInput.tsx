// A URL field for the connect screen: the value typed stays intact, but what is drawn hides the password (one mask,
// whatever its length) and shows control characters as escapes, so neither the password nor a pasted escape
// sequence reaches the screen.
import {Text, useInput} from 'ink';
import React, {useState} from 'react';
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

export function MaskedUrlInput({placeholder, onSubmit}: {placeholder: string; onSubmit(value: string): void}): React.JSX.Element {
	const [{value, cursor}, setField] = useState({value: '', cursor: 0});
	useInput((input, key) => {
		if (key.upArrow || key.downArrow || key.tab || (key.ctrl && input === 'c')) return;
		if (key.return) return onSubmit(value);
		setField(field => {
			if (key.leftArrow) return {...field, cursor: previous(field.value, field.cursor)};
			if (key.rightArrow) return {...field, cursor: next(field.value, field.cursor)};
			if (key.backspace || key.delete) {
				const from = previous(field.value, field.cursor);
				return {value: field.value.slice(0, from) + field.value.slice(field.cursor), cursor: from};
			}
			return {value: field.value.slice(0, field.cursor) + input + field.value.slice(field.cursor), cursor: field.cursor + input.length};
		});
	});
	if (!value) return <Text><Text inverse>{placeholder[0]}</Text><Text dimColor>{placeholder.slice(1)}</Text></Text>;
	return (
		<Text>
			{shownUnits(value).map(unit => (unit.from <= cursor && cursor < unit.to ? <Text key={unit.from} inverse>{unit.text}</Text> : unit.text))}
			{cursor === value.length && <Text inverse> </Text>}
		</Text>
	);
}

function previous(value: string, cursor: number): number {
	if (cursor === 0) return 0;
	return cursor >= 2 && /[\udc00-\udfff]/.test(value[cursor - 1]!) && /[\ud800-\udbff]/.test(value[cursor - 2]!) ? cursor - 2 : cursor - 1;
}

function next(value: string, cursor: number): number {
	if (cursor >= value.length) return value.length;
	return cursor + String.fromCodePoint(value.codePointAt(cursor)!).length;
}
