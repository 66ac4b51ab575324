/**
 * matMul edge cases beyond the TF.js comparison: an empty inner dimension.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as bw from '../../src/index.js';

beforeAll(() => bw.ready());

describe.each(['wasm', 'js'] as const)('on %s', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test('matMul with an empty inner dimension is all zeros, even on reused memory', () => {
    bw.ops.matMul(bw.tensor([[1, 2], [3, 4]]), bw.tensor([[5, 6], [7, 8]])); // leaves non-zero bytes behind
    const c = bw.ops.matMul(bw.tensor(new Float32Array(0), [2, 0]), bw.tensor(new Float32Array(0), [0, 3]));
    expect(c.shape).toEqual([2, 3]);
    expect(Array.from(c.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
