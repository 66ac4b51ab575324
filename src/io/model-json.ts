import { Activation } from '../layers/activation.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Conv2D } from '../layers/conv2d.js';
import { Dense } from '../layers/dense.js';
import { AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D } from '../layers/pooling2d.js';
import { Flatten, Reshape } from '../layers/reshape.js';
import { Dropout } from '../layers/dropout.js';
import { initializerFromConfig } from '../layers/initializers.js';
import { ACTIVATIONS, type Activation as ActivationName } from '../layers/activations.js';
import type { Layer } from '../layers/layer.js';
import { Sequential } from '../model/sequential.js';
import { pythonic } from './snake-case.js';

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
export function weightOrder(model: Sequential): Array<{ layer: Layer; index: number; spec: WeightSpec }> {
  const all = model.layers.flatMap((layer) => layer.weights().map((p, index) => ({
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

function field<T>(config: Json, key: string, check: (v: unknown) => boolean, expected: string, layer: string, fallback?: T): T {
  const v = config[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    bad(`layer '${layer}': config.${key} is missing`);
  }
  if (!check(v)) bad(`layer '${layer}': config.${key} must be ${expected}, got ${JSON.stringify(v)}`);
  return v as T;
}

const isInt = (v: unknown) => Number.isInteger(v);
const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isBool = (v: unknown) => typeof v === 'boolean';

const isSize = (v: unknown) => (isInt(v) && (v as number) > 0) || (Array.isArray(v) && v.length === 2 && v.every((d) => isInt(d) && d > 0));
const isPadding = (v: unknown) => v === 'valid' || v === 'same';

/** Convolution and pooling options bnwasm does not implement: refused rather than misread. */
function windowOptions(c: Json, layer: string, dilation?: string): void {
  if (c.data_format !== undefined && c.data_format !== null && c.data_format !== 'channels_last') {
    bad(`layer '${layer}': data_format ${JSON.stringify(c.data_format)} is not supported (channels_last only)`);
  }
  const d = dilation ? c[dilation] : undefined;
  if (d !== undefined && d !== null && d !== 1 && !(Array.isArray(d) && d.every((v) => v === 1))) {
    bad(`layer '${layer}': ${dilation} ${JSON.stringify(d)} is not supported (1 only)`);
  }
}

/** TF.js/Keras activation names, snake_cased in files. */
function activation(v: unknown, layer: string): ActivationName {
  if (typeof v !== 'string' || !(ACTIVATIONS as readonly string[]).includes(v)) {
    bad(`layer '${layer}': activation ${JSON.stringify(v)} is not supported (expected one of ${ACTIVATIONS.join(', ')})`);
  }
  return v as ActivationName;
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
 * Weights a layer will allocate for inputs of `shape` (no batch axis), counted before building it, so a
 * corrupt file (units: 66666666) is refused before it grows the WASM memory for good.
 */
function weightCount(layer: Layer, shape: number[] | null | undefined): number {
  if (!shape || shape.length === 0) return 0;
  if (layer instanceof Dense) return shape[shape.length - 1] * layer.units + (layer.useBias ? layer.units : 0);
  if (layer instanceof Conv2D) {
    return layer.kernelSize[0] * layer.kernelSize[1] * shape[shape.length - 1] * layer.filters + (layer.useBias ? layer.filters : 0);
  }
  if (layer instanceof BatchNormalization) {
    const axis = layer.axis < 0 ? shape.length + 1 + layer.axis : layer.axis;
    return (2 + (layer.center ? 1 : 0) + (layer.scale ? 1 : 0)) * (shape[axis - 1] ?? 0);
  }
  return 0;
}

/**
 * Builds a Sequential from a model.json topology (tfjs-layers or Keras, Sequential of supported layers).
 * `maxWeights`: how many floats the weight data holds; a topology that needs more is refused unbuilt.
 */
export function modelFromTopology(topology: unknown, maxWeights = Infinity): Sequential {
  let t = topology;
  if (isObject(t) && isObject(t.model_config)) t = t.model_config; // Keras-converted files nest it
  if (!isObject(t)) bad(`modelTopology must be an object, got ${JSON.stringify(topology)?.slice(0, 80)}`);
  if (t.class_name !== 'Sequential') bad(`only Sequential models are supported, got class_name ${JSON.stringify(t.class_name)}`);
  const config = t.config;
  const layerList = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(layerList) || layerList.length === 0) bad('modelTopology.config.layers must be a non-empty array');
  const name = isObject(config) && typeof config.name === 'string' ? config.name : undefined;
  const model = new Sequential({ name });
  let pendingShape: number[] | undefined, needed = 0;
  layerList.forEach((entry, i) => {
    if (!isObject(entry) || typeof entry.class_name !== 'string' || !isObject(entry.config)) {
      bad(`layers[${i}] must be { class_name, config }, got ${JSON.stringify(entry)?.slice(0, 80)}`);
    }
    const c = entry.config, cls = entry.class_name;
    const lname = typeof c.name === 'string' ? c.name : `layers[${i}]`;
    if (cls === 'InputLayer') { pendingShape = inputShapeOf(c, lname); return; }
    const inputShape = inputShapeOf(c, lname) ?? pendingShape;
    pendingShape = undefined;
    const common = { name: typeof c.name === 'string' ? c.name : undefined, trainable: field<boolean>(c, 'trainable', isBool, 'true or false', lname, true), inputShape };
    let layer: Layer;
    switch (cls) {
      case 'Dense':
        layer = new Dense({
          ...common,
          units: field<number>(c, 'units', (v) => isInt(v) && (v as number) > 0, 'a positive integer', lname),
          activation: activation(c.activation ?? 'linear', lname),
          useBias: field<boolean>(c, 'use_bias', isBool, 'true or false', lname, true),
          kernelInitializer: initializerFromConfig(c.kernel_initializer, 'glorotUniform'),
          biasInitializer: initializerFromConfig(c.bias_initializer, 'zeros'),
        });
        break;
      case 'BatchNormalization': {
        // Keras writes axis as [n]; TF.js as n
        const axis = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : c.axis;
        layer = new BatchNormalization({
          ...common,
          axis: field<number>({ axis }, 'axis', isInt, 'an integer', lname, -1),
          momentum: field<number>(c, 'momentum', isNum, 'a number', lname, 0.99),
          epsilon: field<number>(c, 'epsilon', isNum, 'a number', lname, 1e-3),
          center: field<boolean>(c, 'center', isBool, 'true or false', lname, true),
          scale: field<boolean>(c, 'scale', isBool, 'true or false', lname, true),
          betaInitializer: initializerFromConfig(c.beta_initializer, 'zeros'),
          gammaInitializer: initializerFromConfig(c.gamma_initializer, 'ones'),
          movingMeanInitializer: initializerFromConfig(c.moving_mean_initializer, 'zeros'),
          movingVarianceInitializer: initializerFromConfig(c.moving_variance_initializer, 'ones'),
        });
        break;
      }
      case 'Activation':
        layer = new Activation({ ...common, activation: activation(c.activation, lname) });
        break;
      case 'Dropout':
        layer = new Dropout({ ...common, rate: field<number>(c, 'rate', isNum, 'a number', lname) });
        break;
      case 'Conv2D':
        windowOptions(c, lname, 'dilation_rate');
        if (c.groups !== undefined && c.groups !== null && c.groups !== 1) bad(`layer '${lname}': groups ${JSON.stringify(c.groups)} is not supported (1 only)`);
        layer = new Conv2D({
          ...common,
          filters: field<number>(c, 'filters', (v) => isInt(v) && (v as number) > 0, 'a positive integer', lname),
          kernelSize: field<[number, number]>(c, 'kernel_size', isSize, 'a positive integer or a pair of them', lname),
          strides: field<[number, number]>(c, 'strides', isSize, 'a positive integer or a pair of them', lname, [1, 1]),
          padding: field<'valid' | 'same'>(c, 'padding', isPadding, "'valid' or 'same'", lname, 'valid'),
          activation: activation(c.activation ?? 'linear', lname),
          useBias: field<boolean>(c, 'use_bias', isBool, 'true or false', lname, true),
          kernelInitializer: initializerFromConfig(c.kernel_initializer, 'glorotUniform'),
          biasInitializer: initializerFromConfig(c.bias_initializer, 'zeros'),
        });
        break;
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        windowOptions(c, lname);
        const poolSize = field<[number, number]>(c, 'pool_size', isSize, 'a positive integer or a pair of them', lname, [2, 2]);
        const args = {
          ...common,
          poolSize,
          strides: field<[number, number]>(c, 'strides', isSize, 'a positive integer or a pair of them', lname, poolSize),
          padding: field<'valid' | 'same'>(c, 'padding', isPadding, "'valid' or 'same'", lname, 'valid'),
        };
        layer = cls === 'MaxPooling2D' ? new MaxPooling2D(args) : new AveragePooling2D(args);
        break;
      }
      case 'GlobalAveragePooling2D':
        windowOptions(c, lname);
        if (c.keepdims === true) bad(`layer '${lname}': keepdims: true is not supported`);
        layer = new GlobalAveragePooling2D(common);
        break;
      case 'Flatten':
        windowOptions(c, lname);
        layer = new Flatten(common);
        break;
      case 'Reshape':
        layer = new Reshape({ ...common, targetShape: field<number[]>(c, 'target_shape', Array.isArray, 'an array of integers', lname) });
        break;
      default:
        bad(`unknown layer class '${cls}' (layers[${i}]); bnwasm reads Dense, BatchNormalization, Activation, Dropout, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, Reshape and InputLayer`);
    }
    needed += weightCount(layer, model.outputShape ?? layer.declaredInputShape);
    if (needed > maxWeights) {
      bad(`layer '${layer.name}' needs more weights than the weight data holds (${needed} floats up to this layer, the data has ${maxWeights}): weights.bin does not belong to this model.json`);
    }
    model.add(layer);
  });
  if (!model.built) bad('the first layer has no batch_input_shape, so the model cannot be built');
  return model;
}
