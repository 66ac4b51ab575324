// The demo cross-origin isolated, as demo/vite.config.js serves it (server.headers, preview.headers):
// `vite preview` (what `npm run demo` runs) on a production build, and the Vite dev server. Under
// COEP require-corp everything the demo loads must still load, and bnwasm must start its threads.
// The build goes to a temporary directory, so this file never touches demo/dist (demo.test.ts's).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkRun, exerciseDemo } from './demo-checks.js';
import { launchChromium, nodeRun, npmRun, ROOT, watchConsole, type Chromium } from './harness.js';

const VITE = join(ROOT, 'node_modules/vite/bin/vite.js');
let chromium: Chromium;
let outDir: string;

beforeAll(async () => {
  // the demo imports 'bnwasm' through demo/node_modules/bnwasm (a link made by `npm run demo:build`)
  if (!existsSync(join(ROOT, 'demo/node_modules/bnwasm/package.json'))) await npmRun('demo:build');
  else await nodeRun('scripts/build-browser.mjs');
  outDir = mkdtempSync(join(tmpdir(), 'bnwasm-demo-'));
  await nodeRun(VITE, 'build', 'demo', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn');
  chromium = await launchChromium();
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const freePort = () => new Promise<number>((ok, fail) => {
  const s = createServer().once('error', fail).listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => ok(port));
  });
});

/** Starts `vite <args> --port <free>` for the demo and waits until it answers; returns its URL. */
async function startVite(args: string[]): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [VITE, ...args, '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (d) => { output += d; });
  proc.stderr!.on('data', (d) => { output += d; });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`vite ${args.join(' ')} exited: ${output}`);
    try { if ((await fetch(url)).ok) break; } catch { /* not up yet */ }
    if (Date.now() > deadline) { proc.kill(); throw new Error(`vite ${args.join(' ')} did not answer at ${url}: ${output}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, proc };
}

async function expectIsolationHeaders(url: string): Promise<void> {
  const res = await fetch(url);
  expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
}

/** What the page says about isolation and threads once the demo is ready. */
const threadInfo = (page: Page) => page.evaluate(() => {
  const demo = (window as unknown as { bnwasmDemo: { bw: { getThreads(): number } } }).bnwasmDemo;
  const engine = document.querySelector<HTMLElement>('#engine')!;
  return {
    isolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency,
    threads: demo.bw.getThreads(), shown: Number(engine.dataset.threads), text: engine.textContent ?? '',
  };
});

function expectThreads(info: Awaited<ReturnType<typeof threadInfo>>): void {
  expect(info.isolated).toBe(true);
  expect(info.threads).toBe(Math.min(info.cores, 4));
  if (info.cores > 1) expect(info.threads).toBeGreaterThan(1);
  expect(info.shown).toBe(info.threads);
  expect(info.text).toContain(`${info.threads} thread`);
}

describe('demo, cross-origin isolated', () => {
  test('vite preview of a production build: isolated, threads running, trains past 90%, a drawn digit gets probabilities', async () => {
    const { url, proc } = await startVite(['preview', 'demo', '--outDir', outDir]);
    const context = await chromium.browser.newContext();
    try {
      await expectIsolationHeaders(url);
      const page = await context.newPage();
      const run = await exerciseDemo(page, url); // fails on any console error or page error
      checkRun(run);
      const info = await threadInfo(page);
      expectThreads(info);
      console.log(`vite preview, isolated: ${info.text}; BN passed 0.9 after ${run.secondsToTarget.toFixed(1)} s ` +
        `(${run.samplesPerSecond} samples/s, longest frame gap ${run.longestFrameGapMs.toFixed(0)} ms)`);
    } finally {
      await context.close();
      proc.kill();
    }
  }, 90_000);

  test('Vite dev server: isolated, threads running, no console errors', async () => {
    const { url, proc } = await startVite(['demo']);
    const context = await chromium.browser.newContext();
    try {
      await expectIsolationHeaders(url);
      const page = await context.newPage();
      const problems = watchConsole(page);
      await page.goto(url);
      await page.waitForSelector('body[data-state=idle] #train:not([disabled])', { timeout: 20_000 });
      expectThreads(await threadInfo(page));
      expect(problems.filter((p) => !p.startsWith('warning'))).toEqual([]);
    } finally {
      await context.close();
      proc.kill();
    }
  }, 60_000);
});
