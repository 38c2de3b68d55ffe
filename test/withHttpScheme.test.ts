// `--api-url 127.0.0.1:3000` means http://127.0.0.1:3000; what does not read as a host is left for the URL check.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {httpTarget} from '../source/target.js';
import {withHttpScheme} from '../source/withHttpScheme.js';

test('a host with a port, a dot or localhost gets http://', () => {
	for (const [written, meant] of [
		['127.0.0.1:3000', 'http://127.0.0.1:3000'],
		['localhost:3000', 'http://localhost:3000'],
		['localhost', 'http://localhost'],
		['db:3000/rest/v1', 'http://db:3000/rest/v1'],
		['api.example.com/rest/v1', 'http://api.example.com/rest/v1'],
		['[::1]:3000', 'http://[::1]:3000'],
	]) {
		assert.equal(withHttpScheme(written!), meant, written);
		assert.equal(httpTarget(withHttpScheme(written!), '--api-url').url, meant!.replace(/\/$/, ''));
	}
});

test('URLs with a scheme and real garbage are left alone (and still refused)', () => {
	for (const text of ['https://x.supabase.co/rest/v1', 'postgresql://u@h/db', 'ftp://h'])
		assert.equal(withHttpScheme(text), text);
	for (const garbage of ['3000', 'garbage', 'not a url', 'mailto:x@y', 'user:pw@host:3000', 'foo:bar', '']) {
		assert.equal(withHttpScheme(garbage), garbage);
		assert.throws(() => httpTarget(withHttpScheme(garbage), '--api-url'), /--api-url/, garbage);
	}
});
