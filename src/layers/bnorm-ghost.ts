import { heap } from '../backend/runtime.js';
import type { F32 } from '../memory/heap.js';
import { integer } from '../util/validate.js';
import type { StepContext } from './layer.js';
import type { Option } from './options.js';
import type { PooledMoments } from './pooled-moments.js';

/**
 * Ghost Batch Normalization (as tf.keras 2) for BatchNormalization's `virtualBatchSize`: a batch of B samples
 * normalized in ⌈B/V⌉ virtual batches, sample i in virtual batch i mod ⌈B/V⌉. The samples are regrouped so each
 * virtual batch is contiguous, each goes through the BN kernels on its own, then they are put back in order.
 */

export function virtualBatchSizeOption(): Option<number | null, false> {
  return { required: false, default: null, check: (v, what) => (v === null || v === undefined ? null : integer(v, what, 1)) };
}

/** How many virtual batches `rows` samples make (1: plain BN). */
export function ghostGroups(rows: number, virtualBatchSize: number | null): number {
  return virtualBatchSize === null ? 1 : Math.ceil(rows / virtualBatchSize);
}

/** One training step's virtual batches: sizes in samples, the regrouped input, statistics groups × features each. */
export interface GhostStep { groups: number; sizes: number[]; perSample: number; x: F32; means: F32; variances: F32; invStds: F32 }

/** The per-feature parameters the BN kernels take. */
interface Affine { gamma: F32 | null; beta: F32 | null; epsilon: number }

/**
 * Training-mode output of `rows` samples (x in rows × c layout, perSample positions each) normalized per
 * virtual batch. The moving averages move towards the size-weighted mean of the groups' means and variances
 * (tf.keras: the plain mean; equal when sizes are).
 */
export function ghostForward(ctx: StepContext, x: F32, rows: number, groups: number, perSample: number, c: number,
  p: Affine): { y: F32; mean: F32; variance: F32; step: GhostStep } {
  const n = rows * perSample, k = ctx.k, h = heap();
  const sizes = Array.from({ length: groups }, (_, g) => Math.ceil((rows - g) / groups));
  const xg = ctx.scratch(n * c), yg = ctx.scratch(n * c), y = ctx.scratch(n * c);
  const means = ctx.scratch(groups * c), variances = ctx.scratch(groups * c), invStds = ctx.scratch(groups * c);
  k.groupRows(rows, groups, perSample * c, x, xg, false);
  let offset = 0;
  sizes.forEach((size, g) => {
    const len = size * perSample * c;
    k.bnormForwardTrain(size * perSample, c, at(xg, offset, len), p.gamma, p.beta,
      at(yg, offset, len), at(means, g * c, c), at(variances, g * c, c), at(invStds, g * c, c), p.epsilon);
    offset += len;
  });
  k.groupRows(rows, groups, perSample * c, yg, y, true);
  const step = { groups, sizes, perSample, x: xg, means, variances, invStds };
  const mean = ctx.scratch(c), variance = ctx.scratch(c);
  const M = h.f32(means), V = h.f32(variances), towardsMean = new Float64Array(c), towardsVariance = new Float64Array(c);
  sizes.forEach((size, g) => {
    for (let j = 0; j < c; j++) {
      towardsMean[j] += M[g * c + j] * size / rows;
      towardsVariance[j] += V[g * c + j] * size / rows;
    }
  });
  h.f32(mean).set(towardsMean);
  h.f32(variance).set(towardsVariance);
  return { y, mean, variance, step };
}

/**
 * Backward: each virtual batch through BN's backward, the gamma/beta gradients summed over them into
 * dgamma/dbeta; returns dx in rows × c layout, or null when it is not needed.
 */
export function ghostBackward(ctx: StepContext, s: GhostStep, dy: F32, rows: number, c: number, gamma: F32 | null,
  needsInputGrad: boolean, dgamma: F32, dbeta: F32): F32 | null {
  const { groups, sizes, perSample, means, invStds } = s, n = rows * perSample, k = ctx.k;
  const dyg = ctx.scratch(n * c), dgs = ctx.scratch(groups * c), dbs = ctx.scratch(groups * c);
  k.groupRows(rows, groups, perSample * c, dy, dyg, false);
  let offset = 0;
  sizes.forEach((size, g) => {
    const len = size * perSample * c, part = at(dyg, offset, len);
    k.bnormBackward(size * perSample, c, part, at(s.x, offset, len), at(means, g * c, c), at(invStds, g * c, c),
      gamma, part, at(dgs, g * c, c), at(dbs, g * c, c));
    offset += len;
  });
  k.sumRows(groups, c, dgs, dgamma, false);
  k.sumRows(groups, c, dbs, dbeta, false);
  if (!needsInputGrad) return null;
  const dx = ctx.scratch(n * c);
  k.groupRows(rows, groups, perSample * c, dyg, dx, true);
  return dx;
}

/** Calibration: each virtual batch's own moments into `pool` (pooled exactly, they are the whole batch's). */
export function poolGhostMoments(s: GhostStep, c: number, pool: PooledMoments): void {
  const h = heap();
  s.sizes.forEach((size, g) => pool.add(size * s.perSample, h.f32(at(s.means, g * c, c)), h.f32(at(s.variances, g * c, c))));
}

/** floats [offset, offset + length) of a scratch array (unaligned views are fine for every kernel). */
function at(a: F32, offset: number, length: number): F32 {
  return { ptr: a.ptr + 4 * offset, length };
}
