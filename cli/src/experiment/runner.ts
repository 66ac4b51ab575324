import * as bw from 'bnwasm';
import type { Output } from '../output.js';
import { startBar } from '../progress.js';
import { Rng as Random } from 'bnwasm';
import type { Data, Split } from './digits.js';

/** One evaluation point of a run. */
export interface CurvePoint {
  step: number;
  heldOutAccuracy: number;
  /** Training-set accuracy in inference mode (only when the run asks for it). */
  trainAccuracy?: number;
  /** 15th, 50th and 85th percentiles of the probed unit's input over the probe batch. */
  percentiles?: [number, number, number];
}

export interface RunResult {
  curve: CurvePoint[];
  final: { heldOutAccuracy: number; heldOutLoss: number; trainAccuracy: number; trainLoss: number };
  /** First evaluated step with held-out accuracy ≥ 95%, or null. */
  stepsTo95: number | null;
  /** The step whose loss was NaN/infinite (fit throws), or null. */
  divergedAt: number | null;
  seconds: number;
}

export interface RunSpec {
  label: string;
  model: bw.Sequential;
  data: Split;
  steps: number;
  batchSize: number;
  evalEvery: number;
  /** Seeds the batch order, so paired runs (with/without BN) see identical batches. */
  seed: number;
  /** Values of the probed unit on a fixed batch (see probe.ts). */
  probe?: (model: bw.Sequential) => Float32Array;
  trainAccuracy?: boolean;
  /** Shape of one row as the model takes it (default [width]; [8, 8, 1] feeds the digits as images). */
  rowShape?: number[];
}

export function percentile(sorted: Float32Array, q: number): number {
  const at = (sorted.length - 1) * q, lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

const tensors = (d: Data, rowShape: number[]) => [bw.tensor(d.x, [d.rows, ...rowShape]), bw.tensor(d.y, [d.rows])] as const;

/**
 * Plain mini-batch training with trainOnBatch (fixed-size batches drawn from a reshuffled permutation
 * each epoch; the short remainder is dropped as in the paper's fixed batches of 60), evaluating on
 * the held-out set every `evalEvery` steps and at step 0.
 */
export function run(spec: RunSpec, out: Output): RunResult {
  const started = performance.now();
  const { train } = spec.data, width = train.width, n = spec.batchSize, rowShape = spec.rowShape ?? [width];
  const [xHeld, yHeld] = tensors(spec.data.heldOut, rowShape);
  const [xTrain, yTrain] = tensors(train, rowShape);
  const random = new Random(spec.seed);
  const xb = new Float32Array(n * width), yb = new Float32Array(n);
  let order: number[] = [], cursor = Infinity;
  const curve: CurvePoint[] = [];
  let divergedAt: number | null = null;

  const evaluate = (step: number) => {
    const point: CurvePoint = { step, heldOutAccuracy: spec.model.evaluate(xHeld, yHeld, { batchSize: 512 }).accuracy! };
    if (spec.trainAccuracy) point.trainAccuracy = spec.model.evaluate(xTrain, yTrain, { batchSize: 512 }).accuracy!;
    if (spec.probe) {
      const values = spec.probe(spec.model).sort();
      point.percentiles = [percentile(values, 0.15), percentile(values, 0.5), percentile(values, 0.85)];
    }
    curve.push(point);
    return point;
  };

  const bar = startBar(out, spec.label.padEnd(34), spec.steps, 'steps');
  let last = evaluate(0);
  for (let step = 1; step <= spec.steps; step++) {
    if (cursor + n > order.length) { order = random.shuffle(Array.from({ length: train.rows }, (_, i) => i)); cursor = 0; }
    for (let i = 0; i < n; i++) {
      const r = order[cursor + i];
      xb.set(train.x.subarray(r * width, (r + 1) * width), i * width);
      yb[i] = train.y[r];
    }
    cursor += n;
    try {
      const loss = spec.model.trainOnBatch(bw.tensor(xb, [n, ...rowShape]), bw.tensor(yb, [n]));
      if (!Number.isFinite(loss)) throw new Error(`loss ${loss}`);
    } catch {
      divergedAt = step;
      break;
    }
    if (step % spec.evalEvery === 0 || step === spec.steps) {
      last = evaluate(step);
      bar.update(step, `held-out acc ${(last.heldOutAccuracy * 100).toFixed(1)}%`);
    }
  }
  const held = spec.model.evaluate(xHeld, yHeld, { batchSize: 512 });
  const tr = spec.model.evaluate(xTrain, yTrain, { batchSize: 512 });
  if (divergedAt === null && !Number.isFinite(held.loss)) divergedAt = curve[curve.length - 1].step;
  bar.stop(divergedAt !== null ? `diverged at step ${divergedAt}` : `held-out acc ${(held.accuracy! * 100).toFixed(1)}%`);
  const reached = curve.find((p) => p.heldOutAccuracy >= 0.95);
  return {
    curve,
    final: { heldOutAccuracy: held.accuracy!, heldOutLoss: held.loss, trainAccuracy: tr.accuracy!, trainLoss: tr.loss },
    stepsTo95: reached ? reached.step : null,
    divergedAt,
    seconds: (performance.now() - started) / 1000,
  };
}
