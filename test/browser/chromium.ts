// Which Chromium the browser tests drive: $CHROMIUM_PATH when set, else the system's /usr/bin/chromium
// when present, else the headless Chromium that the @sparticuz/chromium devDependency ships inside its npm
// package (brotli archives, unpacked once into node_modules/.cache). Nothing is downloaded: `npm install`
// alone makes the browser tests runnable on a machine with nothing but Node and npm.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SYSTEM = '/usr/bin/chromium';
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

export interface ChromiumBinary {
  path: string;
  /** Extra environment for the browser process (fonts of the npm build). */
  env: Record<string, string>;
  source: 'CHROMIUM_PATH' | 'system' | 'npm';
}

export async function findChromium(root: string): Promise<ChromiumBinary> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH: expected an executable, got ${fromEnv} (missing)`);
    return { path: fromEnv, env: {}, source: 'CHROMIUM_PATH' };
  }
  if (existsSync(SYSTEM)) return { path: SYSTEM, env: {}, source: 'system' };
  return npmChromium(root);
}

/**
 * Unpacks @sparticuz/chromium's archives into node_modules/.cache/chromium-<version>/ (~200 MB, a few
 * seconds), once per installed version. Test files run in parallel processes, so one of them unpacks
 * while holding a lock directory and the others wait for its `complete` marker.
 */
async function npmChromium(root: string): Promise<ChromiumBinary> {
  let version: string;
  try {
    version = (JSON.parse(readFileSync(join(root, 'node_modules/@sparticuz/chromium/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    throw new Error(`no Chromium: ${SYSTEM} is missing and so is the @sparticuz/chromium devDependency (run npm install)`);
  }
  const dir = join(root, 'node_modules', '.cache', `chromium-${version}`);
  const done = join(dir, 'complete');
  const binary: ChromiumBinary = { path: join(dir, 'chromium'), env: { FONTCONFIG_PATH: join(dir, 'fonts') }, source: 'npm' };
  // the marker holds the directory it was unpacked for (fonts.conf names it): a moved checkout unpacks again
  const unpacked = () => existsSync(done) && readFileSync(done, 'utf8') === `${dir}\n`;
  if (unpacked()) return binary;

  const lock = `${dir}.lock`;
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  for (const start = Date.now(); ; await sleep(250)) {
    if (unpacked()) return binary;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // a lock left behind by a killed process is stale after two minutes
      try { if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true }); } catch { /* gone */ }
      if (Date.now() - start > 180_000) throw new Error(`timed out waiting for ${lock} (another test process unpacking Chromium)`);
    }
  }
  try {
    if (unpacked()) return binary;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // the package unpacks into os.tmpdir(), which follows $TMPDIR: point it at our cache directory meanwhile
    const { default: Chromium } = await import('@sparticuz/chromium');
    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = dir;
    let path: string;
    try {
      path = await Chromium.executablePath();
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = tmp;
    }
    if (path !== binary.path) throw new Error(`@sparticuz/chromium unpacked to ${path}, expected ${binary.path}`);
    // its fonts.conf names the serverless paths (/tmp/fonts); without fonts the renderer aborts on the first text
    writeFileSync(join(dir, 'fonts', 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
      `  <dir>${join(dir, 'fonts')}</dir>\n  <cachedir>${join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`);
    writeFileSync(done, `${dir}\n`);
    return binary;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
