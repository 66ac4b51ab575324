import { Tensor, toTensor } from '../tensor/tensor.js';
import { fail, show } from '../util/validate.js';

/**
 * The per-sample weights of Keras's fit/evaluate: sampleWeight (one weight per sample), times
 * classWeight[class of the sample] when classWeight is given (a class it does not list weighs 1). A
 * sample's class is the index of its largest target (one-hot or sparse targets) or, with one target
 * column, the target rounded. Returns null when neither is given (the unweighted path).
 */
export function sampleWeights(who: string, rows: number, targets: Float32Array, targetWidth: number,
  classWeight: unknown, sampleWeight: unknown): Float32Array | null {
  if (classWeight === undefined && sampleWeight === undefined) return null;
  const w = new Float32Array(rows).fill(1);
  if (sampleWeight !== undefined) {
    const t: Tensor = toTensor(sampleWeight, `${who}: sampleWeight`);
    if (t.size !== rows || t.shape.length > 2 || (t.shape.length === 2 && t.shape[1] !== 1)) {
      throw new Error(`${who}: sampleWeight must hold one weight per sample (shape [${rows}] or [${rows}, 1]), got shape [${t.shape.join(', ')}]`);
    }
    const v = t.values;
    for (let i = 0; i < rows; i++) {
      if (!Number.isFinite(v[i]) || v[i] < 0) throw new Error(`${who}: sampleWeight[${i}] must be a finite number >= 0, got ${v[i]}`);
      w[i] = v[i];
    }
  }
  if (classWeight !== undefined) {
    if (classWeight === null || typeof classWeight !== 'object' || Array.isArray(classWeight)) {
      fail(`${who}: classWeight`, 'an object mapping class indices to weights, e.g. { 0: 1, 1: 5 }', classWeight);
    }
    const table = new Map<number, number>();
    for (const [key, value] of Object.entries(classWeight as Record<string, unknown>)) {
      const cls = Number(key);
      if (!Number.isInteger(cls) || cls < 0) throw new Error(`${who}: classWeight keys must be class indices (integers >= 0), got ${show(key)}`);
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new Error(`${who}: classWeight[${key}] must be a finite number >= 0, got ${show(value)}`);
      }
      table.set(cls, value);
    }
    for (let i = 0; i < rows; i++) w[i] *= table.get(classOf(targets, i * targetWidth, targetWidth)) ?? 1;
  }
  return w;
}

/**
 * The class weights of `targets` (classWeight as in sampleWeights) times per-sample weights `base` (or
 * either alone; null when neither): how fit weights its training rows and trainOnBatch its batch.
 */
export function withClassWeight(who: string, rows: number, targets: Float32Array, targetWidth: number,
  classWeight: unknown, base: Float32Array | null): Float32Array | null {
  const cw = sampleWeights(who, rows, targets, targetWidth, classWeight, undefined);
  if (cw && base) for (let i = 0; i < rows; i++) cw[i] *= base[i];
  return cw ?? base;
}

function classOf(t: Float32Array, at: number, width: number): number {
  if (width === 1) return Math.round(t[at]);
  let best = 0;
  for (let j = 1; j < width; j++) if (t[at + j] > t[at + best]) best = j;
  return best;
}
