import type { ModelArtifacts } from './artifacts.js';
import { weightFile, weightUrl } from './weight-paths.js';

/**
 * model.json + weights.bin on disk (Node) or over HTTP (browsers). Node modules are imported lazily
 * by a computed name so bundlers never try to pack them.
 */
const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const nodeImport = <T>(name: string): Promise<T> => import(/* @vite-ignore */ name) as Promise<T>;

const stripScheme = (p: string) => p.replace(/^file:\/\//, '');
let saves = 0; // makes temporary names unique between saves in the same millisecond

/**
 * Writes dir/model.json and dir/weights.bin. Each file is written to a temporary name, flushed and
 * renamed into place, weights first and model.json last: a failure at any point leaves either the old
 * model.json with its old weights or the new one with its weights, never a truncated file, and removes
 * the temporary files. (A process killed between the two renames leaves the old model.json with the new
 * weights.bin; loading checks every weight's name and size against model.json.)
 */
export async function saveToDirectory(dir: string, artifacts: ModelArtifacts): Promise<void> {
  if (!isNode) throw new Error(`save: a directory path works only in Node; in a browser pass an IOHandler`);
  const fs = await nodeImport<typeof import('node:fs/promises')>('node:fs/promises');
  const path = await nodeImport<typeof import('node:path')>('node:path');
  const root = stripScheme(dir);
  await fs.mkdir(root, { recursive: true });
  const { weightSpecs, weightData, ...rest } = artifacts;
  const json = {
    modelTopology: rest.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }],
    format: rest.format,
    generatedBy: rest.generatedBy,
    convertedBy: rest.convertedBy ?? null,
  };
  const tag = `.tmp-${process.pid}-${Date.now().toString(36)}-${++saves}`;
  const weightsPath = path.join(root, 'weights.bin'), backup = weightsPath + tag + '.old';
  const temporary: string[] = [];
  const write = async (name: string, data: string | Uint8Array) => {
    const tmp = path.join(root, name + tag);
    temporary.push(tmp);
    const file = await fs.open(tmp, 'w');
    try { await file.writeFile(data); await file.sync(); } finally { await file.close(); }
    return tmp;
  };
  try {
    const weightsTmp = await write('weights.bin', new Uint8Array(weightData as ArrayBuffer));
    const jsonTmp = await write('model.json', JSON.stringify(json));
    // the old model.json names weights.bin: keep the old weights (a hard link, else a copy) until the new
    // model.json is in place, and put them back if that rename fails
    const hadOld = await fs.link(weightsPath, backup).catch(() => fs.copyFile(weightsPath, backup)).then(() => true, () => false);
    if (hadOld) temporary.push(backup);
    await fs.rename(weightsTmp, weightsPath);
    try {
      await fs.rename(jsonTmp, path.join(root, 'model.json'));
    } catch (e) {
      if (hadOld) await fs.rename(backup, weightsPath);
      throw e;
    }
  } catch (e) {
    throw new Error(`save: cannot write the model to ${root}: ${(e as Error).message}`);
  } finally {
    await Promise.all(temporary.map((f) => fs.rm(f, { force: true }).catch(() => undefined)));
  }
}

interface ManifestGroup { paths: string[]; weights: ModelArtifacts['weightSpecs'] }

function parseModelJson(text: string, where: string): { modelTopology: unknown; weightsManifest: ManifestGroup[] } {
  let json: unknown;
  try { json = JSON.parse(text); } catch (e) {
    throw new Error(`loadModel: ${where} is not valid JSON (${(e as Error).message})`);
  }
  const j = json as { modelTopology?: unknown; weightsManifest?: unknown };
  if (!j || typeof j !== 'object' || j.modelTopology === undefined) throw new Error(`loadModel: ${where} has no modelTopology`);
  const manifest = j.weightsManifest ?? [];
  if (!Array.isArray(manifest) || !manifest.every((g) => g && Array.isArray(g.paths) && Array.isArray(g.weights) && g.paths.every((p: unknown) => typeof p === 'string'))) {
    throw new Error(`loadModel: ${where} has a malformed weightsManifest (expected [{ paths: [...], weights: [...] }])`);
  }
  return { modelTopology: j.modelTopology, weightsManifest: manifest as ManifestGroup[] };
}

/** Reads model.json and every weights file it names, from a path (Node) or a URL (browsers). */
export async function loadFromPath(p: string): Promise<ModelArtifacts> {
  const isUrl = /^https?:\/\//.test(p) || !isNode;
  let readText: (f: string) => Promise<string>, readBytes: (f: string) => Promise<ArrayBuffer>;
  let resolve: (f: string) => Promise<string> | string, modelFile: string;
  if (isUrl) {
    const base = new URL(p, typeof location !== 'undefined' ? location.href : undefined);
    const get = async (u: string) => {
      // Node's fetch rejects with a bare "fetch failed" and hides the reason in `cause`
      const r = await fetch(u).catch((e: Error & { cause?: Error }) => {
        throw new Error(`loadModel: cannot fetch ${u}: ${e.cause?.message ?? e.message}`);
      });
      if (!r.ok) throw new Error(`loadModel: cannot fetch ${u}: HTTP ${r.status}`);
      return r;
    };
    modelFile = base.href;
    resolve = (f) => weightUrl(f, base, base.href);
    readText = async (u) => (await get(u)).text();
    readBytes = async (u) => (await get(u)).arrayBuffer();
  } else {
    const fs = await nodeImport<typeof import('node:fs/promises')>('node:fs/promises');
    const path = await nodeImport<typeof import('node:path')>('node:path');
    const file = stripScheme(p), dir = path.dirname(file);
    const read = async <T>(f: string, how: () => Promise<T>) => {
      try { return await how(); } catch (e) {
        const code = (e as { code?: string }).code;
        throw new Error(`loadModel: cannot read ${f}${code === 'ENOENT' ? ': no such file' : `: ${(e as Error).message}`}`);
      }
    };
    modelFile = file;
    resolve = (f) => weightFile(f, dir, file, fs, path);
    readText = (f) => read(f, () => fs.readFile(f, 'utf8'));
    readBytes = (f) => read(f, async () => { const b = await fs.readFile(f); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer; });
    const stat = await fs.stat(file).catch(() => null);
    if (stat?.isDirectory()) return loadFromPath(path.join(file, 'model.json'));
  }
  const { modelTopology, weightsManifest } = parseModelJson(await readText(modelFile), p);
  const weightSpecs = weightsManifest.flatMap((g) => g.weights ?? []);
  // every path is checked before any file is read
  const files = await Promise.all(weightsManifest.flatMap((g) => g.paths.map(resolve)));
  const weightData = await Promise.all(files.map(readBytes));
  return { modelTopology, weightSpecs, weightData };
}
