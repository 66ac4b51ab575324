import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { messyCase } from './messy-csv.js';
import { runCli, tempDir, writeCsv } from './helpers.js';

// 100 runs here (about 20 s); `npm run soak:cli` runs 1,000
const RUNS = Number(process.env.BNWASM_SOAK_RUNS ?? 100);

/** A failure the user sees: exactly one line `bnwasm: …`, no stack trace, no "unexpected error". */
function oneLineError(r: Awaited<ReturnType<typeof runCli>>): string | null {
  if (r.errors.length !== 1) return `expected one error line, got ${r.errors.length}: ${JSON.stringify(r.errors)}`;
  const line = r.errors[0];
  if (!line.startsWith('bnwasm: ') || line.includes('\n') || /unexpected error/.test(line)) return `not a one-line user error: ${JSON.stringify(line)}`;
  return null;
}

test(`${RUNS} CLI runs on random messy CSVs: each trains or exits with one line`, async () => {
  const dir = tempDir('soak');
  const outcomes = new Map<string, number>();
  const problems: string[] = [];
  for (let seed = 1; seed <= RUNS; seed++) {
    const c = messyCase(seed);
    const file = writeCsv(dir, `case-${seed}.csv`, c.text);
    const out = join(dir, `model-${seed}`);
    const r = await runCli(['train', file, '--label', c.label, ...c.options, '--out', out]);
    if (r.code === 0) {
      if (!existsSync(join(out, 'model.json'))) problems.push(`seed ${seed}: exit 0 without a model`);
      outcomes.set('trained', (outcomes.get('trained') ?? 0) + 1);
      if (seed % 3 === 0) {
        const p = await runCli(['predict', out, file, '--out', join(dir, `p-${seed}.csv`)]);
        if (p.code !== 0) { const bad = oneLineError(p); if (bad) problems.push(`seed ${seed} predict: ${bad}`); }
        else if (!existsSync(join(dir, `p-${seed}.csv`))) problems.push(`seed ${seed}: predict exit 0 without output`);
      }
      rmSync(out, { recursive: true, force: true });
    } else {
      const bad = r.code === 1 ? oneLineError(r) : `exit code ${r.code}`;
      if (bad) problems.push(`seed ${seed}: ${bad}`);
      else {
        // group refusals by their gist, for the summary
        const gist = r.errors[0].replace(/^bnwasm: /, '').replace(/\/\S+/g, '…').replace(/line \d+.*?:/, 'line N:').replace(/'[^']*'/g, "'…'").replace(/\d+/g, 'N').slice(0, 70);
        outcomes.set(gist, (outcomes.get(gist) ?? 0) + 1);
      }
    }
    rmSync(file, { force: true });
  }
  const summary = [...outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${String(v).padStart(5)}  ${k}`).join('\n');
  console.log(`soak: ${RUNS} runs\n${summary}`);
  expect(problems).toEqual([]);
  expect(outcomes.get('trained') ?? 0).toBeGreaterThan(RUNS * 0.2);
}, Math.max(60_000, RUNS * 1_000));
