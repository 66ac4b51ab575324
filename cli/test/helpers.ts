import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { collectOutput } from '../src/output.js';

export const ROOT = resolve(__dirname, '../..');
export const DIGITS = join(ROOT, 'data/digits.csv');
export const MAIN = join(ROOT, 'cli/dist/main.js');

export const tempDir = (tag: string) => mkdtempSync(join(tmpdir(), `bnwasm-cli-${tag}-`));

export function writeCsv(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A quiet Output for in-process command calls. */
export const quiet = () => collectOutput();

/** The built CLI (npm run build / npm ci make it; compiled here when missing so the suite runs alone). */
export function ensureBuilt(): void {
  if (!existsSync(MAIN)) execFileSync('npx', ['tsc', '-p', 'cli/tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
}

/** Runs `node cli/dist/main.js …args` as a user would. */
export function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** n rows of two numeric features where y depends on x (classification or regression). */
export function syntheticRows(n: number, label: (a: number, b: number, i: number) => string | number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = ((i * 37) % 101) / 10, b = ((i * 53) % 97) / 10;
    rows.push(`${a},${b},${label(a, b, i)}`);
  }
  return rows;
}

/** Runs the bnwasm program in-process (run() with collecting streams), with extra environment variables for the call. */
export async function runCli(argv: string[], env: Record<string, string> = {}) {
  const { run } = await import('../src/run.js');
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const stdout: string[] = [], stderr: string[] = [];
  try {
    const out = { log: (l: string) => stdout.push(l), warn: (l: string) => stderr.push(`bnwasm: warning: ${l}`), bars: false };
    const code = await run(argv, { out, error: (l) => stderr.push(l), help: (t) => stdout.push(t) });
    return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n'), errors: stderr.filter((l) => !l.startsWith('bnwasm: warning:')) };
  } finally {
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
}
