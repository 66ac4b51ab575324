/**
 * Rows regrouped by their index modulo `groups` (Ghost Batch Normalization's virtual batches, which
 * tf.keras forms by reshaping the batch to [virtualBatchSize, groups, ...]: row i is in group i mod groups):
 *   inverse = 0: y lists group 0's rows (0, groups, 2·groups, …), then group 1's, …;
 *   inverse = 1: the reverse permutation (y[i] = x[position of row i]).
 * Each row is `width` floats; y must not alias x. Any rows, groups, width ≥ 1.
 * Must match test/reference/ghost.ts.
 */
export function f32_group_rows(rows: i32, groups: i32, width: i32, x: usize, y: usize, inverse: i32): void {
  const bytes = <usize>width << 2;
  let k: usize = 0;
  for (let g = 0; g < groups; g++) {
    for (let i = g; i < rows; i += groups, k++) {
      const at = <usize>i * bytes, to = k * bytes;
      if (inverse) memory.copy(y + at, x + to, bytes);
      else memory.copy(y + to, x + at, bytes);
    }
  }
}
