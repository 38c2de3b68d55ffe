// The layers stay in order, read from source/'s own import graph rather than from a list that could drift:
// probes and checks know nothing of what comes after them, checks and explain's judge never load I/O, and commands
// share library modules, not each other. Each rule is also run on a planted graph, so a rule that stopped seeing its
// violation fails here too.
import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');
const source = path.join(root, 'source');

/** One import of a module: typeOnly when nothing of it is loaded at run time (`import type`, `export type`). */
type Edge = {from: string; to: string; typeOnly: boolean};
type Module = {file: string; edges: Edge[]; awaits: boolean};
type Graph = Map<string, Module>;

function sourceFiles(directory: string): string[] {
	return readdirSync(directory, {withFileTypes: true}).flatMap(entry => {
		const full = path.join(directory, entry.name);
		if (entry.isDirectory()) return sourceFiles(full);
		return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
	});
}

/** A specifier as a path relative to source/ ('probes/http.ts'), or the package it names ('pg'). */
function resolved(file: string, specifier: string): string {
	if (!specifier.startsWith('.')) return specifier;
	const target = path.resolve(path.dirname(file), specifier);
	const withoutJs = target.replace(/\.js$/, '');
	const candidates = [`${withoutJs}.ts`, `${withoutJs}.tsx`];
	const found = candidates.find(candidate => files.includes(candidate)) ?? candidates[0]!;
	return path.relative(source, found).split(path.sep).join('/');
}

/** Whether every name an import brings in is a type: only `import type` is dropped whole (verbatimModuleSyntax). */
function importIsTypeOnly(node: ts.ImportDeclaration): boolean {
	return node.importClause?.isTypeOnly === true;
}

function readModule(file: string): Module {
	const text = readFileSync(file, 'utf8');
	const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
	const tree = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
	const from = path.relative(source, file).split(path.sep).join('/');
	const edges: Edge[] = [];
	let awaits = false;
	const edge = (specifier: ts.Expression | undefined, typeOnly: boolean) => {
		if (!specifier || !ts.isStringLiteral(specifier)) return;
		edges.push({from, to: resolved(file, specifier.text), typeOnly});
	};
	const isAsync = (node: ts.Node) =>
		ts.canHaveModifiers(node) &&
		(ts.getModifiers(node) ?? []).some(modifier => modifier.kind === ts.SyntaxKind.AsyncKeyword);
	const isDynamicImport = (node: ts.Node): node is ts.CallExpression =>
		ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword;
	const visit = (node: ts.Node): void => {
		if (ts.isImportDeclaration(node)) edge(node.moduleSpecifier, importIsTypeOnly(node));
		else if (ts.isExportDeclaration(node)) edge(node.moduleSpecifier, node.isTypeOnly);
		else if (isDynamicImport(node)) edge(node.arguments[0], false);
		else if (ts.isAwaitExpression(node) || isAsync(node)) awaits = true;
		ts.forEachChild(node, visit);
	};
	visit(tree);
	return {file: from, edges, awaits};
}

const files = sourceFiles(source);
const graph: Graph = new Map(files.map(file => readModule(file)).map(module => [module.file, module]));

/**
 * A module that does I/O: it has asynchronous code. Every conversation with the database, PostgREST or a process is
 * (the drivers are asynchronous); a module that only loads a driver for a synchronous helper (target.ts parses URLs
 * with pg's rules) or reads the tool's own package.json as it loads (toolVersion.ts) talks to no one.
 */
function doesIo(module: Module): boolean {
	return module.awaits;
}

/** The path from a module to the first I/O module it loads at run time, directly or through others; else undefined. */
function ioPath(graph: Graph, start: string): string[] | undefined {
	const seen = new Set<string>([start]);
	const queue: string[][] = [[start]];
	while (queue.length > 0) {
		const trail = queue.shift()!;
		const module = graph.get(trail.at(-1)!);
		if (!module) continue;
		if (trail.length > 1 && doesIo(module)) return trail;
		for (const edge of module.edges) {
			if (edge.typeOnly || seen.has(edge.to) || !graph.has(edge.to)) continue;
			seen.add(edge.to);
			queue.push([...trail, edge.to]);
		}
	}
	return undefined;
}

const layerOf = (file: string) => file.split('/')[0]!;
const after = new Set(['fixes', 'ui', 'commands', 'report', 'library']);
// explain's looking is collectExplanation.ts; everything else in explain/ judges.
const judges = (file: string) => layerOf(file) === 'explain' && file !== 'explain/collectExplanation.ts';

/** Every import that breaks a rule, as "from → to: rule" lines. */
function violations(graph: Graph): string[] {
	const found: string[] = [];
	for (const module of graph.values()) {
		const layer = layerOf(module.file);
		for (const edge of module.edges) {
			const target = layerOf(edge.to);
			if ((layer === 'probes' || layer === 'checks') && after.has(target) && graph.has(edge.to)) {
				found.push(`${module.file} → ${edge.to}: ${layer}/ must not know ${target}/`);
			}
			if (layer === 'commands' && target === 'commands' && graph.has(edge.to)) {
				found.push(`${module.file} → ${edge.to}: commands share library/ or report/ modules, not each other`);
			}
		}
		if (layer === 'checks' || judges(module.file)) {
			const trail = ioPath(graph, module.file);
			const who = layer === 'checks' ? 'checks' : "explain's judge";
			if (trail) found.push(`${trail.join(' → ')}: ${who} must load no I/O at run time (import type only)`);
		}
	}
	return found;
}

test('the import graph is read: every source module, with type-only and dynamic imports told apart', () => {
	assert.ok(graph.size > 80, `read ${graph.size} modules`);
	const check = graph.get('checks/check.ts')!;
	const typeImport = check.edges.find(edge => edge.to === 'probes/database.ts');
	assert.deepEqual(typeImport, {from: 'checks/check.ts', to: 'probes/database.ts', typeOnly: true});
	const dynamic = graph.get('cli.tsx')!.edges.some(edge => edge.to === 'commands/check.ts' && !edge.typeOnly);
	assert.ok(dynamic, 'cli.tsx loads commands/check.ts dynamically');
	assert.ok(doesIo(graph.get('probes/session.ts')!), 'probes/session.ts does I/O');
	assert.ok(!doesIo(graph.get('explain/judgeExplanation.ts')!), 'explain/judgeExplanation.ts does none itself');
});

test('probes and checks import nothing after them, checks and the judge load no I/O, commands share no code', () => {
	assert.deepEqual(violations(graph), []);
});

test('each rule reports a planted violation', () => {
	const planted: Graph = new Map(graph);
	const plant = (file: string, to: string, typeOnly = false) => {
		const module = graph.get(file)!;
		planted.set(file, {...module, edges: [...module.edges, {from: file, to, typeOnly}]});
	};
	plant('probes/deliveryProbe.ts', 'fixes/writeSession.ts');
	plant('checks/cacheChecks.ts', 'report/buildReport.ts', true);
	plant('commands/codes.ts', 'commands/check.ts', true);
	plant('checks/diffSchemas.ts', 'probes/foreignKeys.ts');
	plant('explain/diagnoseError.ts', 'probes/objectLookup.ts');
	const found = violations(planted);
	const shown = found.join('\n');
	const reported = (start: string, end: string) => found.some(line => line.startsWith(start) && line.endsWith(end));
	assert.ok(reported('probes/deliveryProbe.ts → fixes/writeSession.ts:', 'probes/ must not know fixes/'), shown);
	assert.ok(reported('checks/cacheChecks.ts → report/buildReport.ts:', 'checks/ must not know report/'), shown);
	assert.ok(reported('commands/codes.ts → commands/check.ts:', 'not each other'), shown);
	const noIo = 'must load no I/O at run time (import type only)';
	assert.ok(reported('checks/diffSchemas.ts → probes/foreignKeys.ts:', `checks ${noIo}`), shown);
	// Through the modules that load them, too.
	const throughOthers = 'explain/grants.ts → checks/diffSchemas.ts → probes/foreignKeys.ts:';
	assert.ok(reported(throughOthers, `explain's judge ${noIo}`), shown);
	assert.ok(reported('explain/diagnoseError.ts → probes/objectLookup.ts:', `explain's judge ${noIo}`), shown);
});
