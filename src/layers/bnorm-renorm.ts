import { heap } from '../backend/runtime.js';
import type { F32 } from '../memory/heap.js';
import { knownKeys, number } from '../util/validate.js';
import type { StepContext } from './layer.js';
import type { Option } from './options.js';

/**
 * Batch Renormalization (Ioffe 2017, as Keras 3) for BatchNormalization's `renorm`: the clipping option, the
 * state's start from the moving statistics, and the training-step correction. The layer keeps the weights and
 * calls these; see batch-normalization.ts for the semantics.
 */

/** Batch Renormalization's clipping of r to [rmin, rmax] and d to [−dmax, dmax]; a missing key does not clip. */
export interface RenormClipping { rmax?: number; rmin?: number; dmax?: number }

export function renormClippingOption(): Option<RenormClipping | null, false> {
  return {
    required: false,
    default: null,
    check(v, what) {
      if (v === null || v === undefined) return null;
      knownKeys(v as object, what, ['rmax', 'rmin', 'dmax']);
      const c: RenormClipping = {};
      for (const [key, value] of Object.entries(v as object)) {
        if (value !== undefined) c[key as keyof RenormClipping] = number(value, `${what}.${key}`, (x) => key === 'rmax' || x >= 0, key === 'rmax' ? 'a number' : 'a number >= 0');
      }
      if (c.rmin !== undefined && c.rmax !== undefined && c.rmax < c.rmin) {
        throw new Error(`${what}: rmax must be >= rmin, got rmax ${c.rmax} and rmin ${c.rmin}`);
      }
      return c;
    },
  };
}

/** renorm's state, after Keras 3's: the stddevs start at √ of the moving variance, renorm_mean at the moving mean. */
export function startRenormState(moving: { mean: F32; variance: F32; stddev: F32 }, renorm: { mean: F32; stddev: F32 }): void {
  const h = heap(), sd = h.f32(moving.variance).map(Math.sqrt);
  h.f32(moving.stddev).set(sd);
  h.f32(renorm.stddev).set(sd);
  h.f32(renorm.mean).set(h.f32(moving.mean));
}

/** What renorm's backward needs: r, d (constants for the gradient) and gamma·r. */
export interface RenormStep { r: F32; d: F32; scale: F32 }

/**
 * y (x̂ from the BN kernel, n × c) becomes x̂·(gamma·r) + (gamma·d + beta) in place, with r = σ_batch/σ_renorm
 * and d = (μ_batch − μ_renorm)/σ_renorm clipped by `clipping`.
 */
export function renormCorrect(ctx: StepContext, n: number, c: number, y: F32, batch: { mean: F32; variance: F32 },
  renorm: { mean: F32; stddev: F32 }, gamma: F32 | null, beta: F32 | null, epsilon: number, clipping: RenormClipping | null): RenormStep {
  const k = ctx.k, r = ctx.scratch(c), d = ctx.scratch(c), scale = ctx.scratch(c), shift = ctx.scratch(c);
  const clip = clipping ?? {};
  k.renormCorrection(c, batch.mean, batch.variance, renorm.mean, renorm.stddev, gamma, beta, r, d, scale, shift,
    epsilon, clip.rmin ?? 0, clip.rmax ?? Infinity, clip.dmax ?? Infinity);
  k.scaleShift(n, c, y, null, scale, shift, y);
  return { r, d, scale };
}
