/**
 * Model storage in a browser, in the same places and layouts as TF.js's tf.io, so a model saved by either
 * library loads in the other: indexeddb://path (database 'tensorflowjs'), localstorage://path (keys
 * 'tensorflowjs_models/path/…', weights base64), downloads://name (name.json + name.weights.bin through the
 * browser's download), http(s)://url (a multipart POST of model.json and model.weights.bin), and
 * browserFiles([json, weights]) for files a user picked. Where the platform lacks the facility (Node has no
 * IndexedDB, localStorage or document), the handler throws an Error saying so, never falls back to a file.
 */
import type { IOHandler, ModelArtifacts } from './artifacts.js';

export const BROWSER_SCHEMES = ['indexeddb://', 'localstorage://', 'downloads://'] as const;

const DATABASE = 'tensorflowjs';
const MODEL_STORE = 'models_store';
const INFO_STORE = 'model_info_store';
const LS_PREFIX = 'tensorflowjs_models';

interface Platform {
  indexedDB?: IDBFactory;
  localStorage?: Storage;
  document?: Document;
}
const platform = () => globalThis as unknown as Platform;

function joinWeights(data: ArrayBuffer | ArrayBuffer[] | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  if (!Array.isArray(data)) return data;
  const out = new Uint8Array(data.reduce((s, b) => s + b.byteLength, 0));
  let at = 0;
  for (const b of data) { out.set(new Uint8Array(b), at); at += b.byteLength; }
  return out.buffer;
}

/** What TF.js records about saved artifacts (modelArtifactsInfo). */
function artifactsInfo(a: ModelArtifacts) {
  const bytes = (v: unknown) => (v == null ? 0 : new TextEncoder().encode(JSON.stringify(v)).length);
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: bytes(a.modelTopology),
    weightSpecsBytes: bytes(a.weightSpecs),
    weightDataBytes: joinWeights(a.weightData).byteLength,
  };
}

function requirePath(scheme: string, path: string): string {
  if (!path) throw new Error(`${scheme}: expected a model name after the scheme, e.g. '${scheme}my-model', got an empty one`);
  return path;
}

function missing(scheme: string, facility: string): Error {
  return new Error(`${scheme}: this environment has no ${facility} (it is a browser facility; in Node save to a directory or pass an IOHandler)`);
}

/** Runs one IndexedDB request to completion. */
function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function openDatabase(factory: IDBFactory): Promise<IDBDatabase> {
  const open = factory.open(DATABASE, 1);
  open.onupgradeneeded = () => {
    open.result.createObjectStore(MODEL_STORE, { keyPath: 'modelPath' });
    open.result.createObjectStore(INFO_STORE, { keyPath: 'modelPath' });
  };
  return request(open);
}

export function indexedDBHandler(path: string): IOHandler {
  const scheme = 'indexeddb://';
  requirePath(scheme, path);
  const factory = () => platform().indexedDB ?? (() => { throw missing(scheme, 'IndexedDB'); })();
  return {
    async save(artifacts: ModelArtifacts) {
      const db = await openDatabase(factory());
      try {
        const modelArtifacts = { ...artifacts, weightData: joinWeights(artifacts.weightData) };
        const modelArtifactsInfo = artifactsInfo(modelArtifacts);
        await request(db.transaction(INFO_STORE, 'readwrite').objectStore(INFO_STORE).put({ modelPath: path, modelArtifactsInfo }));
        try {
          await request(db.transaction(MODEL_STORE, 'readwrite').objectStore(MODEL_STORE).put({ modelPath: path, modelArtifacts, modelArtifactsInfo }));
        } catch (e) {
          await request(db.transaction(INFO_STORE, 'readwrite').objectStore(INFO_STORE).delete(path)).catch(() => undefined);
          throw e;
        }
        return { modelArtifactsInfo };
      } finally {
        db.close();
      }
    },
    async load() {
      const db = await openDatabase(factory());
      try {
        const record = await request(db.transaction(MODEL_STORE, 'readonly').objectStore(MODEL_STORE).get(path)) as { modelArtifacts?: ModelArtifacts } | undefined;
        if (!record?.modelArtifacts) throw new Error(`${scheme}${path}: no model saved under '${path}' in IndexedDB`);
        return record.modelArtifacts;
      } finally {
        db.close();
      }
    },
  };
}

const toBase64 = (buffer: ArrayBuffer) => {
  const bytes = new Uint8Array(buffer);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0)).buffer;

export function localStorageHandler(path: string): IOHandler {
  const scheme = 'localstorage://';
  requirePath(scheme, path);
  const key = (suffix: string) => [LS_PREFIX, path, suffix].join('/');
  const keys = ['info', 'model_topology', 'weight_specs', 'weight_data', 'model_metadata'].map(key);
  const storage = () => platform().localStorage ?? (() => { throw missing(scheme, 'localStorage'); })();
  return {
    async save(artifacts: ModelArtifacts) {
      const ls = storage();
      const modelArtifactsInfo = artifactsInfo(artifacts);
      const metadata = { format: artifacts.format, generatedBy: artifacts.generatedBy, convertedBy: artifacts.convertedBy,
        userDefinedMetadata: artifacts.userDefinedMetadata ?? undefined, trainingConfig: artifacts.trainingConfig ?? undefined };
      try {
        ls.setItem(keys[0], JSON.stringify(modelArtifactsInfo));
        ls.setItem(keys[1], JSON.stringify(artifacts.modelTopology));
        ls.setItem(keys[2], JSON.stringify(artifacts.weightSpecs));
        ls.setItem(keys[3], toBase64(joinWeights(artifacts.weightData)));
        ls.setItem(keys[4], JSON.stringify(metadata));
      } catch (e) {
        for (const k of keys) ls.removeItem(k);
        throw new Error(`${scheme}${path}: saving failed (${e instanceof Error ? e.message : String(e)}); localStorage holds a few MB at most (weights: ${modelArtifactsInfo.weightDataBytes} bytes)`);
      }
      return { modelArtifactsInfo };
    },
    async load() {
      const ls = storage();
      const info = ls.getItem(keys[0]);
      if (info === null) throw new Error(`${scheme}${path}: no model saved under '${path}' in localStorage`);
      const read = (k: string, what: string) => {
        const v = ls.getItem(k);
        if (v === null) throw new Error(`${scheme}${path}: the ${what} is missing from localStorage (an incomplete save?)`);
        return v;
      };
      const metadata = JSON.parse(ls.getItem(keys[4]) ?? '{}') as Record<string, unknown>;
      return {
        ...metadata,
        modelTopology: JSON.parse(read(keys[1], 'topology')),
        weightSpecs: JSON.parse(read(keys[2], 'weight manifest')),
        weightData: fromBase64(read(keys[3], 'weight data')),
      };
    },
  };
}

/** model.json as TF.js writes it next to a weights file. */
function modelJson(artifacts: ModelArtifacts, weightsPath: string): string {
  const { weightData: _data, weightSpecs, ...rest } = artifacts;
  return JSON.stringify({ ...rest, weightsManifest: [{ paths: [weightsPath], weights: weightSpecs ?? [] }] });
}

export function downloadsHandler(name: string): IOHandler {
  const scheme = 'downloads://';
  const base = name || 'model';
  return {
    async save(artifacts: ModelArtifacts) {
      const doc = platform().document;
      if (!doc || typeof doc.createElement !== 'function' || typeof URL.createObjectURL !== 'function') throw missing(scheme, 'document to download from');
      const weightsName = `${base}.weights.bin`;
      const files: Array<[string, Blob]> = [
        [`${base}.json`, new Blob([modelJson(artifacts, `./${weightsName}`)], { type: 'application/json' })],
        [weightsName, new Blob([joinWeights(artifacts.weightData)], { type: 'application/octet-stream' })],
      ];
      for (const [file, blob] of files) {
        const a = doc.createElement('a');
        a.download = file;
        a.href = URL.createObjectURL(blob);
        a.click();
      }
      return { modelArtifactsInfo: artifactsInfo(artifacts) };
    },
  };
}

/** Saves by POSTing model.json and model.weights.bin as multipart/form-data, the body TF.js's tf.io.http sends. */
export function httpSaveHandler(url: string, init: RequestInit = {}): IOHandler {
  return {
    async save(artifacts: ModelArtifacts) {
      const form = new FormData();
      form.append('model.json', new Blob([modelJson(artifacts, './model.weights.bin')], { type: 'application/json' }), 'model.json');
      form.append('model.weights.bin', new Blob([joinWeights(artifacts.weightData)], { type: 'application/octet-stream' }), 'model.weights.bin');
      let response: Response;
      try {
        response = await fetch(url, { method: 'POST', ...init, body: form });
      } catch (e) {
        throw new Error(`save: POST to ${url} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!response.ok) throw new Error(`save: POST to ${url} answered ${response.status} ${response.statusText}`);
      return { modelArtifactsInfo: artifactsInfo(artifacts), responses: [response] };
    },
  };
}

/** Loads from files the user picked (an <input type="file">): model.json first, then its weight files. */
export function browserFiles(files: Array<Blob & { name?: string }>): IOHandler {
  if (!Array.isArray(files) || files.length < 1) throw new Error(`io.browserFiles: expected [model.json file, weight files…], got ${Array.isArray(files) ? 'an empty array' : typeof files}`);
  return {
    async load() {
      const json = JSON.parse(await files[0].text()) as Record<string, unknown> & { weightsManifest?: Array<{ paths: string[]; weights: unknown[] }> };
      const manifest = json.weightsManifest ?? [];
      const byName = new Map(files.slice(1).map((f) => [f.name ?? '', f] as const));
      const buffers: ArrayBuffer[] = [];
      for (const group of manifest) {
        for (const p of group.paths) {
          const file = byName.get(p.split('/').pop()!);
          if (!file) throw new Error(`io.browserFiles: model.json needs the weight file '${p}', which is not among the files given (${[...byName.keys()].join(', ') || 'none'})`);
          buffers.push(await file.arrayBuffer());
        }
      }
      const { weightsManifest: _m, ...rest } = json;
      return { ...rest, weightSpecs: manifest.flatMap((g) => g.weights) as ModelArtifacts['weightSpecs'], weightData: joinWeights(buffers) };
    },
  };
}

/** The handler for a browser scheme or http(s) URL (saving), or null for a plain path. */
export function schemeHandler(url: string, purpose: 'save' | 'load'): IOHandler | null {
  if (url.startsWith('indexeddb://')) return indexedDBHandler(url.slice('indexeddb://'.length));
  if (url.startsWith('localstorage://')) return localStorageHandler(url.slice('localstorage://'.length));
  if (url.startsWith('downloads://')) {
    if (purpose === 'load') throw new Error(`loadModel: downloads:// only saves; load what it saved with bw.io.browserFiles([jsonFile, weightsFile])`);
    return downloadsHandler(url.slice('downloads://'.length));
  }
  if (purpose === 'save' && /^https?:\/\//i.test(url)) return httpSaveHandler(url);
  return null;
}
