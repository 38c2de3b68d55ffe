// The version table (source/postgrestVersions.ts) against what PostgREST's source says at each tag.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {parseVersion, postgrestFeatures} from '../source/postgrestVersions.js';

test('versions are read as PostgREST prints them: three parts, two parts (14+), with a build hash', () => {
	assert.deepEqual(parseVersion('12.0.2'), [12, 0, 2]);
	assert.deepEqual(parseVersion('14.0'), [14, 0, 0]);
	assert.deepEqual(parseVersion('12.2.3 (519615d)'), [12, 2, 3]);
	assert.equal(parseVersion('nginx'), null);
	assert.equal(parseVersion(null), null);
});

test('what each version offers the doctor', () => {
	const row = (version: string) => {
		const {
			acceptBeforeCache,
			strictPreferences,
			columnNotFoundWording,
			tableNotFoundCode,
			adminEndpoints,
			applicationName,
		} = postgrestFeatures(version);
		return {
			acceptBeforeCache,
			strictPreferences,
			columnNotFoundWording,
			tableNotFoundCode,
			adminEndpoints,
			applicationName,
		};
	};
	assert.deepEqual(row('10.2.0'), {
		acceptBeforeCache: true,
		strictPreferences: false,
		columnNotFoundWording: null,
		tableNotFoundCode: false,
		adminEndpoints: ['/live', '/ready'],
		applicationName: false,
	});
	assert.deepEqual(row('11.2.2'), {
		acceptBeforeCache: true,
		strictPreferences: false,
		columnNotFoundWording: 'column of relation',
		tableNotFoundCode: false,
		adminEndpoints: ['/live', '/ready'],
		applicationName: true,
	});
	assert.deepEqual(row('12.0.2'), {
		acceptBeforeCache: false,
		strictPreferences: true,
		columnNotFoundWording: 'column of relation',
		tableNotFoundCode: false,
		adminEndpoints: ['/live', '/ready'],
		applicationName: true,
	});
	assert.equal(row('12.0.3').columnNotFoundWording, 'schema cache');
	assert.deepEqual(row('12.2.12').adminEndpoints, ['/live', '/ready', '/schema_cache', '/metrics', '/config']);
	assert.deepEqual(row('13.0.0'), {
		acceptBeforeCache: false,
		strictPreferences: true,
		columnNotFoundWording: 'schema cache',
		tableNotFoundCode: true,
		adminEndpoints: ['/live', '/ready', '/schema_cache', '/metrics'],
		applicationName: true,
	});
	assert.deepEqual(row('16.2').adminEndpoints, ['/live', '/ready', '/schema_cache', '/metrics']);
	assert.equal(
		postgrestFeatures(null).acceptBeforeCache,
		null,
		'unknown: the probes try every method and the controls decide'
	);
});
