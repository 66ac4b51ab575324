// Shared pieces of the browser tests: a static file server on a free localhost port (node:http, no
// dependencies) and a headless Chromium driven by playwright-core: the system's /usr/bin/chromium when
// present, else the one the @sparticuz/chromium devDependency ships (chromium.ts). Playwright never
// downloads a browser of its own here.
import { execFile } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { findChromium } from './chromium.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ARTIFACTS = join(ROOT, 'test-artifacts');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticServer { url: string; close(): Promise<void> }

/** The response headers that make a page cross-origin isolated (`crossOriginIsolated`, SharedArrayBuffer). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

/**
 * Serves `dir` (and nothing outside it) on 127.0.0.1 at a free port; `/` and directories serve index.html.
 * `headers` go on every response (e.g. ISOLATION_HEADERS).
 */
export async function serveStatic(dir: string, options: { headers?: Record<string, string> } = {}): Promise<StaticServer> {
  const root = resolve(dir);
  const server: Server = createServer((req, res) => {
    for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}

export interface Chromium { browser: Browser; close(): Promise<void> }

/**
 * A fresh headless Chromium with no background networking. playwright's launch() gives every browser a
 * new empty profile in a temporary directory (it refuses a --user-data-dir argument) and deletes it on close.
 */
export async function launchChromium(): Promise<Chromium> {
  const binary = await findChromium(ROOT);
  const browser = await chromium.launch({
    executablePath: binary.path,
    env: { ...process.env, ...binary.env } as Record<string, string>,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close().catch(() => {}),
  };
}

/** Collects a page's console errors and uncaught exceptions, so a test can show them when it fails. */
export function watchConsole(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m: ConsoleMessage) => { if (m.type() === 'error' || m.type() === 'warning') lines.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
  return lines;
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

const exec = promisify(execFile);

/** Runs an npm script of the package (e.g. 'demo:build'); throws with its output when it fails. */
export async function npmRun(script: string): Promise<void> {
  try {
    await exec('npm', ['run', script], { cwd: ROOT, maxBuffer: 1 << 24, timeout: 120_000 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm run ${script} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

/** Runs a node script of the package (e.g. scripts/build-browser.mjs). */
export async function nodeRun(...args: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, args, { cwd: ROOT, maxBuffer: 1 << 24, timeout: 120_000 });
  return stdout;
}
