/**
 * Browser model storage (indexeddb://, localstorage://, downloads://, http(s):// POST, io.browserFiles):
 * round trips in bnwasm, and models crossing between bnwasm and TF.js through the same storage. Node has no
 * IndexedDB, localStorage or document; the tests install small fakes (test/helpers/fake-browser-storage.ts),
 * and first check that without them each scheme is a clear error and never a directory.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolveObjectURL } from 'node:buffer';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { FakeIndexedDB, FakeLocalStorage } from '../helpers/fake-browser-storage.js';
import { bw, setupBoth, tf } from '../helpers/tfjs.js';

await setupBoth();
const g = globalThis as Record<string, unknown>;

function model(): bw.Sequential {
  bw.setSeed(7);
  const m = bw.sequential({ layers: [
    bw.layers.dense({ units: 5, activation: 'relu', inputShape: [3] }),
    bw.layers.batchNormalization({}),
    bw.layers.dense({ units: 2, activation: 'softmax' }),
  ] });
  // non-trivial moving statistics, so losing them would show in the predictions
  m.layers[1].setWeights([bw.tensor([1.5, 0.5, 1, 2, 0.7]), bw.tensor([0.1, -0.2, 0.3, 0, 0.5]), bw.tensor([0.2, 0.1, -0.3, 0.4, 0]), bw.tensor([2, 0.5, 1, 3, 0.25])]);
  return m;
}
const X = [[0.5, -1, 2], [1, 0, -0.5], [-2, 1, 0.25]];
const predictBw = (m: bw.Sequential) => Array.from(m.predict(bw.tensor(X)).dataSync());
const predictTf = (m: tf.LayersModel) => Array.from((m.predict(tf.tensor2d(X)) as tf.Tensor).dataSync());
const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));

afterEach(() => {
  delete g.indexedDB; delete g.localStorage; delete g.document; delete g.window;
  tf.env().set('IS_BROWSER', false);
});

describe('in Node, without the browser facilities', () => {
  test.each(['indexeddb://m', 'localstorage://m', 'downloads://m'])('save(%s) is a clear error and creates no directory', async (url) => {
    await expect(model().save(url)).rejects.toThrow(/this environment has no .*browser facility/);
    expect(existsSync(url.split('//')[0])).toBe(false);
  });

  test('loadModel of indexeddb:// and localstorage:// is a clear error; downloads:// says how to load', async () => {
    await expect(bw.loadModel('indexeddb://m')).rejects.toThrow(/no IndexedDB/);
    await expect(bw.loadModel('localstorage://m')).rejects.toThrow(/no localStorage/);
    await expect(bw.loadModel('downloads://m')).rejects.toThrow(/browserFiles/);
    await expect(model().save('indexeddb://')).rejects.toThrow(/expected a model name/);
  });
});

/** Makes TF.js see a browser with the given storage. */
function browserFor(tfjs: boolean, storage: Record<string, unknown>) {
  Object.assign(g, storage);
  if (tfjs) { g.window = g; tf.env().set('IS_BROWSER', true); }
}

describe('indexeddb://', () => {
  test('bnwasm round trip keeps every weight and moving statistic; a missing model is a clear error', async () => {
    browserFor(false, { indexedDB: new FakeIndexedDB() });
    const m = model();
    await m.save('indexeddb://digits');
    close(predictBw(await bw.loadModel('indexeddb://digits')), predictBw(m));
    await expect(bw.loadModel('indexeddb://other')).rejects.toThrow(/no model saved under 'other'/);
  });

  test('a model saved by bnwasm loads in TF.js, and one saved by TF.js loads in bnwasm', async () => {
    browserFor(true, { indexedDB: new FakeIndexedDB() });
    const m = model();
    await m.save('indexeddb://from-bw');
    const t = await tf.loadLayersModel('indexeddb://from-bw');
    close(predictTf(t), predictBw(m));
    await t.save('indexeddb://from-tf');
    close(predictBw(await bw.loadModel('indexeddb://from-tf')), predictBw(m));
  });
});

describe('localstorage://', () => {
  test('bnwasm round trip; TF.js reads what bnwasm wrote and the other way round', async () => {
    const ls = new FakeLocalStorage();
    browserFor(true, { localStorage: ls });
    const m = model();
    await m.save('localstorage://m1');
    expect(ls.keys().sort()).toEqual(['info', 'model_metadata', 'model_topology', 'weight_data', 'weight_specs'].map((k) => `tensorflowjs_models/m1/${k}`));
    close(predictBw(await bw.loadModel('localstorage://m1')), predictBw(m));
    const t = await tf.loadLayersModel('localstorage://m1');
    close(predictTf(t), predictBw(m));
    await t.save('localstorage://m2');
    close(predictBw(await bw.loadModel('localstorage://m2')), predictBw(m));
  });

  test('a full storage is an error naming the cause, and leaves no partial model behind', async () => {
    const ls = new FakeLocalStorage(2000);
    browserFor(false, { localStorage: ls });
    await expect(model().save('localstorage://big')).rejects.toThrow(/saving failed.*QuotaExceeded/);
    expect(ls.length).toBe(0);
    await expect(bw.loadModel('localstorage://big')).rejects.toThrow(/no model saved/);
  });
});

describe('downloads:// and io.browserFiles', () => {
  test('downloads name.json and name.weights.bin in TF.js\'s layout; browserFiles loads them back', async () => {
    const clicked: Array<{ download: string; href: string }> = [];
    browserFor(false, { document: { createElement: () => { const a = { download: '', href: '', click: () => clicked.push(a) }; return a; } } });
    const m = model();
    await m.save('downloads://my-model');
    expect(clicked.map((a) => a.download)).toEqual(['my-model.json', 'my-model.weights.bin']);
    const blobs = clicked.map((a) => resolveObjectURL(a.href)!);
    const json = JSON.parse(await blobs[0].text());
    expect(json.weightsManifest[0].paths).toEqual(['./my-model.weights.bin']);
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name ?? json.modelTopology.model_config?.class_name).toBeTruthy();
    const files = [new File([blobs[0]], 'my-model.json'), new File([blobs[1]], 'my-model.weights.bin')];
    close(predictBw(await bw.loadModel(bw.io.browserFiles(files))), predictBw(m));
    await expect(bw.loadModel(bw.io.browserFiles([files[0]]))).rejects.toThrow(/needs the weight file '\.\/my-model\.weights\.bin'/);
  });
});

describe('http(s):// POST', () => {
  test('posts model.json and model.weights.bin as multipart/form-data; TF.js loads what was posted', async () => {
    const stored = new Map<string, Buffer>();
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (req.method === 'POST' && req.url === '/reject') {
        res.writeHead(403).end('no');
      } else if (req.method === 'POST') {
        const form = await new Request('http://x/', { method: 'POST', headers: req.headers as HeadersInit, body: Buffer.concat(chunks) }).formData();
        for (const [name, file] of form) stored.set(name, Buffer.from(await (file as Blob).arrayBuffer()));
        res.writeHead(200).end('ok');
      } else {
        const body = stored.get(req.url!.slice(1));
        if (body) res.writeHead(200).end(body); else res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const m = model();
      await m.save(`${base}/upload`);
      expect([...stored.keys()].sort()).toEqual(['model.json', 'model.weights.bin']);
      const t = await tf.loadLayersModel(`${base}/model.json`);
      close(predictTf(t), predictBw(m));
      await expect(m.save(`${base}/reject`)).rejects.toThrow(/POST to .*\/reject answered 403/);
    } finally {
      server.close();
    }
    await expect(model().save(`${base}/upload`)).rejects.toThrow(/POST to http:\/\/127\.0\.0\.1.*failed/);
  });
});
