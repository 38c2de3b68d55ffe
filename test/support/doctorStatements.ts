// Every SQL text pgrst-doctor sends, in one list, so a test can read which functions and operators they use and
// plant look-alikes of each (issue 9: no foreign code runs). Each module exports its own list; this gathers them.
import {fixStatements} from '../../source/fixes/applyFixes.js';
import {fixLockSql, fixTimeoutsSql} from '../../source/fixes/writeSession.js';
import {databaseStatements} from '../../source/probes/database.js';
import {foreignKeyStatements} from '../../source/probes/foreignKeys.js';
import {instanceReloadsStatements} from '../../source/probes/instanceReloads.js';
import {mediaHandlerStatements} from '../../source/probes/mediaHandlers.js';
import {missingSchemasStatements} from '../../source/probes/missingSchemas.js';
import {objectLookupStatements} from '../../source/probes/objectLookup.js';
import {postgrestIdentityStatements} from '../../source/probes/postgrestIdentity.js';
import {recheckStatements} from '../../source/probes/recheck.js';
import {reloadObserverStatements} from '../../source/probes/reloadObserver.js';
import type {Channel} from '../../source/sql/channel.js';
import {reloadSql} from '../../source/sql/reloadSql.js';
import {collisionsSql, installedSql, installTriggerBody, uninstallTriggerBody} from '../../source/sql/triggerSql.js';

export function doctorStatements(channel: Channel): string[] {
	return [
		...databaseStatements,
		...objectLookupStatements,
		...reloadObserverStatements,
		...recheckStatements,
		...instanceReloadsStatements,
		...foreignKeyStatements,
		...mediaHandlerStatements,
		...missingSchemasStatements,
		...postgrestIdentityStatements,
		...fixStatements,
		fixLockSql,
		fixTimeoutsSql,
		collisionsSql,
		installedSql,
		installTriggerBody(channel),
		uninstallTriggerBody(),
		reloadSql(channel),
	];
}
