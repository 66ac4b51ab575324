// the CLI's own stream, independent of bw.setSeed, so with-BN and without-BN runs share splits, batches and weights
import { Rng as Random } from 'bnwasm';

function shuffle(a: Uint32Array, random: Random): Uint32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    const t = a[i]; a[i] = a[j]; a[j] = t;
  }
  return a;
}

export interface Split {
  train: Uint32Array;
  heldOut: Uint32Array;
  /** Classes that have rows but none held out (a class of one row stays in training). */
  classesNotHeldOut: number[];
}

/**
 * Seeded train / held-out split of row indices. With `classes` (one class index per row) it is
 * stratified: each class contributes round(fraction · its count) held-out rows, and at least one when
 * it has two or more rows and the fraction is not 0, so a CSV sorted by label (common; Keras's
 * validationSplit would then hold out only the last classes) and a small table still get every class
 * in both parts where it can.
 */
export function splitRows(rows: number, fraction: number, seed: number, classes?: ArrayLike<number>): Split {
  const random = new Random(seed);
  let groups = 1;
  if (classes) for (let i = 0; i < rows; i++) groups = Math.max(groups, classes[i] + 1);
  const counts = new Uint32Array(groups);
  for (let i = 0; i < rows; i++) counts[classes ? classes[i] : 0]++;
  // rows grouped by class in one array (a counting sort), then each group shuffled
  const starts = new Uint32Array(groups + 1);
  for (let g = 0; g < groups; g++) starts[g + 1] = starts[g] + counts[g];
  const grouped = new Uint32Array(rows), fill = starts.slice(0, groups);
  for (let i = 0; i < rows; i++) grouped[fill[classes ? classes[i] : 0]++] = i;
  let held = 0;
  const heldPer = new Uint32Array(groups), notHeld: number[] = [];
  for (let g = 0; g < groups; g++) {
    const n = counts[g];
    let k = Math.round(n * fraction);
    if (classes && k === 0 && n >= 2 && fraction > 0) k = 1;
    if (k === n && n > 0 && fraction < 1) k = n - 1; // keep a training row of every class
    heldPer[g] = k;
    held += k;
    if (classes && n > 0 && k === 0 && fraction > 0) notHeld.push(g);
  }
  const train = new Uint32Array(rows - held), heldOut = new Uint32Array(held);
  let t = 0, h = 0;
  for (let g = 0; g < groups; g++) {
    const members = shuffle(grouped.subarray(starts[g], starts[g + 1]), random);
    heldOut.set(members.subarray(0, heldPer[g]), h);
    train.set(members.subarray(heldPer[g]), t);
    h += heldPer[g];
    t += members.length - heldPer[g];
  }
  // interleave classes again, so a batch taken in order is not one class
  return { train: shuffle(train, random), heldOut: shuffle(heldOut, random), classesNotHeldOut: notHeld };
}

/**
 * Reorders the rows of a row-major matrix in place so that row i becomes old row order[i] (a
 * permutation), following its cycles: one row of scratch memory instead of a second matrix.
 */
export function permuteRows(x: Float32Array, width: number, order: Uint32Array): void {
  const rows = order.length, done = new Uint8Array(rows), tmp = new Float32Array(width);
  for (let start = 0; start < rows; start++) {
    if (done[start] || order[start] === start) { done[start] = 1; continue; }
    tmp.set(x.subarray(start * width, (start + 1) * width));
    let i = start;
    for (;;) {
      done[i] = 1;
      const from = order[i];
      if (from === start) { x.set(tmp, i * width); break; }
      x.copyWithin(i * width, from * width, (from + 1) * width);
      i = from;
    }
  }
}
