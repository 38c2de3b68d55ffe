import assert from 'node:assert/strict';
import {test} from 'node:test';
import {listenChannel, notificationsIn, payloadEffect} from '../source/checks/notifications.js';

test('reads NOTIFY statements the way PostgreSQL folds identifiers', () => {
	assert.deepEqual(notificationsIn(`begin NOTIFY pgrst, 'reload schema'; end`), [
		{channel: 'pgrst', payload: 'reload schema'},
	]);
	assert.deepEqual(notificationsIn(`notify PGRST;`), [{channel: 'pgrst', payload: ''}]);
	assert.deepEqual(notificationsIn(`NOTIFY "MyChan", 'reload schema';`), [
		{channel: 'MyChan', payload: 'reload schema'},
	]);
	assert.deepEqual(notificationsIn(`NOTIFY ddl_command_end;`), [{channel: 'ddl_command_end', payload: ''}]);
});

test('reads pg_notify calls, literal or computed', () => {
	assert.deepEqual(notificationsIn(`perform pg_notify('pgrst', 'reload schema');`), [
		{channel: 'pgrst', payload: 'reload schema'},
	]);
	assert.deepEqual(notificationsIn(`perform pg_notify( 'MyChan' , '');`), [{channel: 'MyChan', payload: ''}]);
	assert.deepEqual(notificationsIn(`perform pg_notify(chan, msg);`), [{channel: null, payload: null}]);
});

test('ignores NOTIFY inside comments', () => {
	assert.deepEqual(notificationsIn(`-- NOTIFY pgrst, 'reload schema'\n/* notify pgrst */ select 1;`), []);
});

test('payload effects follow PostgREST byte-for-byte matching', () => {
	assert.equal(payloadEffect(''), 'reload schema');
	assert.equal(payloadEffect('reload schema'), 'reload schema');
	assert.equal(payloadEffect('reload config'), 'reload config');
	assert.equal(payloadEffect('Reload Schema'), 'ignored');
	assert.equal(payloadEffect('reload schema '), 'ignored');
	assert.equal(payloadEffect(null), 'unknown');
});

test('reads the channel of a LISTEN query', () => {
	assert.equal(listenChannel('LISTEN "pgrst"'), 'pgrst');
	assert.equal(listenChannel('listen MyChan;'), 'mychan');
	assert.equal(listenChannel('LISTEN "My ""odd"" chan"'), 'My "odd" chan');
	assert.equal(listenChannel('select 1'), undefined);
});
