// send's reader (probes/http.ts): a 200 body goes to it chunk by chunk and is not also kept; any other answer is kept
// as bytes; the size cap still holds. Served by node:http with the recorded OpenAPI description of PostgREST 12.0.2
// (test/support/recordFixtures.ts), written in small chunks as a chunked transfer like PostgREST's.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {after, before, test} from 'node:test';
import {closeHttp, type HttpMeter, send} from '../source/probes/http.js';
import {openApiReader, openApiTables} from '../source/probes/openApiTables.js';

const recorded = readFileSync(new URL('fixtures/openapi-12.0.2.json', import.meta.url));
let baseUrl = '';
const server = createServer((request, response) => {
	const status = request.url === '/missing' ? 404 : 200;
	response.writeHead(status, {'content-type': 'application/openapi+json'});
	const body =
		request.url === '/large'
			? Buffer.from(`{"swagger":"2.0","paths":"${'x'.repeat(1536 * 1024)}"}`)
			: status === 200
				? recorded
				: Buffer.from('{"code":"PGRST205","message":"m","details":null,"hint":null}');
	for (let at = 0; at < body.length; at += 1000) response.write(body.subarray(at, at + 1000));
	response.end();
});

before(async () => {
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
	await closeHttp();
	await new Promise(resolve => server.close(resolve));
});

test('a 200 body goes to the reader and is not kept as well', async () => {
	const meter: HttpMeter = {requests: 0, bytesRead: 0};
	const answer = await send({baseUrl, timeoutMs: 5000, meter}, '/', {cap: 'document', read: () => openApiReader()});
	assert.deepEqual(answer.read, openApiTables(recorded));
	assert.equal(answer.body.length, 0);
	assert.equal(meter.bytesRead, recorded.length);
	assert.equal(answer.tooLarge, undefined);
});

test('another status is kept as bytes and never given to the reader', async () => {
	let made = 0;
	const answer = await send({baseUrl, timeoutMs: 5000}, '/missing', {
		read: () => (made++, openApiReader()),
	});
	assert.equal(answer.status, 404);
	assert.equal(made, 0);
	assert.equal('read' in answer, false);
	assert.match(answer.text, /PGRST205/);
});

test('a body past the cap is dropped, with nothing read', async () => {
	const meter: HttpMeter = {requests: 0, bytesRead: 0};
	const answer = await send({baseUrl, timeoutMs: 5000, meter}, '/large', {
		cap: 'answer',
		read: () => openApiReader(),
	});
	assert.equal(answer.tooLarge, true);
	assert.equal('read' in answer, false);
	assert.equal(answer.body.length, 0);
	assert.ok(meter.bytesRead <= 1024 * 1024 + 65536, `read ${meter.bytesRead} bytes of a capped body`);
});
