// Which privilege a "permission denied" (42501) is about, which of the roles requests may run as lack it, and the
// exact GRANT: USAGE on schemas and sequences, EXECUTE on functions, SELECT/INSERT/UPDATE/DELETE on relations (by
// the request's method), and column-level grants on columns. Pure: the privileges and the live read came before.
import {label} from '../checks/diffSchemas.js';
import {type Finding, finding} from '../findings.js';
import type {CatalogFunction, CatalogTable} from '../probes/database.js';
import type {DefinerView, Privileges, Sequence} from '../probes/objectLookup.js';
import {quoteIdentifier} from '../sql/quoteIdentifier.js';
import type {ParsedError} from './parseError.js';

/** The roles requests may run as, and what pinned them down (--role, the API key's role claim, OpenAPI), if anything did. */
export type RequestRoles = {
	names: string[];
	pinnedBy: '--role' | "the API key's role claim" | typeof openApiEvidence | null;
	missing?: string[];
};

const openApiEvidence = "PostgREST's OpenAPI output lists exactly the relations it may use";

/**
 * Which candidates PostgREST's own OpenAPI output points at: under openapi-mode follow-privileges it lists the
 * cached relations the request's role may use (usableRelations). A candidate whose usable relations among
 * `relations` (the schema's, as PostgREST caches them) are exactly the listed ones fits. Nothing is narrowed when
 * every relation is listed (ignore-privileges looks the same), or when no candidate or every one fits; a stale
 * cache lists fewer than a role may use, so no candidate fits and nothing is narrowed either.
 */
export function narrowByOpenApi(
	roles: RequestRoles,
	listed: string[],
	relations: string[],
	usable: Map<string, string[]>
): RequestRoles {
	if (roles.pinnedBy || roles.names.length < 2) return roles;
	const relevant = new Set(relations);
	const shown = new Set(listed.filter(name => relevant.has(name)));
	if (shown.size === relevant.size) return roles;
	const fits = roles.names.filter(role => {
		const mine = (usable.get(role) ?? []).filter(name => relevant.has(name));
		return mine.length === shown.size && mine.every(name => shown.has(name));
	});
	if (fits.length === 0 || fits.length === roles.names.length) return roles;
	return {names: fits, pinnedBy: fits.length === 1 ? openApiEvidence : null};
}

/** A read of no rows as the API's role, made to reproduce the error now (see liveRead.ts). */
export type LiveRead = {status: number; code: string | null; message: string | null};

export type GrantEvidence = {
	parsed: ParsedError;
	table?: CatalogTable;
	overloads?: CatalogFunction[];
	sequence?: Sequence;
	/** The schema a schema-level denial names, when the database has it. */
	schema?: string;
	privileges: Privileges[];
	roles: RequestRoles;
	live?: LiveRead;
	/** Views that read the denied relation as an owner who may not read it (objectLookup's definerViews). */
	definerViews?: DefinerView[];
};

/** What a role needs; `what` and `grant` may depend on what the role has (column GRANTs narrow a table-wide one). */
/** privilege: the relation privilege it is, for a relation's writes. */
type Need = {
	has(row: Privileges): boolean | null;
	what(row?: Privileges): string;
	grant(role: string, row?: Privileges): string;
	privilege?: TablePrivilege;
};

const tablePrivileges = ['select', 'insert', 'update', 'delete'] as const;
type TablePrivilege = (typeof tablePrivileges)[number];

/** The privileges a request method needs on the relation it names (PUT is an upsert). */
export const privilegesByMethod: Record<string, TablePrivilege[]> = {
	GET: ['select'],
	HEAD: ['select'],
	POST: ['insert'],
	PATCH: ['update'],
	PUT: ['insert', 'update'],
	DELETE: ['delete'],
};

function schemaUsage(schema: string): Need {
	return {
		what: () => `USAGE on schema ${quoteIdentifier(schema)}`,
		has: row => row.usage,
		grant: role => `GRANT USAGE ON SCHEMA ${quoteIdentifier(schema)} TO ${role};`,
	};
}

/**
 * Which relation privileges the failed request needed: by its method when the request line was pasted; else SELECT
 * when the live read was refused too or could not be made, and the writes when the read works now.
 */
function relationPrivileges(evidence: GrantEvidence, rows: Privileges[]): TablePrivilege[] {
	const method = evidence.parsed.request?.method.toUpperCase();
	if (method && privilegesByMethod[method]) return privilegesByMethod[method];
	// The live read runs as the role PostgREST picks, which --role may not be: then it says nothing about that role.
	if (evidence.live && evidence.live.status < 400 && evidence.roles.pinnedBy !== '--role') {
		const writes = tablePrivileges.filter(
			privilege => privilege !== 'select' && rows.some(row => row[privilege] === false)
		);
		if (writes.length > 0) return writes;
	}
	return ['select'];
}

function needs(evidence: GrantEvidence, reportedDenied: boolean): Need[] {
	const {table, overloads, sequence, parsed} = evidence;
	if (sequence) {
		const name = label(sequence);
		return [
			{
				what: () => `USAGE on schema ${quoteIdentifier(sequence.schema)}`,
				has: row => row.sequenceSchemaUsage,
				grant: role => `GRANT USAGE ON SCHEMA ${quoteIdentifier(sequence.schema)} TO ${role};`,
			},
			{
				what: () => `USAGE on sequence ${name}`,
				has: row => row.sequenceUsage,
				grant: role => `GRANT USAGE ON SEQUENCE ${name} TO ${role};`,
			},
		];
	}
	if (table) {
		const column =
			parsed.privilegeOn === 'column' && parsed.column && table.columns.includes(parsed.column)
				? parsed.column
				: undefined;
		const privileges = reportedDenied ? relationPrivileges(evidence, evidence.privileges) : ['select' as const];
		if (column) {
			const columnKey = {
				select: 'columnSelect',
				insert: 'columnInsert',
				update: 'columnUpdate',
				delete: 'delete',
			} as const;
			return [
				schemaUsage(table.schema),
				...privileges.map(privilege => ({
					what: () => `${privilege.toUpperCase()} on ${label(table)}.${quoteIdentifier(column)}`,
					has: (row: Privileges) => row[columnKey[privilege]],
					grant: (role: string) =>
						privilege === 'delete'
							? `GRANT DELETE ON ${label(table)} TO ${role};`
							: `GRANT ${privilege.toUpperCase()} (${quoteIdentifier(column)}) ON ${label(table)} TO ${role};`,
				})),
			];
		}
		return [
			schemaUsage(table.schema),
			...privileges.map(privilege =>
				privilege === 'select'
					? readTable(table, parsed.request?.columns)
					: {
							privilege,
							what: () => `${privilege.toUpperCase()} on ${label(table)}`,
							has: (row: Privileges) => row[privilege],
							grant: (role: string) => `GRANT ${privilege.toUpperCase()} ON ${label(table)} TO ${role};`,
						}
			),
		];
	}
	const overload = overloads?.[0];
	if (overload) {
		return [
			schemaUsage(overload.schema),
			{
				what: () => `EXECUTE on ${overload.signature}`,
				has: row => row.execute,
				grant: role => `GRANT EXECUTE ON FUNCTION ${overload.signature} TO ${role};`,
			},
		];
	}
	return evidence.schema ? [schemaUsage(evidence.schema)] : [];
}

/**
 * SELECT on a relation. A role with column GRANTs may read some columns (PostgreSQL then still says "permission
 * denied for table"): the GRANT names the columns it may not read instead of opening the whole table.
 */
function readTable(table: CatalogTable, requested: string[] | undefined): Need {
	// The columns the request selected (from the pasted request line), else every column the role may not read.
	const unreadable = (row?: Privileges) =>
		row?.readableColumns?.length
			? table.columns.filter(
					column =>
						!row.readableColumns!.includes(column) && (!requested?.length || requested.includes(column))
				)
			: [];
	return {
		has: row => row.select,
		what(row) {
			const hidden = unreadable(row);
			return hidden.length > 0
				? `SELECT on ${hidden.map(quoteIdentifier).join(', ')} ` +
						`of ${label(table)} (it may read only ${row!.readableColumns!.map(quoteIdentifier).join(', ')}: ` +
						`select only those, or grant the rest)`
				: `SELECT on ${label(table)}`;
		},
		grant(role, row) {
			const hidden = unreadable(row);
			return hidden.length > 0
				? `GRANT SELECT (${hidden.map(quoteIdentifier).join(', ')}) ON ${label(table)} TO ${role};`
				: `GRANT SELECT ON ${label(table)} TO ${role};`;
		},
	};
}

function objectName(evidence: GrantEvidence): string {
	if (evidence.sequence) return `sequence ${label(evidence.sequence)}`;
	if (evidence.table) return label(evidence.table);
	if (evidence.overloads?.[0]) return `${label(evidence.overloads[0])}()`;
	return `schema ${quoteIdentifier(evidence.schema ?? '')}`;
}

/**
 * Why INSERT on a table is not enough: the default of a serial column calls nextval() on its sequence. An identity
 * column's value is taken without a privilege check (PostgreSQL's NextValueExpr), so there the call is elsewhere.
 */
function sequenceNote(sequence: Sequence | undefined): string {
	if (!sequence) return '';
	const filled =
		sequence.table && sequence.column
			? `${label({schema: sequence.tableSchema!, name: sequence.table})}.${quoteIdentifier(sequence.column)}`
			: undefined;
	if (filled && sequence.identity) {
		return (
			` This sequence generates the identity column ${filled}, and an insert takes identity values ` +
			`without a privilege check on the sequence: the refused call names the sequence itself (nextval(), ` +
			`currval() or setval() in a default, a trigger or a function), and USAGE lets it through.`
		);
	}
	return filled
		? ` An insert into ${label({schema: sequence.tableSchema!, name: sequence.table!})} takes the ` +
				`serial column ${filled} from this sequence (nextval), which needs USAGE on the sequence: INSERT ` +
				`on the table is not enough.`
		: ' A column default that calls nextval() on this sequence needs USAGE on it: INSERT on the table is not enough.';
}

/** The writes were inferred from a read that works now: which write it was is a guess the request line settles. */
function writesGuessed(evidence: GrantEvidence): boolean {
	return Boolean(
		evidence.table &&
		!evidence.parsed.request &&
		evidence.live &&
		evidence.live.status < 400 &&
		evidence.roles.pinnedBy !== '--role'
	);
}

function writeNote(evidence: GrantEvidence): string {
	return writesGuessed(evidence)
		? ` A read works now, so the denied request was a write; paste the request line with the error ` +
				`(such as POST /${evidence.table!.name}) to name the one it needs.`
		: '';
}

function rolesNote(roles: RequestRoles, lacking: string[]): string {
	if (roles.pinnedBy) return ` Requests run as ${roles.names.join(', ')} (${roles.pinnedBy}).${unknownRoles(roles)}`;
	if (roles.names.length <= 1) return '';
	return (
		` Requests run as PostgREST's anonymous role (db-anon-role) without a key, or as the role claim ` +
		`of the JWT the app sends; of the roles that may ` +
		`be (${roles.names.join(', ')}), ${lacking.length === 1 ? 'this one lacks' : 'these lack'} ` +
		`it. Confirm which with --role <role> (or the key's role claim).`
	);
}

/** Roles given with --role that the database does not have (their privileges read as none). */
function unknownRoles(roles: RequestRoles): string {
	return roles.missing?.length
		? ` No role named ${roles.missing.map(quoteIdentifier).join(', ')} exists in this database.`
		: '';
}

/**
 * grant.missing for the roles that lack what the object needs, or for the role the request really runs as when the
 * live read still fails and none of the roles checked lacks it. reportedDenied: the error was a 42501.
 */
export function grants(evidence: GrantEvidence, reportedDenied: boolean): Finding[] {
	const views = reportedDenied && evidence.table ? (evidence.definerViews ?? []) : [];
	const requested = evidence.parsed.request?.path.split('/').filter(Boolean)[0];
	const read = views.find(view => view.name === requested);
	if (read) return [viewOwnerGrant(evidence.table!, read)];
	const direct = directGrants(evidence, reportedDenied);
	if (views.length === 0 || requested === evidence.table?.name || direct.length === 0) return direct;
	// Without the request line it may have read the relation or a view over it: granting the API role would open
	// the relation itself, so the view owners' GRANTs come first and each is said for which request it is.
	const [found] = direct;
	const owners = views.map(view => `if it read ${label(view)}: ${ownerStatement(evidence.table!, view)}`).join(' ');
	return [
		{
			...found!,
			message:
				`${found!.message} Or the request read a view over it that reads it as its owner, who may not: ` +
				`${views.map(view => `${label(view)} (owner ${quoteIdentifier(view.owner)})`).join(', ')}; ` +
				`then the GRANT is the owner's, and granting the API role would open ${label(evidence.table!)} itself to it.`,
			suggestion: `Paste the request line to tell. ${owners} If it read ${label(evidence.table!)} itself: ${found!.suggestion}`,
		},
	];
}

function ownerStatement(table: CatalogTable, view: DefinerView): string {
	return `GRANT SELECT ON ${label(table)} TO ${quoteIdentifier(view.owner)};`;
}

/** The request read a view without security_invoker: PostgreSQL checks the relation under it against the view's owner. */
function viewOwnerGrant(table: CatalogTable, view: DefinerView): Finding {
	return finding(
		'grant.missing',
		{situation: 'view owner', view: label(view), table: label(table), owner: quoteIdentifier(view.owner)},
		{
			schema: table.schema,
			table: table.name,
			suggestion: ownerStatement(table, view),
		}
	);
}

function directGrants(evidence: GrantEvidence, reportedDenied: boolean): Finding[] {
	const wanted = needs(evidence, reportedDenied);
	const missing = evidence.privileges.flatMap(row => {
		const lacks = wanted.filter(need => need.has(row) === false);
		return lacks.length > 0 ? [{role: row.role, row, lacks}] : [];
	});
	const object = objectName(evidence);
	const scope = {
		schema:
			evidence.sequence?.schema ?? evidence.table?.schema ?? evidence.overloads?.[0]?.schema ?? evidence.schema,
		table: evidence.table?.name,
		function: evidence.overloads?.[0]?.name,
	};
	const deniedNow = evidence.live?.code === '42501';
	const reproduced = deniedNow ? " The same read, made now as the API's role, is refused too." : '';
	if (missing.length > 0) {
		const lacking = missing.map(item => item.role);
		const statements = missing.flatMap(({role, row, lacks}) =>
			lacks.map(need => need.grant(quoteIdentifier(role), row))
		);
		const what = [...new Set(missing.flatMap(({row, lacks}) => lacks.map(need => need.what(row))))].join(' and ');
		const notes = `${sequenceNote(evidence.sequence)}${reproduced}${writeNote(evidence)}${rolesNote(evidence.roles, lacking)}`;
		// A guessed write is never a runnable GRANT of every write: pasting it would hand out DELETE for a failed INSERT.
		const suggestion = writesGuessed(evidence)
			? 'Grant only the write the request needs (POST → INSERT, PATCH → UPDATE, DELETE → DELETE; ' +
				`paste the request line and explain says which): ${missing
					.flatMap(({role, row, lacks}) => {
						const writes = lacks.flatMap(need => (need.privilege ? [need.privilege.toUpperCase()] : []));
						const others = lacks
							.filter(need => !need.privilege)
							.map(need => need.grant(quoteIdentifier(role), row));
						return [
							...others,
							...(writes.length > 0
								? [
										`GRANT <${writes.join('|')}> ON ${label(evidence.table!)} TO ${quoteIdentifier(role)};`,
									]
								: []),
						];
					})
					.join(' ')}`
			: [...new Set(statements)].join(' ');
		return [
			finding(
				'grant.missing',
				{situation: 'lacking', roles: lacking, object, what, notes},
				{...scope, suggestion}
			),
		];
	}
	if (!reportedDenied || wanted.length === 0) return [];
	if (deniedNow) {
		const checked = evidence.roles.names.join(', ') || 'none';
		const statements = wanted.map(need => need.grant('<role>')).join(' ');
		const what = wanted.map(need => need.what()).join(' or ');
		const notes = `${unknownRoles(evidence.roles)}${sequenceNote(evidence.sequence)}`;
		return [
			finding(
				'grant.missing',
				{situation: 'another role', checked, what, notes},
				{
					...scope,
					suggestion:
						`Find the role requests run as (PostgREST's db-anon-role without a key, else the role claim ` +
						`of the JWT the app sends), then: ${statements} Rerun with --role <role> to confirm.`,
				}
			),
		];
	}
	return [];
}
