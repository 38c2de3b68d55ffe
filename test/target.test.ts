// Targets are displayed from parsed parts, never from the URL text; the connect screen's field hides the password
// while it is typed. Pure: no connection is made.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {UsageError, databaseTarget, passwordSpans} from '../source/target.js';
import {passwordMask, shownUnits} from '../source/ui/MaskedUrlInput.js';

const shown = (value: string) =>
	shownUnits(value)
		.map(unit => unit.text)
		.join('');
const passwords = ['postgres', 'true', '1', 'a/b@c', '100%pure', 'say "hi"', 'back\\slash', 'p#q?r&s=t:u'];

test('every password, percent-encoded, gives the same display: user@host:port/database', () => {
	for (const password of passwords) {
		const target = databaseTarget(
			`postgresql://app:${encodeURIComponent(password)}@db.example.com:6543/postgres?sslmode=disable`
		);
		assert.equal(target.display, 'app@db.example.com:6543/postgres', password);
	}
	assert.equal(
		databaseTarget('postgresql://app:100%pure@h/db').display,
		'app@h:5432/db',
		'an unencoded % is read the way pg reads it'
	);
	assert.equal(
		databaseTarget('postgresql://h/db?user=me&password=secret').display,
		'me@h:5432/db',
		'user and password as parameters'
	);
	assert.equal(databaseTarget('postgresql://app:pw@[::1]:5433/d%20b').display, 'app@[::1]:5433/d b');
});

test('the display shows what pg will use: its defaults for what the URL leaves out', () => {
	const saved = {
		PGUSER: process.env.PGUSER,
		PGDATABASE: process.env.PGDATABASE,
		PGPORT: process.env.PGPORT,
		PGHOST: process.env.PGHOST,
	};
	try {
		Object.assign(process.env, {PGUSER: 'envuser', PGDATABASE: 'envdb', PGPORT: '6000', PGHOST: 'envhost'});
		assert.equal(databaseTarget('postgresql://').display, 'envuser@envhost:6000/envdb');
		assert.equal(databaseTarget('postgresql://u@h:1/d').display, 'u@h:1/d');
		delete process.env.PGDATABASE;
		assert.equal(
			databaseTarget('postgresql://u@h').display,
			'u@h:6000/u',
			'the database defaults to the user, as in pg'
		);
	} finally {
		for (const [name, value] of Object.entries(saved)) {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
	}
});

test('a URL that does not read cleanly is refused without repeating it, with percent-encoding advice', () => {
	for (const url of [
		'postgresql://app:a/b@c@db.example.com:5432/postgres',
		'postgresql://app:12/sec@ret@db.example.com:5432/postgres',
		'postgresql://app:1?sec@ret@db.example.com/postgres',
		'postgresql://app:1#sec@ret@db.example.com/postgres',
	]) {
		assert.throws(
			() => databaseTarget(url),
			(error: Error) => {
				assert.ok(error instanceof UsageError);
				assert.ok(!error.message.includes('sec') && !error.message.includes('a/b'), error.message);
				assert.match(error.message, /percent-encode .*\/ as %2F, @ as %40, % as %25/);
				return true;
			},
			url
		);
	}
	assert.throws(
		() => databaseTarget('mysql://app:secret@h/db'),
		(error: Error) => !error.message.includes('secret') && /must start with postgresql:\/\//.test(error.message)
	);
	assert.throws(
		() => databaseTarget('app:secret@h/db'),
		(error: Error) => !error.message.includes('secret')
	);
	assert.throws(() => databaseTarget('postgresql://h/db?sslrootcert=/nonexistent/ca.pem'), /certificate or key file/);
});

test('while a database URL is typed, no prefix ever shows the password', () => {
	for (const password of ['s3cr3t', '12345', 'a:b', 'p@ss']) {
		const url = `postgresql://app:${encodeURIComponent(password)}@db.example.com:5432/postgres`;
		const start = 'postgresql://app:'.length;
		for (let end = start + 1; end <= url.length; end++) {
			const typed = url.slice(0, end);
			const text = shown(typed);
			const secret = typed.slice(start, Math.min(end, start + encodeURIComponent(password).length));
			assert.ok(!text.includes(`app:${secret}`), `${JSON.stringify(typed)} is shown as ${JSON.stringify(text)}`);
			assert.ok(text.includes(`app:${passwordMask}`), text);
		}
		assert.equal(shown(url), `postgresql://app:${passwordMask}@db.example.com:5432/postgres`);
	}
	assert.equal(
		shown('postgresql://localhost:5432/postgres'),
		'postgresql://localhost:5432/postgres',
		'a port is not a password'
	);
	assert.equal(
		shown('postgresql://h/db?user=u&password=hunter2&sslmode=require'),
		`postgresql://h/db?user=u&password=${passwordMask}&sslmode=require`
	);
	assert.equal(
		shown('postgresql://u@h\u001B]0;x\u0007/db'),
		'postgresql://u@h\\x1b]0;x\\x07/db',
		'pasted control characters are shown, not emitted'
	);
	assert.deepEqual(passwordSpans('postgresql://u:pw@h/db'), [[15, 17]]);
	assert.deepEqual(passwordSpans('postgresql://u@h/db'), []);
});

test("an HTTP URL shows its port; its password is hidden like a database URL's", () => {
	assert.equal(shown('http://127.0.0.1:3000'), 'http://127.0.0.1:3000');
	assert.equal(
		shown('https://user:key@api.example.com/rest/v1'),
		`https://user:${passwordMask}@api.example.com/rest/v1`
	);
	assert.equal(shown('https://user:k3y'), `https://user:${passwordMask}`);
});
