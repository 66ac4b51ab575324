/**
 * Files: loadModel rejects every kind of broken model with a clear Error (never a TypeError, a crash or a
 * hang), save is atomic under write and rename failures, and a fuzzer of mutated real model.json files
 * (byte flips, truncations, JSON edits) only ever gets a clean Error or a correct load.
 */
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { batch, bw, smallModel } from './helpers.js';

let root: string, good: string, json: string, weights: Buffer, x: bw.Tensor, expected: Float32Array;
const real = { rename: fsp.rename, open: fsp.open };

beforeAll(async () => {
  await bw.ready();
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'bnwasm-hardening-'));
  const m = smallModel(61);
  const { x: bx, y } = batch(16, 62);
  for (let i = 0; i < 3; i++) m.trainOnBatch(bx, y);
  x = bx;
  expected = m.predict(x).dataSync();
  good = path.join(root, 'good');
  await m.save(good);
  json = await fsp.readFile(path.join(good, 'model.json'), 'utf8');
  weights = await fsp.readFile(path.join(good, 'weights.bin'));
});
afterAll(() => fsp.rm(root, { recursive: true, force: true }));
afterEach(() => { Object.assign(fsp, real); syncBuiltinESMExports(); });

let n = 0;
/** Writes model.json (text or an edit of the good one) and weights.bin into a fresh directory. */
async function variant(edit: string | ((j: Record<string, any>) => void), bin: Uint8Array = weights): Promise<string> {
  const dir = path.join(root, `v${++n}`);
  await fsp.mkdir(dir);
  let text = typeof edit === 'string' ? edit : json;
  if (typeof edit === 'function') { const j = JSON.parse(json); edit(j); text = JSON.stringify(j); }
  await fsp.writeFile(path.join(dir, 'model.json'), text);
  await fsp.writeFile(path.join(dir, 'weights.bin'), bin);
  return path.join(dir, 'model.json');
}
const specs = (j: Record<string, any>) => j.weightsManifest[0].weights as Array<{ name: string; shape: number[]; dtype: string }>;
const layers = (j: Record<string, any>) => j.modelTopology.config.layers as Array<{ class_name: string; config: Record<string, any> }>;

describe('loadModel rejects broken models with clear errors', () => {
  const cases: Array<[string, () => Promise<string>, RegExp]> = [
    ['a missing model.json', async () => path.join(root, 'nowhere', 'model.json'), /loadModel: cannot read .*model.json: no such file/],
    ['a missing weights.bin', async () => { const p = await variant(json); await fsp.rm(path.join(path.dirname(p), 'weights.bin')); return p; }, /loadModel: cannot read .*weights.bin: no such file/],
    ['model.json that is not JSON', () => variant('{"modelTopology": {'), /loadModel: .*model.json is not valid JSON/],
    ['model.json that is JSON null', () => variant('null'), /loadModel: .* has no modelTopology/],
    ['an unknown layer class', () => variant((j) => { layers(j)[1].class_name = 'LSTM'; }), /loadModel: unknown layer class 'LSTM' \(layers\[1\]\)/],
    ['a functional (non-Sequential) model', () => variant((j) => { j.modelTopology.class_name = 'Model'; }), /only Sequential models are supported, got class_name "Model"/],
    ['units that are not an integer', () => variant((j) => { layers(j)[0].config.units = 2.5; }), /layer 'dense_\w+': dense: units: expected an integer >= 1, got 2\.5/],
    ['a weight missing from the manifest', () => variant((j) => { specs(j).splice(1, 1); }), /loadModel: .*(missing|more weights than the weight data|describes)/],
    ['an extra weight in the manifest and the data', () => variant((j) => { specs(j).push({ name: 'ghost/kernel', shape: [2], dtype: 'float32' }); }, Buffer.concat([weights, Buffer.alloc(8)])), /the manifest has weights no layer uses: ghost\/kernel/],
    ['a weight of the wrong shape', () => variant((j) => { specs(j)[0].shape = [8, 5]; }), /has shape \[8, 5\], the layer needs \[5, 8\]/],
    ['a weight of dtype int32', () => variant((j) => { specs(j)[0].dtype = 'int32'; }), /has dtype "int32"; only float32 is supported/],
    ['a quantized weight', () => variant((j) => { (specs(j)[0] as any).quantization = { dtype: 'uint8', scale: 1, min: 0 }; }), /is quantized/],
    ['a truncated weights.bin', () => variant(json, weights.subarray(0, weights.length - 6)), /the weight data is truncated: .* but there are only \d+/],
    ['an empty weights.bin', () => variant(json, new Uint8Array(0)), /the weight data is truncated/],
    ['a weights.bin with bytes to spare', () => variant(json, Buffer.concat([weights, Buffer.alloc(4)])), /the weight data has \d+ bytes but the manifest describes \d+/],
    ['a weight spec without a shape', () => variant((j) => { delete (specs(j)[0] as any).shape; }), /weight spec 0 must have a name and a shape of non-negative integers/],
    ['a weight named twice', () => variant((j) => { specs(j)[1].name = specs(j)[0].name; specs(j)[1].shape = specs(j)[0].shape; }), /appears twice in the manifest|truncated|describes/],
    ['a malformed weightsManifest', () => variant((j) => { j.weightsManifest = { paths: 'weights.bin' }; }), /has a malformed weightsManifest/],
    ['two layers with the same name', () => variant((j) => { layers(j)[2].config.name = layers(j)[0].config.name; }), /a layer named '.*' is already in this model/],
    ['a dropout rate of 1.5 in the file', () => variant((j) => { layers(j).splice(1, 0, { class_name: 'Dropout', config: { rate: 1.5, name: 'drop' } }); }), /dropout: rate: expected a number in \[0, 1\), got 1.5/],
    ['a BatchNormalization axis out of range', () => variant((j) => { layers(j)[1].config.axis = 4; }), /axis must be in .* got 4|more weights than the weight data/],
  ];
  test.each(cases)('%s', async (_name, make, pattern) => {
    const p = await make();
    const err = await bw.loadModel(p).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).constructor).toBe(Error); // not a TypeError or RangeError from deep inside
    expect((err as Error).message).toMatch(pattern);
  });

  test('a corrupt units count (66666666) is refused before it grows the WASM memory', async () => {
    const p = await variant((j) => { layers(j)[0].config.units = 66_666_666; });
    const before = bw.memoryStats();
    await expect(bw.loadModel(p)).rejects.toThrow(/needs more weights than the weight data holds/);
    expect(bw.memoryStats()).toEqual(before);
  });

  test('an IOHandler that returns something other than ArrayBuffers as weightData', async () => {
    const j = JSON.parse(json);
    await expect(bw.loadModel({ load: async () => ({ modelTopology: j.modelTopology, weightSpecs: specs(j), weightData: 'abc' as never }) }))
      .rejects.toThrow(/loadModel: weightData: expected an ArrayBuffer or an array of ArrayBuffers, got string/);
    await expect(bw.loadModel({ load: async () => null as never })).rejects.toThrow(/loadModel: the handler returned no model artifacts/);
    await expect(bw.loadModel(42 as never)).rejects.toThrow(/loadModel: expected a path to model.json or an IOHandler/);
  });

  test('the good files load with the same predictions (control)', async () => {
    const m = await bw.loadModel(path.join(good, 'model.json'));
    expect(Array.from(m.predict(x).dataSync())).toEqual(Array.from(expected));
  });
});

describe('save is atomic', () => {
  /** A different model (another architecture) whose save must not half-replace the good one. */
  const other = () => { bw.setSeed(71); return bw.sequential({ layers: [bw.layers.dense({ units: 2, inputShape: [5] })] }); };
  const copyGood = async (name: string) => { const dir = path.join(root, name); await fsp.cp(good, dir, { recursive: true }); return dir; };
  const expectOldModel = async (dir: string) => {
    const m = await bw.loadModel(path.join(dir, 'model.json'));
    expect(Array.from(m.predict(x).dataSync())).toEqual(Array.from(expected));
    expect((await fsp.readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']); // no temporary files left
  };

  test('renaming the new model.json into place fails: the old model.json AND its old weights.bin remain', async () => {
    const dir = await copyGood('atomic-rename');
    (fsp as any).rename = async (from: string, to: string) => {
      if (to.endsWith('model.json')) throw Object.assign(new Error(`EIO: i/o error, rename '${from}'`), { code: 'EIO' });
      return real.rename(from, to);
    };
    syncBuiltinESMExports();
    await expect(other().save(dir)).rejects.toThrow(/^save: cannot write the model to .*: EIO: i\/o error/);
    Object.assign(fsp, real); syncBuiltinESMExports();
    await expectOldModel(dir);
  });

  test('writing the weights fails (disk full): the old model is untouched', async () => {
    const dir = await copyGood('atomic-write');
    (fsp as any).open = async (file: string, flags: string) => {
      const handle = await real.open(file, flags);
      if (String(file).includes('weights.bin.tmp')) {
        return Object.assign(Object.create(Object.getPrototypeOf(handle)), handle, {
          writeFile: async () => { throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }); },
          sync: () => handle.sync(), close: () => handle.close(),
        });
      }
      return handle;
    };
    syncBuiltinESMExports();
    await expect(other().save(dir)).rejects.toThrow(/^save: cannot write the model to .*: ENOSPC/);
    Object.assign(fsp, real); syncBuiltinESMExports();
    await expectOldModel(dir);
  });

  test('saving into a path that is a file fails with a clear error', async () => {
    const file = path.join(root, 'a-file');
    await fsp.writeFile(file, 'x');
    await expect(other().save(file)).rejects.toThrow(/EEXIST|ENOTDIR|not a directory|file already exists/);
  });

  test('a save that succeeds replaces both files (control)', async () => {
    const dir = await copyGood('atomic-ok');
    const o = other();
    await o.save(dir);
    const m = await bw.loadModel(path.join(dir, 'model.json'));
    expect(Array.from(m.predict(x).dataSync())).toEqual(Array.from(o.predict(x).dataSync()));
    expect((await fsp.readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
  });
});

describe('fuzzing the model.json parser with mutated real files', () => {
  /** Loads a mutated model.json next to the real weights: a clean Error or a model that predicts. */
  async function tryLoad(text: string): Promise<'loaded' | 'rejected'> {
    const p = await variant(text);
    try {
      const m = await bw.loadModel(p);
      const out = m.predict(bw.tensor(new Float32Array(2 * (m.inputShape ?? [5]).reduce((a, b) => a * b, 1)).fill(0.5), [2, ...(m.inputShape ?? [5])]));
      expect(out.shape[0]).toBe(2);
      return 'loaded';
    } catch (e) {
      expect(e, `not an Error for ${text.slice(0, 200)}`).toBeInstanceOf(Error);
      expect((e as Error).constructor, `${(e as Error).message}\nfor ${text.slice(0, 300)}`).toBe(Error);
      expect((e as Error).message.length).toBeGreaterThan(10);
      return 'rejected';
    } finally {
      await fsp.rm(path.dirname(p), { recursive: true, force: true });
    }
  }

  const before = { wasm: 0 };
  beforeAll(() => { before.wasm = bw.memoryStats().wasmBytes; });

  test('byte flips and truncations (200 cases)', async () => {
    const outcomes = { loaded: 0, rejected: 0 };
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), fc.option(fc.nat(), { nil: undefined }),
      async (flips, cut) => {
        const bytes = Buffer.from(json);
        for (const [at, xor] of flips) bytes[at % bytes.length] ^= xor;
        const text = bytes.toString('latin1').slice(0, cut === undefined ? undefined : cut % bytes.length);
        outcomes[await tryLoad(text)]++;
      }), { numRuns: 200, seed: 424242 });
    expect(outcomes.rejected).toBeGreaterThan(100);
  });

  test('structured JSON edits: values replaced with other types, keys dropped, numbers scaled (200 cases)', async () => {
    const base = JSON.parse(json);
    const paths: Array<Array<string | number>> = [];
    const walk = (v: unknown, p: Array<string | number>) => {
      paths.push(p);
      if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...p, Array.isArray(v) ? Number(k) : k]);
    };
    walk(base, []);
    const replacement = fc.oneof(
      fc.constantFrom(null, true, false, 0, -1, 1.5, 1e9, -1e9, NaN, '', 'relu', 'Dense', [], {}, [null, 1e6], [1, 2, 3]),
      fc.string(), fc.integer(), fc.double());
    const outcomes = { loaded: 0, rejected: 0 };
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.constantFrom('replace', 'delete', 'scale'), replacement), { minLength: 1, maxLength: 3 }),
      async (edits) => {
        const j = JSON.parse(json);
        for (const [i, op, value] of edits) {
          const p = paths[i % paths.length];
          if (p.length === 0) continue;
          let parent: any = j;
          for (const key of p.slice(0, -1)) parent = parent?.[key];
          if (!parent || typeof parent !== 'object') continue;
          const key = p[p.length - 1] as any;
          if (op === 'delete') delete parent[key];
          else if (op === 'scale' && typeof parent[key] === 'number') parent[key] *= 1111;
          else parent[key] = value;
        }
        outcomes[await tryLoad(JSON.stringify(j))]++;
      }), { numRuns: 200, seed: 777 });
    expect(outcomes.rejected).toBeGreaterThan(50);
    expect(outcomes.loaded).toBeGreaterThan(0); // edits of unused fields (generatedBy, initializers…) still load
  });

  test('the fuzzing never grew the WASM memory towards a bogus model size', () => {
    expect(bw.memoryStats().wasmBytes).toBeLessThanOrEqual(before.wasm + 64 * 2 ** 20);
  });
});
