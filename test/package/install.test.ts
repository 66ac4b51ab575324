// The packed library installed into an empty project, used the ways the README says: an ES module,
// CommonJS through a dynamic import(), and TypeScript with the shipped declarations. Offline: the
// tarball is unpacked into node_modules/bnwasm as npm would, and its one dependency is copied from
// this checkout's node_modules.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packInto, ROOT, unpack } from './pack.js';

let project: string;
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'bnwasm-install-'));
  const tarball = packInto(project);
  const modules = join(project, 'node_modules');
  unpack(readFileSync(tarball), join(modules, 'bnwasm'));
  mkdirSync(join(modules, '@assemblyscript'), { recursive: true });
  cpSync(join(ROOT, 'node_modules/@assemblyscript/loader'), join(modules, '@assemblyscript/loader'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
}, 60_000);

afterAll(() => { if (project) rmSync(project, { recursive: true, force: true }); });

const run = (file: string, source: string) => {
  writeFileSync(join(project, file), source);
  return execFileSync(process.execPath, [file], { cwd: project, encoding: 'utf8', timeout: 60_000 }).trim();
};

const TRAIN = `
  await bw.ready();
  bw.setSeed(1);
  const model = bw.sequential({ layers: [
    bw.layers.dense({ units: 8, activation: 'relu', inputShape: [2] }),
    bw.layers.batchNormalization(),
    bw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const x = bw.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y = bw.tensor([[0], [1], [1], [0]]);
  const history = await model.fit(x, y, { epochs: 3, batchSize: 4 });
  console.log(JSON.stringify({ backend: bw.getBackend(), build: bw.wasmBuild(), epochs: history.history.loss.length,
    finite: history.history.loss.every(Number.isFinite), shape: model.predict(x).shape }));`;

describe('the packed library in an empty project', () => {
  it('imports as an ES module and trains on the WASM kernels', () => {
    const out = JSON.parse(run('esm.mjs', `import * as bw from 'bnwasm';\n${TRAIN}`));
    expect(out).toEqual({ backend: 'wasm', build: expect.stringMatching(/^(simd|relaxed)$/), epochs: 3, finite: true, shape: [4, 1] });
  });

  it('works from CommonJS through import(), and through require() where Node can require an ES module', () => {
    const out = JSON.parse(run('cjs.cjs', `(async () => {\n  const bw = await import('bnwasm');\n${TRAIN}\n})();`));
    expect(out.epochs).toBe(3);
    // Node 20.19+ and 22.12+ load an ES module without top-level await through require(); older ones refuse
    const required = () => run('require.cjs', `const bw = require('bnwasm');\nconsole.log(typeof bw.ready, typeof bw.sequential);`);
    if ((process.features as { require_module?: boolean }).require_module) expect(required()).toBe('function function');
    else expect(required).toThrow(/ERR_REQUIRE_ESM/);
  });

  it('type-checks a TypeScript user of the shipped declarations', () => {
    writeFileSync(join(project, 'use.ts'), `import * as bw from 'bnwasm';
const model: bw.Sequential = bw.sequential();
model.add(bw.layers.dense({ units: 1, inputShape: [3] }));
const t: bw.Tensor = bw.tensor([1, 2, 3], [1, 3]);
export const rows: number = t.shape[0];
// @ts-expect-error: units must be a number
bw.layers.dense({ units: 'many' });
`);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, lib: ['ES2022', 'DOM'], types: [] },
      files: ['use.ts'],
    }));
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
  }, 60_000);
});
