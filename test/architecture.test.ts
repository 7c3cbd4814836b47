import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { cycles, describeGraph, importsOf, sourceFiles, specifiersOf, SRC, unitGraph, unitOf, type ImportEdge, type UnitGraph } from './architecture/importGraph';

/**
 * The shape of `src/`, from its imports: `core/` is the model every layer shares and imports
 * nothing; no two folders import each other, directly or round about; Slack text is built in
 * `slack/blocks/` by pure renderers. The folder graph is printed, so a change in layering shows.
 */

const files = sourceFiles();
const edges: ImportEdge[] = files.flatMap(importsOf);
const graph = unitGraph(edges);
const under = (dir: string) => (file: string) => file.startsWith(`${dir}${path.sep}`);

/** Units in layers: each imports only units of earlier layers (defined while there is no cycle). */
function layers(g: UnitGraph): string[][] {
  const level = new Map<string, number>();
  const depth = (u: string, seen: Set<string>): number => {
    if (level.has(u)) return level.get(u)!;
    if (seen.has(u)) return 0;
    seen.add(u);
    const d = Math.max(-1, ...[...(g.get(u)?.keys() ?? [])].map((v) => depth(v, seen))) + 1;
    level.set(u, d);
    return d;
  };
  for (const u of g.keys()) depth(u, new Set());
  const out: string[][] = [];
  for (const [u, d] of level) (out[d] ??= []).push(u);
  return out.map((l) => l.sort());
}

describe('reading the imports', () => {
  it('sees every form of import, with TypeScript’s own scanner', () => {
    const text = [
      "import a from './a';",
      "import type { B } from './b';",
      "import { type C } from './c';",
      "export { d } from './d';",
      "export * from './e';",
      "export type { F } from './f';",
      "import g = require('./g');",
      "const h = require('./h');",
      "async function later() { return import('./i'); }",
      "import 'zod';",
    ].join('\n');
    expect(specifiersOf(text)).toEqual([
      { specifier: './a', typeOnly: false },
      { specifier: './b', typeOnly: true },
      { specifier: './c', typeOnly: true },
      { specifier: './d', typeOnly: false },
      { specifier: './e', typeOnly: false },
      { specifier: './f', typeOnly: true },
      { specifier: './g', typeOnly: false },
      { specifier: './h', typeOnly: false },
      { specifier: './i', typeOnly: false },
      { specifier: 'zod', typeOnly: false },
    ]);
  });

  it('places every relative import of src/ on a file', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(edges.filter((e) => e.specifier.startsWith('.') && e.to === undefined)).toEqual([]);
  });
});

describe('the folder graph', () => {
  afterAll(() => {
    // What the closing note of a refactor reports as "the folder import graph after".
    console.log(`folder import graph of src/ (a file directly in src/ is a unit of its own):\n${describeGraph(graph)}\n\nlayers, each importing only earlier ones:\n${layers(graph).map((l, i) => `${i}: ${l.join(', ')}`).join('\n')}`);
  });

  it('has no cycle between folders', () => {
    const found = cycles(graph).map((component) =>
      component.flatMap((from) => [...(graph.get(from) ?? new Map<string, ImportEdge[]>())].filter(([to]) => component.includes(to)).map(([to, via]) => `${from} -> ${to} (${[...new Set(via.map((e) => e.from))].join(', ')})`)),
    );
    expect(found).toEqual([]);
  });

  it('core imports nothing: no other folder, no file of src/, no library', () => {
    const fromCore = edges.filter((e) => unitOf(e.from) === 'core' && (e.to === undefined || unitOf(e.to) !== 'core'));
    expect(fromCore.map((e) => `${e.from} imports ${e.specifier}`)).toEqual([]);
    expect(files.filter(under('core')).length).toBeGreaterThan(0);
  });

  it('every folder that holds the model reads it from core', () => {
    const users = [...graph].filter(([, targets]) => targets.has('core')).map(([from]) => from);
    expect(users).toEqual(expect.arrayContaining(['domain', 'policy', 'secmaster', 'store', 'slack', 'operations', 'approvals', 'audit', 'alerts']));
  });
});

describe('Slack text lives in slack/blocks/', () => {
  const blocks = under(path.join('slack', 'blocks'));
  /** Where a renderer may look things up: the model, outcomes and decisions, SecMaster's types, and Slack's own mrkdwn and IDs. */
  const allowedForRenderers = (to: string) =>
    blocks(to) || ['core', 'domain', 'policy', 'secmaster', 'util'].includes(unitOf(to)) || to === path.join('slack', 'mrkdwn.ts') || to === path.join('slack', 'ids.ts');

  it('renderers are pure: they import no I/O (gateway, store, log, Bolt) and nothing that calls out', () => {
    const impure = edges.filter((e) => blocks(e.from) && (e.to === undefined ? !['zod'].includes(e.specifier) : !allowedForRenderers(e.to)));
    expect(impure.map((e) => `${e.from} imports ${e.specifier}`)).toEqual([]);
  });

  it('outside slack/blocks, the Block Kit builders are imported for their types alone', () => {
    const kit = path.join('slack', 'blocks', 'kit.ts');
    const builders = edges.filter((e) => e.to === kit && !blocks(e.from) && !e.typeOnly);
    expect(builders.map((e) => e.from)).toEqual([]);
  });

  it('no string outside slack/blocks reads like a Slack line (`:emoji: words`)', () => {
    const slackLine = /(^|\s):[a-z0-9_+-]+:\s+\S/;
    const found: string[] = [];
    for (const file of files.filter((f) => !blocks(f))) {
      const source = ts.createSourceFile(file, readFileSync(path.join(SRC, file), 'utf8'), ts.ScriptTarget.ES2022, true);
      const visit = (node: ts.Node): void => {
        if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) && slackLine.test(node.text)) {
          found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${node.text.slice(0, 80)}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(found).toEqual([]);
  });
});
