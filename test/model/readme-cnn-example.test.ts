import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

// The README's CNN example, run verbatim against the built package (imported as 'bnwasm' through the
// package's own exports), then with two other seeds: each must reach the >= 98% held out it promises.
const root = join(__dirname, '..', '..');
const code = (() => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).find((c) => c.includes('bw.layers.conv2d'));
  if (!block) throw new Error('README.md has no ```js block with a conv2d example');
  return block;
})();

function run(seed: number): number {
  const dir = join(root, 'test-artifacts', 'readme-cnn-example');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `example-${seed}.mjs`);
  writeFileSync(file, code.replace('bw.setSeed(42);', `bw.setSeed(${seed});`));
  const out = execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return Number(/held-out accuracy ([\d.]+)/.exec(out)![1]);
}

test.each([42, 1, 7])('the README CNN example reaches >= 98%% held-out accuracy on the digits as 8×8×1 images (seed %i)', (seed) => {
  expect(code).toContain("import * as bw from 'bnwasm'");
  expect(code).toContain('bw.setSeed(42);');
  expect(run(seed)).toBeGreaterThanOrEqual(0.98);
}, 150_000);
