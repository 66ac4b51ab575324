/** t.data(), t.array(), t.dispose(), bw.tidy and bw.dispose, side by side with TF.js. */
import { describe, expect, test } from 'vitest';
import { bw, setupBoth, tf } from '../helpers/tfjs.js';

await setupBoth();

describe('async readers', () => {
  test('data() and array() resolve to what TF.js returns for the same values (rank 0…3)', async () => {
    const cases: Array<[number | number[] | number[][] | number[][][], number[] | undefined]> = [
      [3.5, undefined], [[1, 2, 3], undefined], [[[1, 2], [3, 4], [5, 6]], undefined], [[[[1], [2]], [[3], [4]]], undefined],
      [[1, 2, 3, 4, 5, 6], [2, 3]],
    ];
    for (const [values, shape] of cases) {
      const a = bw.tensor(values as number[], shape), b = tf.tensor(values as number[], shape);
      expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
      expect(await a.array()).toEqual(await b.array());
      expect(await a.data()).toBeInstanceOf(Float32Array);
    }
  });

  test('data() hands out a copy', async () => {
    const t = bw.tensor([1, 2, 3]);
    (await t.data())[0] = 99;
    expect(t.dataSync()[0]).toBe(1);
  });
});

describe('dispose', () => {
  test('a disposed tensor refuses every read with a clear error; disposing twice is fine', async () => {
    const t = bw.tensor([[1, 2], [3, 4]]);
    expect(t.isDisposed).toBe(false);
    t.dispose();
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.dataSync()).toThrow(/disposed/);
    expect(() => t.arraySync()).toThrow(/disposed/);
    await expect(t.data()).rejects.toThrow(/disposed/);
    await expect(t.array()).rejects.toThrow(/disposed/);
    expect(t.shape).toEqual([2, 2]); // metadata stays, as in TF.js
  });

  test('a model given a disposed tensor throws instead of reading freed values', () => {
    const m = bw.sequential({ layers: [bw.layers.dense({ units: 2, inputShape: [2] })] });
    const x = bw.tensor([[1, 2]]);
    x.dispose();
    expect(() => m.predict(x)).toThrow(/disposed/);
  });

  test('bw.dispose takes a tensor, an array or an object of them, nested', () => {
    const a = bw.tensor([1]), b = bw.tensor([2]), c = bw.tensor([3]), keep = bw.tensor([4]);
    bw.dispose([a, { b, inner: [c] }, null]);
    expect([a, b, c].every((t) => t.isDisposed)).toBe(true);
    expect(keep.isDisposed).toBe(false);
  });
});

describe('tidy', () => {
  test('returns fn() (with or without a name), like tf.tidy', () => {
    const y = bw.tidy(() => bw.tensor([1, 2]).dataSync()[1] * 2);
    expect(y).toBe(tf.tidy(() => tf.tensor([1, 2]).dataSync()[1] * 2));
    const t = bw.tidy('named', () => bw.tensor([5]));
    expect(t.dataSync()[0]).toBe(5);
    expect(t.isDisposed).toBe(false);
  });

  test('rejects a Promise-returning fn and a missing fn, naming the problem', () => {
    expect(() => bw.tidy(async () => 1)).toThrow(/Promise/);
    expect(() => bw.tidy('x' as unknown as () => 1)).toThrow(/expected a function/);
  });
});
