import type { Layer, LayerClass } from '../layers/layer.js';
import { layerClass, layerClassNames } from '../layers/registry.js';
import type { Sequential } from '../model/sequential.js';
import { pythonic, toSnake } from './snake-case.js';

/** The tfjs-layers version whose file format we write (and the newest we have checked reading). */
export const TFJS_LAYERS_VERSION = '4.22.0';

export interface WeightSpec { name: string; shape: number[]; dtype: string; quantization?: unknown; group?: string }

/** The `modelTopology` of model.json, as tfjs-layers writes it for a Sequential. */
export function modelTopology(model: Sequential): Record<string, unknown> {
  const layers = model.layers.map((l, i) => {
    const config: Record<string, unknown> = { ...l.getConfig(), name: l.name, trainable: l.trainable };
    if (i === 0) {
      config.batchInputShape = [null, ...(l.inputShape ?? l.declaredInputShape ?? [])];
      config.dtype = 'float32';
    }
    return { className: l.className, config };
  });
  return pythonic({
    className: 'Sequential',
    config: { name: model.name, layers },
    kerasVersion: `tfjs-layers ${TFJS_LAYERS_VERSION}`,
    backend: 'tensor_flow.js',
  }) as Record<string, unknown>;
}

/** Weight specs and the order of the data in weights.bin: trainable weights of every layer first (TF.js). */
export function weightOrder(layers: Layer[]): Array<{ layer: Layer; index: number; spec: WeightSpec }> {
  const all = layers.flatMap((layer) => layer.weights().map((p, index) => ({
    layer, index, trainable: layer.trainable && p.grad !== null,
    spec: { name: `${layer.name}/${p.name}`, shape: [...p.shape], dtype: 'float32' },
  })));
  return [...all.filter((w) => w.trainable), ...all.filter((w) => !w.trainable)];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

function bad(what: string): never {
  throw new Error(`loadModel: ${what}`);
}

const isBool = (v: unknown) => typeof v === 'boolean';

/** Config keys of every layer, read here or harmless (dtype: bnwasm computes in float32 whatever the file says). */
const LAYER_KEYS = ['name', 'trainable', 'dtype', 'batch_input_shape', 'batch_shape'];

/**
 * For a class whose file keys are all known (LayerDef.fileKeys): refuses a key that is none of them and holds
 * a value (null is how Keras writes an unset option), and a Keras-only key with another value than the one
 * bnwasm implements, since loading without them could change the model.
 */
function refuseUnknownKeys(Class: LayerClass, c: Json, lname: string): void {
  const def = Class.def;
  if (!def.fileKeys) return;
  const neutral = new Map(Object.entries(def.fileKeys).map(([k, v]) => [toSnake(k), v]));
  const named = [...Object.keys(def.options), ...Object.keys(def.fixed ?? {}), ...(def.harmlessKeys ?? []), ...Object.keys(def.fileAliases ?? {})];
  const known = new Set([...LAYER_KEYS, ...named.map(toSnake), ...neutral.keys()]);
  for (const [key, v] of Object.entries(c)) {
    if (v === null || v === undefined) continue;
    const shown = JSON.stringify(v)?.slice(0, 80);
    if (!known.has(key)) {
      bad(`layer '${lname}': ${def.className} ${key}: ${shown} is not supported by bnwasm (it reads ${[...known].join(', ')}); loading without it could change the model`);
    }
    if (neutral.has(key) && JSON.stringify(v) !== JSON.stringify(neutral.get(key))) {
      bad(`layer '${lname}': ${def.className} ${key}: ${shown} is not supported by bnwasm (only ${JSON.stringify(neutral.get(key))}); loading without it would change the model`);
    }
  }
}

/**
 * A layer from its model.json config through its class's declared options: every option present in the
 * file is read back (option.load) and checked by the constructor; absent ones take their defaults.
 */
function layerFromConfig(Class: LayerClass, c: Json, lname: string, inputShape: number[] | undefined): Layer {
  refuseUnknownKeys(Class, c, lname);
  const trainable = c.trainable ?? true;
  if (!isBool(trainable)) bad(`layer '${lname}': config.trainable must be true or false, got ${JSON.stringify(trainable)}`);
  const args: Record<string, unknown> = { name: typeof c.name === 'string' ? c.name : undefined, trainable, inputShape };
  for (const [key, o] of Object.entries(Class.def.options)) {
    const v = c[toSnake(key)]; // model.json is snake_cased (useBias → use_bias)
    if (v !== undefined && v !== null) args[key] = o.load ? o.load(v) : v;
  }
  // an option under another name (Keras 3's negative_slope for LeakyReLU's alpha); both names must agree
  for (const [alias, key] of Object.entries(Class.def.fileAliases ?? {})) {
    const v = c[toSnake(alias)], o = Class.def.options[key];
    if (v === undefined || v === null) continue;
    const other = c[toSnake(key)];
    if (other !== undefined && other !== null && JSON.stringify(other) !== JSON.stringify(v)) {
      bad(`layer '${lname}': ${toSnake(alias)} ${JSON.stringify(v)} and ${toSnake(key)} ${JSON.stringify(other)} disagree (both name one setting)`);
    }
    args[key] = o.load ? o.load(v) : v;
  }
  // a constraint or regularizer bnwasm does not implement is refused, never dropped (it changes training)
  for (const [key, value] of Object.entries(Class.def.fixed ?? {})) {
    const v = c[toSnake(key)];
    if (!/(Regularizer|Constraint)$/.test(key)) continue;
    if (v !== undefined && v !== null && JSON.stringify(v) !== JSON.stringify(value)) {
      bad(`layer '${lname}': ${toSnake(key)} ${JSON.stringify(v)} is not supported by bnwasm (loading without it would change the model)`);
    }
  }
  try {
    return new (Class as unknown as new (a: unknown) => Layer)(args);
  } catch (e) {
    bad(`layer '${lname}': ${e instanceof Error ? e.message : String(e)}`);
  }
}

function inputShapeOf(config: Json, layer: string): number[] | undefined {
  const s = config.batch_input_shape ?? config.batch_shape;
  if (s === undefined || s === null) return undefined;
  if (!Array.isArray(s) || s.length < 2 || !s.slice(1).every((d) => Number.isInteger(d) && d > 0)) {
    bad(`layer '${layer}': batch_input_shape must be [null, positive integers...], got ${JSON.stringify(s)}`);
  }
  return s.slice(1) as number[];
}

/**
 * The layers of a model.json topology (tfjs-layers or Keras, Sequential of supported layers), built in
 * order, and the model's name; the caller makes the Sequential (this module does not depend on it).
 * `maxWeights`: how many floats the weight data holds; a topology that needs more is refused before
 * the layer that would exceed it allocates anything.
 */
export function layersFromTopology(topology: unknown, maxWeights = Infinity): { name: string | undefined; layers: Layer[] } {
  let t = topology;
  if (isObject(t) && isObject(t.model_config)) t = t.model_config; // Keras-converted files nest it
  if (!isObject(t)) bad(`modelTopology must be an object, got ${JSON.stringify(topology)?.slice(0, 80)}`);
  if (t.class_name !== 'Sequential') bad(`only Sequential models are supported, got class_name ${JSON.stringify(t.class_name)}`);
  const config = t.config;
  const layerList = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(layerList) || layerList.length === 0) bad('modelTopology.config.layers must be a non-empty array');
  const name = isObject(config) && typeof config.name === 'string' ? config.name : undefined;
  const layers: Layer[] = [];
  let pendingShape: number[] | undefined, needed = 0, shape: number[] | null = null;
  layerList.forEach((entry, i) => {
    if (!isObject(entry) || typeof entry.class_name !== 'string' || !isObject(entry.config)) {
      bad(`layers[${i}] must be { class_name, config }, got ${JSON.stringify(entry)?.slice(0, 80)}`);
    }
    const c = entry.config, cls = entry.class_name;
    const lname = typeof c.name === 'string' ? c.name : `layers[${i}]`;
    if (cls === 'InputLayer') { pendingShape = inputShapeOf(c, lname); return; }
    const inputShape = inputShapeOf(c, lname) ?? pendingShape;
    pendingShape = undefined;
    const Class = layerClass(cls);
    if (!Class) bad(`unknown layer class '${cls}' (layers[${i}]); bnwasm reads ${layerClassNames().join(', ')} and InputLayer`);
    const layer = layerFromConfig(Class, c, lname, inputShape);
    // weights are assigned by layer name: two layers of one name would take each other's
    if (layers.some((l) => l.name === layer.name)) bad(`a layer named '${layer.name}' is already in this model; layer names must be unique`);
    if (layers.length === 0) {
      if (!layer.declaredInputShape) bad('the first layer has no batch_input_shape, so the model cannot be built');
      shape = layer.declaredInputShape;
    }
    // counted before building, so a corrupt file (units: 66666666) is refused before it grows the WASM memory for good
    needed += layer.weightCountFor(shape!);
    if (needed > maxWeights) {
      bad(`layer '${layer.name}' needs more weights than the weight data holds (${needed} floats up to this layer, the data has ${maxWeights}): weights.bin does not belong to this model.json`);
    }
    shape = layer.build(shape!);
    layers.push(layer);
  });
  return { name, layers };
}
