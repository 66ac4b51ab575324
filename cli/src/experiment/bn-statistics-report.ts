import type { BnStatisticsResults, RenormRun } from './bn-statistics.js';
import { GAP_BATCHES, PITFALL_BATCH, PITFALL_LEARNING_RATE, PITFALL_OFFSET, PITFALL_UNITS, RENORM_CLIPPING } from './bn-statistics.js';
import { NOISE, type Claim, type Verdict } from './claims.js';
import type { Budget } from './config.js';
import { mean, pct } from './results.js';
import type { DataTable } from './tables.js';

const pts = (v: number) => `${(v * 100).toFixed(1)} pts`;
const gap = (r: RenormRun) => Math.abs(r.trainingMode - r.inference);

/** Held-out accuracy per training-set size, mean over seeds: moving averages vs calibrated statistics. */
function bySize(r: BnStatisticsResults) {
  return [...new Set(r.pitfall.map((p) => p.trainRows))].map((n) => {
    const runs = r.pitfall.filter((p) => p.trainRows === n);
    return { n, steps: runs[0].steps, moving: mean(runs.map((p) => p.moving)), calibrated: mean(runs.map((p) => p.calibrated)), train: mean(runs.map((p) => p.trainAccuracy)) };
  });
}

function pitfallCured(r: BnStatisticsResults): Claim {
  const rows = bySize(r);
  const better = rows.filter((x) => x.calibrated - x.moving > NOISE).length, worse = rows.filter((x) => x.moving - x.calibrated > NOISE).length;
  const verdict: Verdict = better === rows.length ? 'held' : worse > 0 ? 'did not hold' : 'inconclusive';
  return {
    claim: 'calibrated statistics fix predictions that moving averages spoil after short training',
    verdict,
    evidence: `Raw pixels + ${PITFALL_OFFSET}, held-out accuracy with the moving averages → after calibrateBatchNorm: ${rows.map((x) => `${x.n} rows (${x.steps} steps) ${pct(x.moving)} → ${pct(x.calibrated)}`).join('; ')}; training accuracy (training mode, as fit reports it) ${rows.map((x) => pct(x.train)).join(', ')}.`,
  };
}

function renormNarrowsGap(r: BnStatisticsResults): Claim {
  const sizes = [...new Set(r.renorm.map((x) => x.batchSize))];
  const pairs = sizes.map((b) => ({ b, plain: r.renorm.find((x) => x.batchSize === b && !x.renorm)!, renorm: r.renorm.find((x) => x.batchSize === b && x.renorm)! }));
  const measurable = pairs.filter((p) => gap(p.plain) > NOISE);
  const narrower = measurable.filter((p) => gap(p.plain) - gap(p.renorm) > NOISE).length;
  const wider = pairs.filter((p) => gap(p.renorm) - gap(p.plain) > NOISE).length;
  const verdict: Verdict = wider > 0 ? 'did not hold' : measurable.length > 0 && narrower === measurable.length ? 'held' : 'inconclusive';
  return {
    claim: 'Batch Renormalization narrows the train/inference gap of small batches',
    verdict,
    evidence: `Accuracy on the last ${GAP_BATCHES} batches, training mode vs inference mode (gap), plain BN | renorm: ${pairs.map((p) => `batches of ${p.b}: ${pts(gap(p.plain))} | ${pts(gap(p.renorm))}`).join('; ')}; held-out accuracy ${pairs.map((p) => `${pct(p.plain.heldOut)} | ${pct(p.renorm.heldOut)}`).join(', ')}.`,
  };
}

export function judgeStatistics(r: BnStatisticsResults): Claim[] {
  return [pitfallCured(r), renormNarrowsGap(r)];
}

export function statisticsTables(r: BnStatisticsResults, budget: Pick<Budget, 'statistics' | 'renorm'>, claims: Claim[]): DataTable[] {
  return [
    {
      title: `Moving averages vs calibrated statistics (raw pixels + ${PITFALL_OFFSET}, ${budget.statistics.epochs} epochs, mean of ${budget.statistics.seeds.length} seed(s))`,
      head: ['training rows', 'steps', 'train acc (training mode)', 'held-out acc, moving averages', 'held-out acc, calibrated'],
      rows: bySize(r).map((x) => [String(x.n), String(x.steps), pct(x.train), pct(x.moving), pct(x.calibrated)]),
    },
    {
      title: `BN vs Batch Renormalization with small batches (${budget.renorm.steps} Adam steps)`,
      head: ['batch', 'layer', `training-mode acc (last ${GAP_BATCHES})`, 'inference acc (same batches)', 'gap (points)', 'held-out acc'],
      rows: r.renorm.map((x) => [String(x.batchSize), x.renorm ? 'renorm' : 'BN', pct(x.trainingMode), pct(x.inference), (gap(x) * 100).toFixed(1), pct(x.heldOut)]),
    },
    { title: 'Batch normalization statistics on UCI digits', head: ['finding', 'verdict', 'evidence'], rows: claims.map((c) => [c.claim, c.verdict, c.evidence]) },
  ];
}

/** The report's section on BN statistics (tables in the order statisticsTables gives them). */
export function statisticsSection(budget: Pick<Budget, 'statistics' | 'renorm'>, [pitfallTable, renormTable, verdicts]: string[]): string {
  return `## 5. Moving averages and exact statistics

Inference normalizes with moving averages that move 1% of the way towards each batch's statistics (momentum 0.99),
so after n steps they still hold 0.99ⁿ of their initial mean 0 and variance 1. Here: Dense(${PITFALL_UNITS}, relu) → BN →
Dense(10, softmax) on the first N rows of the shuffled training split, the pixels unscaled (0..16) and offset by
+${PITFALL_OFFSET} as many tables' columns are, Adam lr ${PITFALL_LEARNING_RATE}, batches of ${PITFALL_BATCH}, ${budget.statistics.epochs} epochs; held-out accuracy with the
moving statistics, then after \`model.calibrateBatchNorm(xTrain)\` replaced them with the exact mean and variance of
the BN layer's input over the N rows (the BN paper's inference procedure).

${pitfallTable}

## 6. Batch Renormalization with small batches

With a batch of 2 or 4 rows, a BN layer trains on statistics far noisier than the moving averages inference uses.
Batch Renormalization (Ioffe 2017) corrects each batch towards the running statistics (r, d clipped to
r ∈ [${RENORM_CLIPPING.rmin.toFixed(2)}, ${RENORM_CLIPPING.rmax}], |d| ≤ ${RENORM_CLIPPING.dmax}). The seed model trained ${budget.renorm.steps} Adam steps on the same batches of each size with
plain BN and with \`renorm: true\`; the last ${GAP_BATCHES} batches are then classified again in training mode (each batch
normalized with its own statistics) and in inference mode.

${renormTable}

${verdicts}
`;
}
