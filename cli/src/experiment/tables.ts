import Table from 'cli-table3';
import type { Claim } from './claims.js';
import { ARCHITECTURES } from './learning-rates.js';
import { REGULARIZERS } from './regularization.js';
import { mean, percentileDrift, outcome, pct, variant, type Results } from './results.js';
import type { RunResult } from './runner.js';

/** A table as data, printed to the terminal (cli-table3) and into report.md (Markdown). */
export interface DataTable { title: string; head: string[]; rows: string[][] }

const reached = (r: RunResult) => (r.stepsTo95 === null ? 'never' : String(r.stepsTo95));

function lrCell(r: RunResult): string {
  const o = outcome(r);
  if (o === 'diverged') return `diverged (step ${r.divergedAt})`;
  if (o === 'stuck') return `stuck at ${pct(r.final.heldOutAccuracy)}`;
  return `${pct(r.final.heldOutAccuracy)} · ${reached(r)}`;
}

export function tables(r: Results, claims: Claim[]): DataTable[] {
  const init = [...r.initialization].sort((a, b) => a.scale - b.scale);
  const archs = ARCHITECTURES.filter((a) => r.learningRates.some((x) => x.architecture === a.name));
  return [
    {
      title: `Figure 1 network and initialization (${r.budget.figure1.steps} steps of 60, SGD lr ${r.budget.figure1.learningRate})`,
      head: ['initial weights', 'network', 'held-out acc', 'train acc', 'steps to 95%', 'input drift'],
      rows: init.flatMap((p) => [p.withoutBN, p.withBN].map((run, i) => [
        `N(0, ${(0.1 * p.scale).toPrecision(2)}²) ×${p.scale}`, variant(i === 1), pct(run.final.heldOutAccuracy), pct(run.final.trainAccuracy),
        reached(run), percentileDrift(run).toFixed(2),
      ])),
    },
    {
      title: `Learning rates: final held-out accuracy · steps to 95% (plain SGD, ${r.budget.learningRates.steps} steps of 32)`,
      head: ['learning rate', ...archs.flatMap((a) => [`${a.name} without BN`, `${a.name} with BN`])],
      rows: r.budget.learningRates.rates.map((lr) => [String(lr), ...archs.flatMap((a) => [false, true].map((bn) =>
        lrCell(r.learningRates.find((x) => x.architecture === a.name && x.learningRate === lr && x.batchNorm === bn)!.result)))]),
    },
    {
      title: `Regularization (mean of ${r.budget.regularization.seeds.length} seed(s), ${r.budget.regularization.steps} steps)`,
      head: ['regularizer', 'train acc', 'held-out acc', 'gap (points)', 'held-out loss'],
      rows: REGULARIZERS.map((reg) => {
        const f = r.regularization.filter((x) => x.regularizer === reg).map((x) => x.result.final);
        const train = mean(f.map((x) => x.trainAccuracy)), held = mean(f.map((x) => x.heldOutAccuracy));
        return [reg, pct(train), pct(held), ((train - held) * 100).toFixed(1), mean(f.map((x) => x.heldOutLoss)).toFixed(3)];
      }),
    },
    { title: 'Batch normalization claims on UCI digits', head: ['claim', 'verdict', 'evidence'], rows: claims.map((c) => [c.claim, c.verdict, c.evidence]) },
  ];
}

export function terminalTable(t: DataTable): string {
  const wide = t.head.length === 3; // the claims table: wrap the evidence
  const table = new Table({
    head: t.head,
    style: { head: [], border: [] },
    wordWrap: true,
    ...(wide ? { colWidths: [26, 14, 78] } : {}),
  });
  for (const row of t.rows) table.push(row);
  return `${t.title}\n${table.toString()}`;
}

export function markdownTable(t: DataTable): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${t.head.map(esc).join(' | ')} |`, `|${t.head.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}
