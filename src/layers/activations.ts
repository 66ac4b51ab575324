import type { Act, UnaryOp } from '../backend/kernels.js';
import { oneOf } from '../util/validate.js';

/**
 * Activation names a layer accepts. 'softmax' runs over the last axis; linear, relu, sigmoid and tanh are
 * fused into Dense's GEMM; the rest run as their own element-wise kernel (f32_unary) after it.
 */
export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'gelu', 'swish', 'softplus',
  'softsign', 'hardSigmoid', 'leakyRelu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Keras 3's negative slope of the 'leaky_relu' activation (TF.js's tf.leakyRelu default too). */
export const LEAKY_RELU_ALPHA = 0.2;

export function checkActivation(value: unknown, name: string): Activation {
  return oneOf(value, name, ACTIVATIONS);
}

/** An activation name as model.json writes it (snake_case, Keras aliases) back to bnwasm's name. */
export function activationFromFile(value: unknown): unknown {
  if (value === 'hard_sigmoid') return 'hardSigmoid';
  if (value === 'leaky_relu') return 'leakyRelu';
  if (value === 'silu') return 'swish';
  return value;
}

/** The kernel of a non-fused activation and its α, or null for the fused ones and softmax. */
export function unaryOf(a: Activation): { op: UnaryOp; alpha: number } | null {
  switch (a) {
    case 'elu': return { op: 'elu', alpha: 1 };
    case 'leakyRelu': return { op: 'leakyRelu', alpha: LEAKY_RELU_ALPHA };
    case 'selu': case 'gelu': case 'swish': case 'softplus': case 'softsign': case 'hardSigmoid': return { op: a, alpha: 0 };
    default: return null;
  }
}

/** The code Dense's fused epilogue runs: the activation itself, or linear for softmax and the non-fused ones. */
export const elementwise = (a: Activation): Act =>
  (a === 'linear' || a === 'relu' || a === 'sigmoid' || a === 'tanh' ? a : 'linear');
