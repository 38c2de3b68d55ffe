// Channel names that have broken SQL generators: reserved words, quotes, dollar tags, line breaks, controls, 63 bytes.
export const awkwardChannels = [
	'user',
	'select',
	'Custom Chan',
	'with "quotes" and \'apostrophes\'',
	'dollar$sign',
	'a$pgrst_doctor$b',
	'$pgrst_doctor$',
	'line\nbreak; drop table x; --',
	'tab\tand\rcr',
	'back\\slash',
	'ünïcødé 🚀',
	'x'.repeat(63),
	'é'.repeat(31) + 'x',
];
