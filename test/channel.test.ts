// The Channel value and its renderers (issue 9, cases 2 and 3): every spelling renders to SQL that PostgreSQL reads
// back as the same name, and no rendering carries a raw control character or a way out of its context.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {channelIdentifier, channelLiteral, parseChannel} from '../source/sql/channel.js';
import {dollarQuote} from '../source/sql/dollarQuote.js';
import {quoteIdentifier} from '../source/sql/quoteIdentifier.js';
import {reloadSql} from '../source/sql/reloadSql.js';
import {installTriggerSql, uninstallTriggerSql} from '../source/sql/triggerSql.js';
import {UsageError} from '../source/target.js';
import {awkwardChannels} from './support/awkwardChannels.js';

test('a channel is 1 to 63 bytes of UTF-8 without NUL; anything else is a usage error with one sentence', () => {
	assert.equal(parseChannel('x'.repeat(63)), 'x'.repeat(63));
	assert.equal(parseChannel('é'.repeat(31) + 'x'), 'é'.repeat(31) + 'x', '63 bytes in 32 characters');
	for (const [text, reason] of [
		['x'.repeat(64), /64 bytes long; PostgreSQL channel names are 1 to 63 bytes/],
		['é'.repeat(32), /64 bytes/],
		['', /must not be empty/],
		['a\u0000b', /NUL/],
		['a\uD800', /UTF-8/],
		['bad\uFFFDbytes', /UTF-8/],
	] as const) {
		assert.throws(
			() => parseChannel(text),
			(error: Error) => error instanceof UsageError && reason.test(error.message) && !error.message.includes('\n')
		);
	}
});

test('identifiers: bare only when lower case and not a keyword; reserved words, quotes and controls are quoted', () => {
	assert.equal(channelIdentifier(parseChannel('pgrst')), 'pgrst');
	assert.equal(channelIdentifier(parseChannel('user')), '"user"');
	assert.equal(channelIdentifier(parseChannel('select')), '"select"');
	assert.equal(channelIdentifier(parseChannel('Custom Chan')), '"Custom Chan"');
	assert.equal(channelIdentifier(parseChannel('say "hi"')), '"say ""hi"""');
	assert.equal(channelIdentifier(parseChannel('a\nb\\c')), 'U&"a\\000Ab\\\\c"');
	assert.equal(quoteIdentifier('esc\u001b[31m'), 'U&"esc\\001B[31m"');
	assert.equal(quoteIdentifier('c1\u009bdel\u007f'), 'U&"c1\\009Bdel\\007F"');
	assert.equal(reloadSql(parseChannel('user')), 'NOTIFY "user", \'reload schema\';');
});

test("literals: quotes doubled; a backslash or a control character uses E'…' escapes", () => {
	assert.equal(channelLiteral(parseChannel("it's")), "'it''s'");
	assert.equal(channelLiteral(parseChannel('a\nb')), "E'a\\u000ab'");
	assert.equal(channelLiteral(parseChannel("back\\slash'")), "E'back\\\\slash'''");
});

test('a dollar-quoted body gets a tag that does not occur in it', () => {
	assert.equal(dollarQuote('plain'), '$pgrst_doctor$plain$pgrst_doctor$');
	assert.equal(dollarQuote('x $pgrst_doctor$ y'), '$pgrst_doctor_1$x $pgrst_doctor$ y$pgrst_doctor_1$');
	assert.equal(
		dollarQuote('$pgrst_doctor$$pgrst_doctor_1$'),
		'$pgrst_doctor_2$$pgrst_doctor$$pgrst_doctor_1$$pgrst_doctor_2$'
	);
});

test('generated scripts hold no control character but their own line breaks, and every body ends where it should', () => {
	for (const name of awkwardChannels) {
		const channel = parseChannel(name);
		for (const script of [installTriggerSql(channel), reloadSql(channel), uninstallTriggerSql()]) {
			assert.doesNotMatch(
				script,
				/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/,
				`no raw control character for ${JSON.stringify(name)}`
			);
		}
		const script = installTriggerSql(channel);
		// Each function body runs from its opening tag to the same tag, which closes it only after its last line.
		const bodies = [...script.matchAll(/ as \$(\w+)\$([\s\S]*?)\$\1\$;/g)].map(match => match[2]!);
		assert.equal(bodies.length, 2);
		for (const body of bodies)
			assert.match(body, /perform pg_catalog\.pg_notify\([^\n]*, 'reload schema'\);\n {2}end if;\nend $/);
		for (const line of script.split('\n').filter(text => text.startsWith('--'))) {
			assert.ok(!line.includes('\n'));
		}
		if (name.includes('\n'))
			assert.ok(!script.includes('drop table x; --\n'), 'the newline never reaches the comment or the body raw');
	}
});
