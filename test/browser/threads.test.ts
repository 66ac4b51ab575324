// Kernel threads in real headless Chromium: the built bundle on a plain static page, served once with
// the COOP/COEP headers (cross-origin isolated: shared WebAssembly.Memory, Blob-URL workers) and once
// without (no SharedArrayBuffer: one thread). The page (fixtures/threads.html) runs matMuls of several
// shapes and a short seeded fit on 1 and on 2 threads; results must be bitwise equal between thread
// counts and between the two pages, and right against a float64 reference computed in the page.
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  artifactPath, ISOLATION_HEADERS, launchChromium, nodeRun, ROOT, serveStatic, watchConsole,
  type Chromium, type StaticServer,
} from './harness.js';

interface MatMulRow { name: string; flops: number; threads: number[]; ms: number[]; bitwiseEqual: boolean; refRatio: number; hash: string }
interface PageResult {
  ok: boolean;
  error?: string;
  isolated: boolean;
  sharedArrayBuffer: boolean;
  hardwareConcurrency: number;
  readyMs: number;
  threadsAfterReady: number;
  threadsAfterSet2: number;
  backend: string;
  wasmBuild: string;
  matMuls: MatMulRow[];
  fit: {
    threads: number[]; batches: number[]; seconds: number[]; loss: number[][]; weightShapes: number[];
    weightsEqual: boolean; predictionEqual: boolean; lossEqual: boolean; weightsHash: string; finite: boolean;
  };
}
interface WorkerSeen { url: string; closed: boolean }
interface PageRun { result: PageResult; console: string[]; workers: WorkerSeen[] }

let isolatedServer: StaticServer;
let plainServer: StaticServer;
let chromium: Chromium;
const runs: Record<string, PageRun> = {};

beforeAll(async () => {
  // as bundle.test.ts: test the current sources (atomic write, ~1 s)
  await nodeRun('scripts/build-browser.mjs');
  isolatedServer = await serveStatic(ROOT, { headers: { ...ISOLATION_HEADERS } });
  plainServer = await serveStatic(ROOT);
  chromium = await launchChromium();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await isolatedServer?.close();
  await plainServer?.close();
  writeFileSync(artifactPath('threads-runs.json'), JSON.stringify(runs, null, 2));
});

/** Loads the fixture and waits for its result; also records every dedicated worker the page starts. */
async function runPage(server: StaticServer): Promise<PageRun> {
  const page: Page = await chromium.browser.newPage();
  const console = watchConsole(page);
  const workers: WorkerSeen[] = [];
  page.on('worker', (w) => {
    const seen = { url: w.url(), closed: false };
    workers.push(seen);
    w.on('close', () => { seen.closed = true; });
    w.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') console.push(`worker ${m.type()}: ${m.text()}`); });
  });
  try {
    await page.goto(`${server.url}/test/browser/fixtures/threads.html`);
    await page.waitForFunction(() => 'ok' in ((window as unknown as { __result?: object }).__result ?? {}), null, { timeout: 100_000 });
    const result = await page.evaluate(() => (window as unknown as { __result: PageResult }).__result);
    return { result, console, workers };
  } finally {
    await page.close();
  }
}

const summary = (r: PageResult) => r.matMuls.map((m) => `${m.name}: ${m.ms.join(' / ')} ms`).join('; ');

describe('kernel threads in Chromium', () => {
  test('cross-origin isolated page: workers start, matMul and a seeded fit are bitwise equal on 1 and 2 threads', async () => {
    const run = await runPage(isolatedServer);
    runs.isolated = run;
    const { result, console: problems, workers } = run;
    expect(result.error, problems.join('\n')).toBeUndefined();
    expect(result.isolated).toBe(true);
    expect(result.sharedArrayBuffer).toBe(true);
    expect(result.backend).toBe('wasm');
    expect(['simd', 'relaxed']).toContain(result.wasmBuild);
    // ready() starts min(cores, 4) threads; on one core the page asks for 2 itself
    if (result.hardwareConcurrency > 1) {
      expect(result.threadsAfterReady).toBe(Math.min(result.hardwareConcurrency, 4));
      expect(result.threadsAfterReady).toBeGreaterThan(1);
    } else {
      expect(result.threadsAfterReady).toBe(1);
    }
    expect(result.threadsAfterSet2).toBeGreaterThan(1);
    // the workers are Blob-URL classic workers: Chromium starts them under COEP require-corp
    expect(workers.length).toBeGreaterThan(0);
    expect(workers.every((w) => w.url.startsWith('blob:'))).toBe(true);

    expect(result.matMuls).toHaveLength(12);
    for (const m of result.matMuls) {
      expect(m.threads, m.name).toEqual([1, 2]);
      expect(m.bitwiseEqual, `${m.name}: 1 vs 2 threads`).toBe(true);
      expect(m.refRatio, `${m.name}: error / float32 bound`).toBeLessThanOrEqual(1);
    }
    const { fit } = result;
    expect(fit.threads).toEqual([1, 2]);
    expect(fit.batches).toEqual([16, 16]);
    expect(fit.weightShapes).toEqual([256 * 256, 256, 256, 256, 256, 256, 256 * 10, 10]);
    expect(fit.finite).toBe(true);
    expect(fit.loss[0][1]).toBeLessThan(fit.loss[0][0]);
    expect(fit.weightsEqual).toBe(true);
    expect(fit.lossEqual).toBe(true);
    expect(fit.predictionEqual).toBe(true);
    expect(result.ok).toBe(true);
    // no errors and no warnings (a failed thread start warns); the seeded fit is short, so fit's notice about
    // moving statistics that still hold their initial values is expected
    expect(problems.filter((l) => !isStaleStatisticsNotice(l))).toEqual([]);
    process.stdout.write(`isolated page: ${result.hardwareConcurrency} cores, ready ${result.readyMs} ms with ` +
      `${result.threadsAfterReady} threads, ${workers.length} workers seen; ${summary(result)}; fit ${fit.seconds.join(' / ')} s\n`);
  }, 120_000);

  test('page without COOP/COEP: one thread, setThreads(2) warns, the same numbers', async () => {
    const run = await runPage(plainServer);
    runs.plain = run;
    const { result, console: problems, workers } = run;
    expect(result.error, problems.join('\n')).toBeUndefined();
    expect(result.isolated).toBe(false);
    expect(result.backend).toBe('wasm');
    expect(result.threadsAfterReady).toBe(1);
    expect(result.threadsAfterSet2).toBe(1);
    expect(workers).toEqual([]);
    for (const m of result.matMuls) {
      expect(m.threads, m.name).toEqual([1, 1]);
      expect(m.refRatio, m.name).toBeLessThanOrEqual(1);
    }
    expect(result.fit.threads).toEqual([1, 1]);
    expect(result.ok).toBe(true);
    // only the one expected warning, and no errors
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.filter((l) => !(l.startsWith('warning') && /threads need a shared memory/.test(l)) && !isStaleStatisticsNotice(l))).toEqual([]);

    // bitwise the same as the isolated page's results (threaded or not), if that test ran
    const isolated = runs.isolated?.result;
    if (isolated?.matMuls && isolated.wasmBuild === result.wasmBuild) {
      expect(result.matMuls.map((m) => `${m.name} ${m.hash}`)).toEqual(isolated.matMuls.map((m) => `${m.name} ${m.hash}`));
      expect(result.fit.weightsHash).toBe(isolated.fit.weightsHash);
    }
    process.stdout.write(`plain page: ${summary(result)}; fit ${result.fit.seconds.join(' / ')} s\n`);
  }, 120_000);
});

function isStaleStatisticsNotice(line: string): boolean {
  return line.startsWith('warning: bnwasm: the moving mean and variance of');
}
