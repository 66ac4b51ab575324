/**
 * The runtime import graph of src/ has no cycle (a cycle makes module initialisation order matter: a class
 * used before its module finished loading is undefined). Type-only imports are erased and do not count;
 * dynamic import() does not either (it runs after every module has loaded).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative modules a file loads at run time: static imports and re-exports that are not `type`-only. */
export function runtimeImports(file: string, text = readFileSync(file, 'utf8')): string[] {
  const found: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"](\.[^'"]+)['"]/gm;
  for (const m of text.matchAll(statement)) {
    if (m[2]) continue; // import type / export type
    const names = m[3].replace(/^\{|\}$/g, '').split(',').map((s) => s.trim()).filter(Boolean);
    // `import { type A, type B } from` loads nothing at run time either
    if (m[3].trim().startsWith('{') && names.every((n) => n.startsWith('type '))) continue;
    found.push(path.resolve(path.dirname(file), m[4].replace(/\.js$/, '.ts')));
  }
  for (const m of text.matchAll(/^\s*import\s+['"](\.[^'"]+)['"]/gm)) found.push(path.resolve(path.dirname(file), m[1].replace(/\.js$/, '.ts')));
  return found;
}

/** The first cycle found by depth-first search, as a list of files (first = last), or null. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>(), stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

test('the checker finds a cycle, ignores type-only imports, and passes an acyclic graph', () => {
  expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
  expect(findCycle(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toBeNull();
  const text = "import type { A } from './a.js';\nimport { type B } from './b.js';\nimport { C, type D } from './c.js';\nexport { E } from './e.js';\nexport type { F } from './f.js';\n";
  expect(runtimeImports('/x/m.ts', text)).toEqual(['/x/c.ts', '/x/e.ts']);
});

test('src/ has no runtime import cycle', () => {
  const files = sources(SRC);
  const graph = new Map(files.map((f) => [f, runtimeImports(f).filter((t) => files.includes(t))]));
  expect(graph.size).toBeGreaterThan(40);
  const cycle = findCycle(graph);
  expect(cycle?.map((f) => path.relative(SRC, f)).join(' → ') ?? null).toBeNull();
});
