// the CLI's own stream, independent of bw.setSeed, so with-BN and without-BN runs share splits, batches and weights
import { Rng as Random } from 'bnwasm';

/**
 * Seeded train / held-out split of row indices. With `classes` (one class index per row) it is
 * stratified: each class contributes round(fraction · its count) held-out rows, so a CSV sorted by
 * label (common; Keras's validationSplit would then hold out only the last classes) still gets every
 * class in both parts.
 */
export function splitRows(rows: number, fraction: number, seed: number, classes?: ArrayLike<number>): { train: number[]; heldOut: number[] } {
  const random = new Random(seed);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < rows; i++) {
    const key = classes ? classes[i] : 0;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(i);
  }
  const train: number[] = [], heldOut: number[] = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const members = random.shuffle(groups.get(key)!);
    const n = Math.round(members.length * fraction);
    heldOut.push(...members.slice(0, n));
    train.push(...members.slice(n));
  }
  // interleave classes again, so a batch taken in order is not one class
  return { train: random.shuffle(train), heldOut: random.shuffle(heldOut) };
}
