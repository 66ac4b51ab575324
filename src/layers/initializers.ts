import { rng } from '../util/rng.js';
import { oneOf } from '../util/validate.js';

/** Keras initializer names (TF.js spelling). Fan-in and fan-out as Keras computes them (fans below). */
export const INITIALIZERS = ['zeros', 'ones', 'glorotUniform', 'glorotNormal', 'heNormal', 'heUniform'] as const;
export type Initializer = (typeof INITIALIZERS)[number];

// Keras's VarianceScaling divides by the std of a unit normal truncated at ±2 so the variance is as asked.
const TRUNCATED_STD = 0.87962566103423978;

export function checkInitializer(value: unknown, name: string): Initializer {
  return oneOf(value, name, INITIALIZERS);
}

/**
 * Keras's fans of a weight shape: [in, out] for a Dense kernel; for a convolution kernel
 * [..., in, out] each is multiplied by the receptive field (the product of the leading axes);
 * a vector's are its length.
 */
export function fans(shape: number[]): [number, number] {
  if (shape.length <= 2) return [shape[0] ?? 1, shape[shape.length - 1] ?? 1];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

export function initialize(kind: Initializer, out: Float32Array, shape: number[]): void {
  const [fanIn, fanOut] = fans(shape);
  switch (kind) {
    case 'zeros': out.fill(0); return;
    case 'ones': out.fill(1); return;
    case 'glorotUniform': return uniform(out, Math.sqrt(6 / (fanIn + fanOut)));
    case 'heUniform': return uniform(out, Math.sqrt(6 / fanIn));
    case 'glorotNormal': return truncated(out, Math.sqrt(2 / (fanIn + fanOut)) / TRUNCATED_STD);
    case 'heNormal': return truncated(out, Math.sqrt(2 / fanIn) / TRUNCATED_STD);
  }
}

function uniform(out: Float32Array, limit: number): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
}

function truncated(out: Float32Array, std: number): void {
  for (let i = 0; i < out.length; i++) out[i] = std * rng.truncatedNormal();
}

/** TF.js/Keras serialization of our initializer names. */
export function initializerConfig(kind: Initializer): { class_name: string; config: Record<string, unknown> } {
  switch (kind) {
    case 'zeros': return { class_name: 'Zeros', config: {} };
    case 'ones': return { class_name: 'Ones', config: {} };
    case 'glorotUniform': return varianceScaling(1, 'fan_avg', 'uniform');
    case 'glorotNormal': return varianceScaling(1, 'fan_avg', 'normal');
    case 'heUniform': return varianceScaling(2, 'fan_in', 'uniform');
    case 'heNormal': return varianceScaling(2, 'fan_in', 'normal');
  }
}

const varianceScaling = (scale: number, mode: string, distribution: string) =>
  ({ class_name: 'VarianceScaling', config: { scale, mode, distribution, seed: null } });

/** Reads a serialized initializer back; anything else becomes the layer's default (weights are loaded anyway). */
export function initializerFromConfig(c: unknown, fallback: Initializer): Initializer {
  const cfg = c as { class_name?: string; config?: { scale?: number; mode?: string; distribution?: string } } | null;
  switch (cfg?.class_name) {
    case 'Zeros': return 'zeros';
    case 'Ones': return 'ones';
    case 'GlorotUniform': return 'glorotUniform';
    case 'GlorotNormal': return 'glorotNormal';
    case 'HeUniform': return 'heUniform';
    case 'HeNormal': return 'heNormal';
    case 'VarianceScaling': {
      const { scale, mode, distribution } = cfg.config ?? {};
      const normal = distribution !== 'uniform';
      if (scale === 1 && mode === 'fan_avg') return normal ? 'glorotNormal' : 'glorotUniform';
      if (scale === 2 && mode === 'fan_in') return normal ? 'heNormal' : 'heUniform';
      return fallback;
    }
    default: return fallback;
  }
}
