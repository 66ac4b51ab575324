// What the demo tests check, for any way of serving the demo (Vite dev server, production build).
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { artifactPath, watchConsole } from './harness.js';

export const ACCURACY_TARGET = 0.9;
export const ACCURACY_DEADLINE_MS = 40_000;

export interface DemoRun {
  /** The network pair the page trained ('mlp' or 'cnn') and how many Conv2D layers each model had. */
  model: string;
  convLayers: { bn: number; plain: number };
  /** Held-out accuracy before the first step. */
  initialAccuracy: { bn: number; plain: number };
  secondsToTarget: number;
  accuracy: { bn: number; plain: number };
  samplesPerSecond: number;
  probabilities: { digit: number; bn: number; plain: number }[];
  longestFrameGapMs: number;
}

const readAccuracy = (page: Page) =>
  page.evaluate(() => ({
    bn: Number(document.querySelector<HTMLElement>('#acc-bn')!.dataset.value),
    plain: Number(document.querySelector<HTMLElement>('#acc-plain')!.dataset.value),
  }));

/** Picks a network pair with the page's model switch: a new, untrained pair. */
async function chooseModel(page: Page, model: 'mlp' | 'cnn'): Promise<void> {
  await page.click(`input[name=model][value=${model}] + span`);
  await page.waitForSelector(`body[data-model=${model}][data-state=idle]`, { timeout: 5_000 });
  expect(await page.textContent('#steps')).toBe('0');
}

/** How many Conv2D layers each of the page's two models has. */
function convLayers(page: Page): Promise<{ bn: number; plain: number }> {
  return page.evaluate(() => {
    const { bw, trainer } = (window as unknown as { bnwasmDemo: { bw: { Conv2D: unknown }; trainer: { runs: { key: string; model: { layers: unknown[] } }[] } } }).bnwasmDemo;
    const convs = (key: string) => trainer.runs.find((r) => r.key === key)!.model.layers.filter((l) => l instanceof (bw.Conv2D as new () => unknown)).length;
    return { bn: convs('bn'), plain: convs('plain') };
  });
}

/**
 * Loads the demo, optionally picks the network pair (MLP or CNN), starts training from its button, waits
 * for the BN model's held-out accuracy to pass 0.9, keeps training until `trainForMs` has passed, draws a 7 on the pad with the mouse and reads the
 * probability table. Optionally saves a screenshot.
 */
export async function exerciseDemo(page: Page, url: string,
  opts: { trainForMs?: number; screenshot?: string; exerciseControls?: boolean; model?: 'mlp' | 'cnn' } = {}): Promise<DemoRun> {
  const problems = watchConsole(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(url);
  try {
    await page.waitForSelector('body[data-state=idle] #train:not([disabled])', { timeout: 20_000 });
  } catch (e) {
    throw new Error(`the demo did not become ready: ${(e as Error).message}\nconsole:\n${problems.join('\n')}`);
  }
  expect(await page.textContent('#train')).toBe('Start training');
  expect(await page.locator('#probs tbody tr').count()).toBe(10);
  expect(await page.getAttribute('body', 'data-model')).toBe('mlp');
  if (opts.model) await chooseModel(page, opts.model);
  const model = (await page.getAttribute('body', 'data-model'))!;
  expect(await page.textContent('#arch-bn')).toMatch(model === 'cnn' ? /^8×8×1 image → Conv2D\(8, 3×3\) → BN → relu/ : /^Dense\(64, relu\) → BatchNormalization/);
  expect(await page.textContent('#arch-plain')).toMatch(model === 'cnn' ? /^8×8×1 image → Conv2D\(8, 3×3\) → relu/ : /^Dense\(64, relu\) → Dense/);
  const layers = await convLayers(page);
  const initialAccuracy = await readAccuracy(page);

  // longest gap between animation frames while training: the page must stay responsive
  await page.evaluate(() => {
    const w = window as unknown as { __gap: number };
    w.__gap = 0;
    let last = performance.now();
    const tick = (t: number) => { w.__gap = Math.max(w.__gap, t - last); last = t; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  const start = Date.now();
  await page.click('#train');
  await page.waitForSelector('body[data-state=training]', { timeout: 5_000 });
  try {
    await page.waitForFunction((target) => Number(document.querySelector<HTMLElement>('#acc-bn')!.dataset.value) > target,
      ACCURACY_TARGET, { timeout: ACCURACY_DEADLINE_MS, polling: 100 });
  } catch {
    const acc = await readAccuracy(page);
    throw new Error(`held-out accuracy of the BN model stayed below ${ACCURACY_TARGET} for ${ACCURACY_DEADLINE_MS} ms ` +
      `(bn ${acc.bn}, plain ${acc.plain})\nconsole:\n${problems.join('\n')}`);
  }
  const secondsToTarget = (Date.now() - start) / 1000;
  const rest = (opts.trainForMs ?? 0) - (Date.now() - start);
  if (rest > 0) await page.waitForTimeout(rest);
  const samplesPerSecond = Number(await page.getAttribute('#rate', 'data-value'));
  if (opts.exerciseControls) await exerciseControls(page);
  const longestFrameGapMs = await page.evaluate(() => (window as unknown as { __gap: number }).__gap);

  // draw a 7: a top bar, then a long diagonal stroke down to the left
  const box = (await page.locator('#pad').boundingBox())!;
  const at = (fx: number, fy: number) => [box.x + fx * box.width, box.y + fy * box.height] as const;
  await page.mouse.move(...at(0.25, 0.18));
  await page.mouse.down();
  await page.mouse.move(...at(0.75, 0.18), { steps: 12 });
  await page.mouse.move(...at(0.42, 0.85), { steps: 18 });
  await page.mouse.up();
  await page.waitForSelector('#probs[data-ready=true]', { timeout: 5_000 });
  const probabilities = await page.$$eval('#probs tbody tr', (rows) => rows.map((tr) => ({
    digit: Number((tr as HTMLElement).dataset.digit),
    bn: Number((tr.querySelector('td.bn') as HTMLElement).dataset.p),
    plain: Number((tr.querySelector('td.plain') as HTMLElement).dataset.p),
  })));
  const accuracy = await readAccuracy(page);
  if (opts.screenshot) await page.screenshot({ path: artifactPath(opts.screenshot), fullPage: true });
  expect(problems.filter((p) => !p.startsWith('warning'))).toEqual([]);
  return { model, convLayers: layers, initialAccuracy, secondsToTarget, accuracy, samplesPerSecond, probabilities, longestFrameGapMs };
}

const steps = async (page: Page) => Number((await page.textContent('#steps'))!.replace(/,/g, ''));

/** The backend switch, the learning rate and the batch size, changed while training runs. */
async function exerciseControls(page: Page): Promise<void> {
  const backend = () => page.evaluate(() => (window as unknown as { bnwasmDemo: { bw: { getBackend(): string } } }).bnwasmDemo.bw.getBackend());
  await page.click('input[name=backend][value=js] + span');
  expect(await backend()).toBe('js');
  expect(await page.textContent('#engine')).toContain('JavaScript');
  await page.selectOption('#lr', '0.01');
  await page.selectOption('#batch', '64');
  const before = await steps(page);
  await page.waitForFunction((b) => Number(document.querySelector('#steps')!.textContent!.replace(/,/g, '')) > b + 20, before, { timeout: 10_000 });
  await page.click('input[name=backend][value=wasm] + span');
  expect(await backend()).toBe('wasm');
  expect(await page.textContent('#engine')).toContain('WASM SIMD');
  const accuracy = Number(await page.getAttribute('#acc-bn', 'data-value'));
  expect(accuracy).toBeGreaterThan(0.8); // still trained after the switches
}

export function checkRun(run: DemoRun): void {
  expect(run.convLayers).toEqual(run.model === 'cnn' ? { bn: 2, plain: 2 } : { bn: 0, plain: 0 });
  expect(run.initialAccuracy.bn).toBeLessThan(0.4); // untrained: near chance
  expect(run.accuracy.bn).toBeGreaterThan(ACCURACY_TARGET);
  expect(run.samplesPerSecond).toBeGreaterThan(0);
  // a frame at least every half second while training (it yields between slices of ~20 ms)
  expect(run.longestFrameGapMs).toBeLessThan(500);
  expect(run.probabilities.map((p) => p.digit)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const key of ['bn', 'plain'] as const) {
    const ps = run.probabilities.map((p) => p[key]);
    expect(ps.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(ps.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
  }
}
