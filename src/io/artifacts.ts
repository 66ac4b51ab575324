import { heap } from '../backend/runtime.js';
import type { Sequential } from '../model/sequential.js';
import type { Layer } from '../layers/layer.js';
import { layersFromTopology, modelTopology, TFJS_LAYERS_VERSION, weightOrder, type WeightSpec } from './model-json.js';

/** TF.js ModelArtifacts, the currency of IOHandlers. */
export interface ModelArtifacts {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightSpecs?: WeightSpec[];
  weightData?: ArrayBuffer | ArrayBuffer[];
  [key: string]: unknown;
}

export interface IOHandler {
  save?: (artifacts: ModelArtifacts) => Promise<unknown>;
  load?: () => Promise<ModelArtifacts>;
}

export function toArtifacts(model: Sequential): ModelArtifacts {
  if (!model.built) throw new Error('save: the model is not built yet (give the first layer an inputShape, or fit it once)');
  const order = weightOrder(model.layers);
  const total = order.reduce((s, w) => s + w.spec.shape.reduce((a, b) => a * b, 1), 0);
  const data = new Float32Array(total), h = heap();
  let at = 0;
  for (const w of order) {
    const values = h.f32(w.layer.weights()[w.index].value);
    data.set(values, at);
    at += values.length;
  }
  return {
    modelTopology: modelTopology(model),
    format: 'layers-model',
    generatedBy: `bnwasm (TensorFlow.js tfjs-layers v${TFJS_LAYERS_VERSION} format)`,
    convertedBy: null,
    weightSpecs: order.map((w) => w.spec),
    weightData: data.buffer,
  };
}

const isArrayBuffer = (b: unknown) => Object.prototype.toString.call(b) === '[object ArrayBuffer]';

function concat(data: ArrayBuffer | ArrayBuffer[] | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  if (!(Array.isArray(data) ? data.every(isArrayBuffer) : isArrayBuffer(data))) {
    throw new Error(`loadModel: weightData: expected an ArrayBuffer or an array of ArrayBuffers, got ${Array.isArray(data) ? 'an array holding something else' : typeof data}`);
  }
  if (!Array.isArray(data)) return data;
  const out = new Uint8Array(data.reduce((s, b) => s + b.byteLength, 0));
  let at = 0;
  for (const b of data) { out.set(new Uint8Array(b), at); at += b.byteLength; }
  return out.buffer;
}

/**
 * The model's name and its layers, built, with every weight assigned by name; any mismatch throws before
 * anything is returned (io/index.ts makes the Sequential).
 */
export function fromArtifacts(artifacts: ModelArtifacts): { name: string | undefined; layers: Layer[] } {
  if (!artifacts || typeof artifacts !== 'object') throw new Error('loadModel: the handler returned no model artifacts');
  if (artifacts.modelTopology === undefined) throw new Error('loadModel: model.json has no modelTopology');
  const specs = artifacts.weightSpecs ?? [];
  if (!Array.isArray(specs)) throw new Error('loadModel: weightSpecs must be an array');
  const buffer = concat(artifacts.weightData);
  const byName = new Map<string, Float32Array>();
  let offset = 0;
  for (const [i, s] of specs.entries()) {
    if (!s || typeof s.name !== 'string' || !Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`loadModel: weight spec ${i} must have a name and a shape of non-negative integers, got ${JSON.stringify(s)?.slice(0, 100)}`);
    }
    if (s.dtype !== 'float32') throw new Error(`loadModel: weight '${s.name}' has dtype ${JSON.stringify(s.dtype)}; only float32 is supported`);
    if (s.quantization) throw new Error(`loadModel: weight '${s.name}' is quantized; only unquantized float32 weights are supported`);
    const n = s.shape.reduce((a: number, b: number) => a * b, 1);
    if (offset + 4 * n > buffer.byteLength) {
      throw new Error(`loadModel: the weight data is truncated: '${s.name}' needs bytes ${offset}..${offset + 4 * n}, but there are only ${buffer.byteLength}`);
    }
    const name = s.name.replace(/:0$/, '');
    if (byName.has(name)) throw new Error(`loadModel: weight '${name}' appears twice in the manifest`);
    byName.set(name, new Float32Array(buffer.slice(offset, offset + 4 * n)));
    offset += 4 * n;
  }
  if (offset !== buffer.byteLength) {
    throw new Error(`loadModel: the weight data has ${buffer.byteLength} bytes but the manifest describes ${offset}`);
  }
  // built only now that the manifest is sound, and refused before allocating if it needs more weights than there are
  const model = layersFromTopology(artifacts.modelTopology, buffer.byteLength / 4);
  const h = heap();
  const wanted = weightOrder(model.layers);
  for (const w of wanted) {
    const data = byName.get(w.spec.name);
    if (!data) throw new Error(`loadModel: weight '${w.spec.name}' is missing from the weights manifest`);
    // the shape itself, not only the count: a transposed [units, inputDim] kernel must not load
    const spec = specs.find((s) => s.name.replace(/:0$/, '') === w.spec.name)!;
    if (data.length !== w.spec.shape.reduce((a, b) => a * b, 1) || spec.shape.join() !== w.spec.shape.join()) {
      throw new Error(`loadModel: weight '${w.spec.name}' has shape [${spec.shape.join(', ')}], the layer needs [${w.spec.shape.join(', ')}]`);
    }
  }
  const extra = [...byName.keys()].filter((n) => !wanted.some((w) => w.spec.name === n));
  if (extra.length) throw new Error(`loadModel: the manifest has weights no layer uses: ${extra.join(', ')}`);
  for (const w of wanted) h.f32(w.layer.weights()[w.index].value).set(byName.get(w.spec.name)!);
  return model;
}
