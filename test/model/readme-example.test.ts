import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

// The README's example is the first thing a user runs: execute it verbatim against the built package
// (imported as 'bnwasm' through the package's own exports) and hold it to the >= 95% it promises.
test('the README example trains the seed model on UCI digits to >= 95% held-out accuracy', () => {
  const root = join(__dirname, '..', '..');
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(readme)![1];
  expect(code).toContain("import * as bw from 'bnwasm'");
  const dir = join(root, 'test-artifacts', 'readme-example');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'example.mjs');
  writeFileSync(file, code);
  try {
    const out = execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    const accuracy = Number(/held-out accuracy ([\d.]+)/.exec(out)![1]);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(out).toContain('Total params: 5,066');
    expect(readFileSync(join(root, 'digits-model', 'model.json'), 'utf8')).toContain('"BatchNormalization"');
  } finally {
    rmSync(join(root, 'digits-model'), { recursive: true, force: true });
  }
});
