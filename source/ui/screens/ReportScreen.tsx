// Under a diagnosis (the record above shows it): the keys for what can be done next. On a short window, one line of
// keys instead of the list, so that the live part stays shorter than the window.
import {Select} from '@inkjs/ui';
import {Box, Text} from 'ink';
import type React from 'react';
import {terminalLine} from '../../terminalText.js';
import type {MenuItem} from '../doctorState.js';
import {Marked} from '../ReportView.js';

export type ReportScreenProps = {
	/** The menu for the report on screen (doctorState's menuFor). */
	readonly menu: readonly MenuItem[];
	/** A note about this screen only, above the menu. */
	readonly notice?: string;
	/** The window's height, when known. */
	readonly rows?: number;
	/** Called with the item chosen with the arrows and enter; a key pressed alone is DoctorApp's. */
	readonly onChoose: (item: MenuItem) => void;
};

export function ReportScreen({menu, notice, rows, onChoose}: ReportScreenProps): React.JSX.Element {
	const tall = menu.length + (notice ? 5 : 4);
	const compact = rows !== undefined && rows > 0 && tall >= rows;
	const options = menu.map(item => ({label: `[${item.key}] ${item.label}`, value: item.key}));
	const choose = (value: string) => {
		const item = menu.find(candidate => candidate.key === value);
		if (item) onChoose(item);
	};
	return (
		<Box flexDirection="column" marginTop={1}>
			{notice && (
				<Text color="yellow" wrap="wrap">
					{terminalLine(notice)}
				</Text>
			)}
			<Text bold>What next?</Text>
			{compact ? (
				<Marked mark="" spans={[{text: menu.map(keyWord).join(' · ')}]} />
			) : (
				<Select options={options} onChange={choose} visibleOptionCount={menu.length} />
			)}
			{!compact && <Text dimColor>↑↓ move · enter choose · or press a key · ctrl-c cancel</Text>}
		</Box>
	);
}

/** "r reload": the key and the first word of its label, held together by a no-break space. */
function keyWord(item: MenuItem): string {
	return `${item.key}\u00A0${item.label.split(' ')[0]!.replace(/\W+$/, '').toLowerCase()}`;
}
