/**
 * loadModel reads weight files only from inside the model's directory: a model.json is data, and paths
 * like `../secret.bin` or `/home/me/secret.bin` would otherwise come back as the model's weights. Real
 * files in a temporary directory, and a loopback HTTP server (127.0.0.1 only) for URLs.
 */
import fsp from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { batch, bw, smallModel } from './helpers.js';

let root: string, good: string, json: string, weights: Buffer, secret: Buffer, x: bw.Tensor, expected: number[];

beforeAll(async () => {
  await bw.ready();
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'bnwasm-paths-'));
  const m = smallModel(71);
  x = batch(4, 72).x;
  expected = Array.from(m.predict(x).dataSync());
  good = path.join(root, 'models', 'good');
  await m.save(good);
  json = await fsp.readFile(path.join(good, 'model.json'), 'utf8');
  weights = await fsp.readFile(path.join(good, 'weights.bin'));
  // a "secret" of exactly the weights' size: without the confinement it would load as a working model
  secret = Buffer.from(Float32Array.from({ length: weights.length / 4 }, (_, i) => 1000 + i).buffer);
  await fsp.writeFile(path.join(root, 'models', 'secret.bin'), secret);
});
afterAll(() => fsp.rm(root, { recursive: true, force: true }));

let n = 0;
/** A model directory whose manifest lists `paths`; `setup` adds files or links inside it. */
async function modelWithPaths(paths: string[], setup?: (dir: string) => Promise<void>): Promise<string> {
  const dir = path.join(root, 'models', `m${++n}`);
  await fsp.mkdir(dir);
  const j = JSON.parse(json);
  j.weightsManifest[0].paths = paths;
  await fsp.writeFile(path.join(dir, 'model.json'), JSON.stringify(j));
  await setup?.(dir);
  return path.join(dir, 'model.json');
}

const loadError = (p: string) => bw.loadModel(p).then(() => null, (e: Error) => e);

describe('loadModel keeps weight files inside the model directory (local files)', () => {
  const refused: Array<[string, () => Promise<string>, RegExp]> = [
    ['../secret.bin', () => modelWithPaths(['../secret.bin']), /weight path "\.\.\/secret\.bin" in .*model\.json is refused: it resolves to .*secret\.bin, outside/],
    ['an absolute path', () => modelWithPaths([path.join(root, 'models', 'secret.bin')]), /weight path ".*secret\.bin" .* is refused: it is absolute/],
    ['sub/../../secret.bin', () => modelWithPaths(['sub/../../secret.bin'], (d) => fsp.mkdir(path.join(d, 'sub'))), /"sub\/\.\.\/\.\.\/secret\.bin" .* refused: it resolves to/],
    ['a symlink to a file outside', () => modelWithPaths(['weights.bin'], (d) => fsp.symlink(path.join(root, 'models', 'secret.bin'), path.join(d, 'weights.bin'))),
      /weight path "weights\.bin" .* is refused: it is a link to .*secret\.bin, outside/],
    ['a symlinked directory pointing outside', () => modelWithPaths(['up/secret.bin'], (d) => fsp.symlink(path.join(root, 'models'), path.join(d, 'up'))),
      /weight path "up\/secret\.bin" .* is refused: it is a link to/],
    ['a NUL byte', () => modelWithPaths(['weights.bin\0../../secret.bin']), /is refused: it contains a NUL byte/],
    ['the directory itself (an empty path)', () => modelWithPaths(['']), /weight path "" .* is refused/],
  ];
  test.each(refused)('%s is refused with an Error naming the path', async (_name, make, pattern) => {
    const err = await loadError(await make());
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/^loadModel: weight path /);
    expect(err!.message).toMatch(pattern);
  });

  test('%2e%2e is an ordinary file name on disk (as tfjs-node): never the secret one level up', async () => {
    const p = await modelWithPaths(['%2e%2e/secret.bin']);
    expect((await loadError(p))!.message).toMatch(/cannot read .*m\d+\/%2e%2e\/secret\.bin: no such file/);
    // and a real file by that name inside the directory is read
    const q = await modelWithPaths(['%2e%2e/w.bin'], async (d) => {
      await fsp.mkdir(path.join(d, '%2e%2e'));
      await fsp.writeFile(path.join(d, '%2e%2e', 'w.bin'), weights);
    });
    expect(Array.from((await bw.loadModel(q)).predict(x).dataSync())).toEqual(expected);
  });

  test('paths that stay inside load: sub/../weights.bin, ./weights.bin, a link to a file inside, a linked model directory', async () => {
    const inside = [
      await modelWithPaths(['sub/../weights.bin'], async (d) => { await fsp.mkdir(path.join(d, 'sub')); await fsp.writeFile(path.join(d, 'weights.bin'), weights); }),
      await modelWithPaths(['./weights.bin'], (d) => fsp.writeFile(path.join(d, 'weights.bin'), weights)),
      await modelWithPaths(['w.bin'], async (d) => { await fsp.writeFile(path.join(d, 'real.bin'), weights); await fsp.symlink('real.bin', path.join(d, 'w.bin')); }),
    ];
    const linked = path.join(root, 'linked-model');
    await fsp.symlink(good, linked);
    inside.push(path.join(linked, 'model.json'));
    for (const p of inside) expect(Array.from((await bw.loadModel(p)).predict(x).dataSync()), p).toEqual(expected);
  });

  test('the check comes before any read: a refused second path reads no file at all', async () => {
    const p = await modelWithPaths(['nowhere.bin', '../secret.bin']);
    // were the first path read first, the error would be "no such file"
    expect((await loadError(p))!.message).toMatch(/"\.\.\/secret\.bin" .* is refused/);
  });
});

describe('loadModel over HTTP resolves weight paths against model.json\'s URL (loopback server)', () => {
  let server: http.Server, origin: string;
  const requests: string[] = [];
  const files = new Map<string, Buffer>();

  beforeAll(async () => {
    const j = (paths: string[]) => { const o = JSON.parse(json); o.weightsManifest[0].paths = paths; return Buffer.from(JSON.stringify(o)); };
    files.set('/models/good/model.json', Buffer.from(json));
    files.set('/models/good/weights.bin', weights);
    files.set('/models/secret.bin', secret);
    files.set('/secret.bin', secret);
    for (const [name, paths] of Object.entries({ dotdot: ['../secret.bin'], encoded: ['%2e%2e/secret.bin'], mixed: ['.%2E/secret.bin'],
      backslash: ['..\\secret.bin'], rooted: ['/models/secret.bin'], missing: ['gone.bin'], sub: ['sub/../weights.bin'] })) {
      files.set(`/models/${name}/model.json`, j(paths));
      files.set(`/models/${name}/weights.bin`, weights);
    }
    server = http.createServer((req, res) => {
      requests.push(req.url!);
      const body = files.get(new URL(req.url!, 'http://x').pathname);
      res.writeHead(body ? 200 : 404).end(body ?? 'not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    files.set('/models/absolute/model.json', j([`${origin}/models/secret.bin`]));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('a good model loads with the same predictions; weights inherit model.json\'s query, as tf.io', async () => {
    requests.length = 0;
    const m = await bw.loadModel(`${origin}/models/good/model.json?v=7`);
    expect(Array.from(m.predict(x).dataSync())).toEqual(expected);
    expect(requests).toEqual(['/models/good/model.json?v=7', '/models/good/weights.bin?v=7']);
    expect(Array.from((await bw.loadModel(`${origin}/models/sub/model.json`)).predict(x).dataSync())).toEqual(expected);
  });

  test.each([
    ['dotdot', '../secret.bin', /resolves to http:\/\/127\.0\.0\.1:\d+\/models\/secret\.bin, outside http:\/\/127\.0\.0\.1:\d+\/models\/dotdot\//],
    ['encoded', '%2e%2e/secret.bin', /resolves to .*\/models\/secret\.bin, outside/],
    ['mixed', '.%2E/secret.bin', /resolves to .*\/models\/secret\.bin, outside/],
    ['backslash', '..\\secret.bin', /is refused: it is absolute|resolves to .*\/models\/secret\.bin, outside/],
    ['rooted', '/models/secret.bin', /is refused: it is absolute/],
    ['absolute', 'http://…/models/secret.bin', /is refused: it is absolute/],
  ])('%s (%s) is refused before it is fetched', async (name, _path, pattern) => {
    requests.length = 0;
    const err = await loadError(`${origin}/models/${name}/model.json`);
    expect(err!.message).toMatch(/^loadModel: weight path .* in http:\/\/127\.0\.0\.1:\d+\/models\/\w+\/model\.json is refused/);
    expect(err!.message).toMatch(pattern);
    expect(requests).toEqual([`/models/${name}/model.json`]);
  });

  test('failures name the URL: HTTP 404, a closed port', async () => {
    expect((await loadError(`${origin}/models/missing/model.json`))!.message)
      .toMatch(/^loadModel: cannot fetch http:\/\/127\.0\.0\.1:\d+\/models\/missing\/gone\.bin: HTTP 404$/);
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await loadError(`http://127.0.0.1:${port}/m/model.json`);
    expect(err!.message).toMatch(new RegExp(`^loadModel: cannot fetch http://127\\.0\\.0\\.1:${port}/m/model\\.json: .*ECONNREFUSED`));
  });
});
