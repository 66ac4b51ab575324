// The demo in real headless Chromium, served two ways: by the Vite dev server, and as the Vite
// production build (demo/dist) from a plain static server. Both import 'bnwasm' by name, resolved
// through the package's `browser` export condition.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkRun, exerciseDemo, type DemoRun } from './demo-checks.js';
import { artifactPath, launchChromium, npmRun, ROOT, serveStatic, type Chromium, type StaticServer } from './harness.js';

let chromium: Chromium;
const runs: Record<string, DemoRun> = {};

beforeAll(async () => {
  // the browser bundle, the demo's link to the package (npm install in demo/) and demo/dist
  await npmRun('demo:build');
  chromium = await launchChromium();
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  writeFileSync(artifactPath('demo-runs.json'), JSON.stringify(runs, null, 2));
});

const freePort = () => new Promise<number>((ok, fail) => {
  const s = createServer().once('error', fail).listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => ok(port));
  });
});

describe('demo, Vite production build', () => {
  let server: StaticServer;
  beforeAll(async () => { server = await serveStatic(join(ROOT, 'demo/dist')); });
  afterAll(async () => { await server?.close(); });

  test('trains both models live, BN passes 90% held-out accuracy, a drawn digit gets probabilities', async () => {
    const context = await chromium.browser.newContext();
    try {
      const run = await exerciseDemo(await context.newPage(), `${server.url}/`, { trainForMs: 10_000, screenshot: 'demo-after-10s.png' });
      runs.production = run;
      console.log(`production build: BN passed 0.9 after ${run.secondsToTarget.toFixed(1)} s; after 10 s: ` +
        `BN ${run.accuracy.bn.toFixed(3)}, no BN ${run.accuracy.plain.toFixed(3)}, ${run.samplesPerSecond} samples/s`);
      checkRun(run);
    } finally {
      await context.close();
    }
  }, 90_000);

  test('the CNN pair: picked from the model switch, trains live, BN passes 90%, predicts a drawn digit', async () => {
    const context = await chromium.browser.newContext();
    try {
      const run = await exerciseDemo(await context.newPage(), `${server.url}/`, { model: 'cnn', trainForMs: 8_000, screenshot: 'demo-cnn-after-8s.png' });
      runs.productionCnn = run;
      console.log(`production build, CNN: BN passed 0.9 after ${run.secondsToTarget.toFixed(1)} s; after 8 s: ` +
        `BN ${run.accuracy.bn.toFixed(3)}, no BN ${run.accuracy.plain.toFixed(3)} (from ${run.initialAccuracy.bn.toFixed(3)}), ${run.samplesPerSecond} samples/s`);
      checkRun(run);
      // the CNN with BN reads the drawn 7 (the one without BN usually ends at chance at this rate on 0..16 pixels)
      const bn = run.probabilities.map((p) => p.bn);
      expect(bn.indexOf(Math.max(...bn))).toBe(7);
    } finally {
      await context.close();
    }
  }, 90_000);
});

describe('demo, Vite dev server', () => {
  let vite: ChildProcess;
  let url: string;
  beforeAll(async () => {
    const port = await freePort();
    vite = spawn(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'demo', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    vite.stdout!.on('data', (d) => { output += d; });
    vite.stderr!.on('data', (d) => { output += d; });
    url = `http://127.0.0.1:${port}/`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (vite.exitCode !== null) throw new Error(`vite dev server exited: ${output}`);
      try { if ((await fetch(url)).ok) break; } catch { /* not up yet */ }
      if (Date.now() > deadline) throw new Error(`vite dev server did not answer at ${url}: ${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 60_000);
  afterAll(() => { vite?.kill(); });

  test('trains live, BN passes 90%, the backend, learning-rate and batch-size controls work, a drawn digit gets probabilities', async () => {
    const context = await chromium.browser.newContext();
    try {
      const run = await exerciseDemo(await context.newPage(), url, { exerciseControls: true });
      runs.dev = run;
      console.log(`dev server: BN passed 0.9 after ${run.secondsToTarget.toFixed(1)} s (${run.samplesPerSecond} samples/s)`);
      checkRun(run);
      expect(run.secondsToTarget).toBeLessThan(40);
    } finally {
      await context.close();
    }
  }, 90_000);
});
