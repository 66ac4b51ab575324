import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';

// Every ```js block in the README and docs/ runs here against the built package (imported as 'bnwasm'
// through the package's own exports), each in its own Node process, as a user would paste it.
// Fence info words: `js prelude` is prepended to every later block of its file (the set-up a reference
// page states once); a block listed in NOT_RUN (or fenced `js no-run`, which then needs an entry there)
// is shown but not run here, for the reason given.
// ```sh and ```html blocks are not run here: the commands are exercised by cli/test and the npm scripts'
// own tests, and a page importing the bundle by URL by test/browser (fixtures/bundle.html).
const root = join(__dirname, '..', '..');
const FILES = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Blocks not run here, by file and a line they contain, with the reason (each is run elsewhere). */
const NOT_RUN = [
  { file: 'README.md', contains: "model.add(bw.layers.batchNormalization());",
    reason: 'the README example, run verbatim with its accuracy checked by test/model/readme-example.test.ts' },
  { file: 'README.md', contains: 'bw.layers.conv2d(',
    reason: 'the README CNN example, run verbatim with three seeds by test/model/readme-cnn-example.test.ts' },
];

interface Block { file: string; line: number; info: string; code: string }

function blocks(file: string): Block[] {
  const text = readFileSync(join(root, file), 'utf8');
  const out: Block[] = [];
  for (const m of text.matchAll(/^```(\S*)([^\n]*)\n([\s\S]*?)^```/gm)) {
    if (m[1] !== 'js') continue;
    out.push({ file, line: text.slice(0, m.index).split('\n').length, info: m[2].trim(), code: m[3] });
  }
  return out;
}

const notRun = (b: Block) => NOT_RUN.find((n) => n.file === b.file && b.code.includes(n.contains));
const all = FILES.flatMap(blocks);
const dir = join(root, 'test-artifacts', 'doc-snippets');

describe('documentation snippets', () => {
  test('every block left out is listed with its reason, and the list stays short', () => {
    const skipped = all.filter((b) => b.info === 'no-run' || notRun(b));
    // each entry matches exactly one block, and a `no-run` block needs an entry
    expect(skipped.map((b) => notRun(b))).not.toContain(undefined);
    expect(NOT_RUN.map((n) => all.filter((b) => b.file === n.file && b.code.includes(n.contains)).length)).toEqual(NOT_RUN.map(() => 1));
    expect(skipped.length).toBeLessThanOrEqual(3);
    expect(all.filter((b) => b.info === '').length).toBeGreaterThan(20);
  });

  test('every relative link points at a file that exists, and every #anchor at a heading there', () => {
    const slug = (h: string) => h.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
    const anchors = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^#+ (.*)$/gm)].map((m) => slug(m[1].replace(/`/g, '')));
    const broken: string[] = [];
    for (const f of FILES) {
      for (const [, target] of readFileSync(join(root, f), 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const file = path ? join(root, dirname(f), path) : join(root, f);
        if (!existsSync(file)) broken.push(`${f}: ${target} (no such file)`);
        else if (anchor && !anchors(file).includes(anchor)) broken.push(`${f}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  test('docs/API.md names every export of src/index.ts', () => {
    const index = readFileSync(join(root, 'src', 'index.ts'), 'utf8');
    const names = [...index.matchAll(/export (?:\* as (\w+)|\{([^}]*)\})/g)]
      .flatMap((m) => (m[1] ? [m[1]] : m[2].split(',').map((n) => n.replace(/^\s*type\s+/, '').trim())))
      .filter(Boolean);
    expect(names.length).toBeGreaterThan(40);
    const reference = readFileSync(join(root, 'docs', 'API.md'), 'utf8');
    expect(names.filter((n) => !new RegExp(`\\b${n}\\b`).test(reference))).toEqual([]);
  });

  test('docs/API.md names every layer factory, optimizer, schedule, callback, regularizer, op and io helper', async () => {
    const bw = await import(join(root, 'dist', 'index.js'));
    const reference = readFileSync(join(root, 'docs', 'API.md'), 'utf8');
    const groups = { layers: bw.layers, optimizers: bw.optimizers, 'optimizers.schedules': bw.optimizers.schedules,
      callbacks: bw.callbacks, regularizers: bw.regularizers, ops: bw.ops, io: bw.io };
    const missing = Object.entries(groups).flatMap(([group, members]) => Object.keys(members)
      .filter((name) => name !== 'schedules' && !reference.includes(`bw.${group}.${name}`)).map((name) => `bw.${group}.${name}`));
    expect(missing).toEqual([]);
  });

  const runnable = all.filter((b) => b.info !== 'prelude' && b.info !== 'no-run' && !notRun(b));
  test.each(runnable.map((b) => [`${b.file}:${b.line}`, b] as const))('%s runs', (name, b) => {
    const prelude = all.filter((p) => p.file === b.file && p.info === 'prelude' && p.line < b.line).map((p) => p.code).join('\n');
    // imports must come first in a module: hoist every import line of the prelude and the block
    const lines = `${prelude}\n${b.code}`.split('\n');
    const isImport = (l: string) => /^import\s/.test(l);
    const imports = [...new Set(lines.filter(isImport))];
    const code = `${imports.join('\n')}\n${lines.filter((l) => !isImport(l)).join('\n')}`;
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name.replace(/[^\w]+/g, '-')}.mjs`);
    writeFileSync(file, code);
    // a throw, an unhandled rejection or a non-zero exit fails the test, with the snippet's stderr
    execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  }, 90_000);
});
