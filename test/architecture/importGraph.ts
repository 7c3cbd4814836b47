import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The import graph of `src/`, read with TypeScript's own scanner (`ts.preProcessFile`), which sees
 * every form a module can name another in: `import`, `import type`, `export … from`, `export * from`,
 * `import x = require(…)`, `require(…)` and `import(…)`. Nothing of `src/` is imported, so the graph
 * is what the files say, not what the code under test believes about itself.
 */

export const SRC = path.resolve(__dirname, '../../src');

/** One import of one file: what it named, and the file it resolves to (relative ones only). */
export interface ImportEdge {
  from: string;
  specifier: string;
  /** Path under `src/` of the imported file; undefined for a package or an import that resolves to nothing. */
  to?: string;
  typeOnly: boolean;
}

/** Every module specifier `text` names, in order. */
export function specifiersOf(text: string): Array<{ specifier: string; typeOnly: boolean }> {
  const typeOnly = typeOnlySpecifiers(text);
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => ({ specifier: f.fileName, typeOnly: typeOnly.has(f.fileName) }));
}

/** Specifiers named only by type imports and exports (`import type`, `import { type A }`); a value import of the same module wins. */
function typeOnlySpecifiers(text: string): Set<string> {
  const source = ts.createSourceFile('x.ts', text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const typeOnly = new Set<string>();
  const value = new Set<string>();
  for (const statement of source.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))) continue;
    if (!statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    (declaresTypesOnly(statement) ? typeOnly : value).add(statement.moduleSpecifier.text);
  }
  for (const v of value) typeOnly.delete(v);
  return typeOnly;
}

function declaresTypesOnly(statement: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(statement)) return statement.isTypeOnly;
  const clause = statement.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

/** Every `.ts` file under `src/`, as paths relative to it. */
export function sourceFiles(dir = SRC): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (name.endsWith('.ts')) out.push(path.relative(SRC, full));
  }
  return out;
}

function resolve(fromFile: string, specifier: string): string | undefined {
  const base = path.resolve(SRC, path.dirname(fromFile), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return path.relative(SRC, candidate);
  }
  return undefined;
}

export function importsOf(file: string): ImportEdge[] {
  return specifiersOf(readFileSync(path.join(SRC, file), 'utf8')).map(({ specifier, typeOnly }) => ({
    from: file,
    specifier,
    typeOnly,
    ...(specifier.startsWith('.') ? { to: resolve(file, specifier) } : {}),
  }));
}

/**
 * The unit an architecture rule talks about: a top-level folder of `src/` (`slack`, `store`, …), or
 * a file directly in `src/` on its own (`config.ts`, `deps.ts`), since each of those is a layer of
 * its own (the composition root, the configuration, the logger).
 */
export function unitOf(file: string): string {
  return file.split(path.sep)[0]!;
}

/** Unit → the units it imports, each with the edges that make it. */
export type UnitGraph = Map<string, Map<string, ImportEdge[]>>;

export function unitGraph(edges: ImportEdge[]): UnitGraph {
  const graph: UnitGraph = new Map();
  for (const e of edges) {
    const from = unitOf(e.from);
    if (!graph.has(from)) graph.set(from, new Map());
    if (e.to === undefined) continue;
    const to = unitOf(e.to);
    if (to === from) continue;
    const targets = graph.get(from)!;
    targets.set(to, [...(targets.get(to) ?? []), e]);
  }
  return graph;
}

/** The strongly connected components with more than one unit: each is a cycle (Tarjan's algorithm). */
export function cycles(graph: UnitGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const nodes = [...new Set([...graph.keys(), ...[...graph.values()].flatMap((m) => [...m.keys()])])].sort();
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return found;
}

/** `unit -> a, b, c`, one line per unit, sorted: the graph as the coordinator reads it. */
export function describeGraph(graph: UnitGraph): string {
  return [...graph.keys()]
    .sort()
    .map((from) => `${from} -> ${[...graph.get(from)!.keys()].sort().join(', ') || '(nothing)'}`)
    .join('\n');
}
