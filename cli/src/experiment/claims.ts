import { ARCHITECTURES } from './learning-rates.js';
import { REGULARIZERS } from './regularization.js';
import { figure1, mean, percentileDrift, pct, type Results } from './results.js';
import type { RunResult } from './runner.js';

export type Verdict = 'held' | 'did not hold' | 'inconclusive';

/** One of the seed's claims, judged from the numbers of this run. */
export interface Claim { claim: string; verdict: Verdict; evidence: string }

/** Accuracy differences below this (0.5 points, about two held-out rows) are called inconclusive. */
export const NOISE = 0.005;

const steps = (r: RunResult) => (r.stepsTo95 === null ? 'never' : `${r.stepsTo95}`);
const pts = (v: number) => `${(v * 100).toFixed(1)} pts`;

function faster(r: Results): Claim {
  const { withBN, withoutBN } = figure1(r);
  const b = withBN.stepsTo95, n = withoutBN.stepsTo95;
  let verdict: Verdict, how: string;
  if (b !== null && (n === null || b < n)) {
    verdict = 'held';
    how = n === null ? `only the BN network got there within ${r.budget.figure1.steps} steps` : `${(n / b).toFixed(1)}× fewer steps`;
  } else if (b === null && n === null) {
    const d = withBN.final.heldOutAccuracy - withoutBN.final.heldOutAccuracy;
    verdict = Math.abs(d) < NOISE ? 'inconclusive' : d > 0 ? 'held' : 'did not hold';
    how = `neither reached 95%; final accuracy ${pct(withBN.final.heldOutAccuracy)} vs ${pct(withoutBN.final.heldOutAccuracy)}`;
  } else {
    verdict = b === n ? 'inconclusive' : 'did not hold';
    how = 'the network without BN got there no later';
  }
  const paired = r.learningRates.filter((x) => x.batchNorm).map((x) => ({
    bn: x.result.stepsTo95,
    plain: r.learningRates.find((y) => !y.batchNorm && y.architecture === x.architecture && y.learningRate === x.learningRate)!.result.stepsTo95,
  }));
  const bnFirst = paired.filter((p) => p.bn !== null && (p.plain === null || p.bn < p.plain)).length;
  return {
    claim: 'speeds up convergence',
    verdict,
    evidence: `Figure 1 network: 95% held-out accuracy after ${steps(withBN)} steps with BN vs ${steps(withoutBN)} without (${how}); in the learning-rate sweep BN reached 95% first in ${bnFirst} of ${paired.length} settings.`,
  };
}

function higherRates(r: Results): Claim {
  const parts: string[] = [];
  let better = 0, worse = 0;
  for (const arch of ARCHITECTURES) {
    const best = (bn: boolean) => Math.max(0, ...r.learningRates
      .filter((x) => x.architecture === arch.name && x.batchNorm === bn && x.result.stepsTo95 !== null).map((x) => x.learningRate));
    const b = best(true), n = best(false);
    if (b > n) better++;
    if (b < n) worse++;
    const failed = r.learningRates.filter((x) => x.architecture === arch.name && !x.batchNorm && x.result.final.heldOutAccuracy < 0.2).map((x) => x.learningRate);
    parts.push(`${arch.name}: ${b || 'none'} with BN vs ${n || 'none'} without${failed.length ? ` (without BN, lr ${failed.join(', ')} ended at chance or diverged)` : ''}`);
  }
  const verdict: Verdict = better > 0 && worse === 0 ? 'held' : worse > 0 && better === 0 ? 'did not hold' : 'inconclusive';
  return { claim: 'tolerates higher learning rates', verdict, evidence: `Largest learning rate that reached 95% held-out accuracy, ${parts.join('; ')}.` };
}

function initialization(r: Results): Claim {
  const spread = (bn: boolean) => {
    const accs = r.initialization.map((p) => (bn ? p.withBN : p.withoutBN).final.heldOutAccuracy);
    return { lo: Math.min(...accs), hi: Math.max(...accs) };
  };
  const b = spread(true), n = spread(false);
  const d = (n.hi - n.lo) - (b.hi - b.lo);
  const verdict: Verdict = Math.abs(d) < NOISE ? 'inconclusive' : d > 0 ? 'held' : 'did not hold';
  const scales = [...r.initialization].sort((x, y) => x.scale - y.scale).map((p) => `×${p.scale}`).join(', ');
  return {
    claim: 'reduces sensitivity to initialization',
    verdict,
    evidence: `Final held-out accuracy over initial weight scales ${scales}: ${pct(b.lo)}–${pct(b.hi)} with BN (spread ${pts(b.hi - b.lo)}) vs ${pct(n.lo)}–${pct(n.hi)} without (spread ${pts(n.hi - n.lo)}).`,
  };
}

function stableInputs(r: Results): Claim {
  const { withBN, withoutBN } = figure1(r);
  const b = percentileDrift(withBN), n = percentileDrift(withoutBN);
  const verdict: Verdict = b < n ? 'held' : 'did not hold';
  const last = (run: RunResult) => run.curve[run.curve.length - 1].percentiles!.map((v) => v.toFixed(2)).join(' / ');
  return {
    claim: 'stabilizes the distribution of layer inputs (less internal covariate shift)',
    verdict,
    evidence: `Figure 1 network, one sigmoid's input: its 15th/50th/85th percentiles moved by ${b.toFixed(2)} on average during training with BN vs ${n.toFixed(2)} without (${(n / Math.max(b, 1e-6)).toFixed(1)}× less drift with BN); final percentiles ${last(withBN)} with BN, ${last(withoutBN)} without.`,
  };
}

function regularizer(r: Results): Claim {
  const stats = Object.fromEntries(REGULARIZERS.map((reg) => {
    const runs = r.regularization.filter((x) => x.regularizer === reg).map((x) => x.result.final);
    return [reg, { gap: mean(runs.map((f) => f.trainAccuracy - f.heldOutAccuracy)), held: mean(runs.map((f) => f.heldOutAccuracy)) }];
  }));
  const bn = stats['batch norm'], none = stats.neither, drop = stats.dropout;
  const d = none.gap - bn.gap;
  const verdict: Verdict = Math.abs(d) < NOISE ? 'inconclusive' : d > 0 ? 'held' : 'did not hold';
  const seeds = r.budget.regularization.seeds.length;
  return {
    claim: 'acts as a regularizer',
    verdict,
    evidence: `Train − held-out accuracy gap (mean of ${seeds} seed${seeds > 1 ? 's' : ''}): ${pts(bn.gap)} with BN, ${pts(drop.gap)} with dropout, ${pts(none.gap)} with neither; held-out accuracy ${pct(bn.held)}, ${pct(drop.held)}, ${pct(none.held)}.`,
  };
}

export function judgeClaims(r: Results): Claim[] {
  return [faster(r), higherRates(r), initialization(r), stableInputs(r), regularizer(r)];
}
