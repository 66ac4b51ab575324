import { expect, test } from 'vitest';
import * as bw from '../src/index.js';

test('ready() loads a WASM build and the relaxed build where the engine validates it', async () => {
  await bw.ready();
  expect(bw.getBackend()).toBe('wasm');
  expect(['relaxed', 'simd']).toContain(bw.wasmBuild());
});
