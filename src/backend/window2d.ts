/**
 * Where a 2-D window (a convolution kernel or a pooling window) lands on NHWC images: the shape every
 * convolution and pooling kernel takes. Output sizes and padding follow TF/Keras:
 *   'valid': out = ⌊(in − k)/stride⌋ + 1, no padding (in ≥ k);
 *   'same':  out = ⌈in/stride⌉, total pad = max((out − 1)·stride + k − in, 0), the smaller half before.
 * Padded positions hold zeros for a convolution and are left out of a pooling window (max ignores them,
 * average divides by the positions inside the image), as in TF.
 */
export interface Window2D {
  readonly batch: number;
  readonly inH: number;
  readonly inW: number;
  /** Input channels (the innermost axis of x). */
  readonly channels: number;
  readonly outH: number;
  readonly outW: number;
  readonly kH: number;
  readonly kW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padTop: number;
  readonly padLeft: number;
}

export type Padding = 'valid' | 'same';

/** One axis of the TF rule above: [out, padBefore]; out is 0 when a 'valid' window does not fit. */
export function windowAxis(size: number, k: number, stride: number, padding: Padding): [number, number] {
  if (padding === 'valid') return [size >= k ? Math.floor((size - k) / stride) + 1 : 0, 0];
  const out = Math.ceil(size / stride);
  return [out, Math.floor(Math.max((out - 1) * stride + k - size, 0) / 2)];
}

/** The window geometry for `batch` images of [inH, inW, channels]. */
export function window2d(batch: number, [inH, inW, channels]: readonly number[], [kH, kW]: readonly number[],
  [strideH, strideW]: readonly number[], padding: Padding): Window2D {
  const [outH, padTop] = windowAxis(inH, kH, strideH, padding);
  const [outW, padLeft] = windowAxis(inW, kW, strideW, padding);
  return { batch, inH, inW, channels, outH, outW, kH, kW, strideH, strideW, padTop, padLeft };
}

/** True when im2col would copy x unchanged (1×1 window, stride 1, no padding): the GEMM then reads x itself. */
export function im2colIsIdentity(g: Window2D): boolean {
  return g.kH === 1 && g.kW === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0;
}

/** The geometry as the WASM exports take it (dims first, in this order). */
export function windowArgs(g: Window2D): [number, number, number, number, number, number, number, number, number, number, number, number] {
  return [g.batch, g.inH, g.inW, g.channels, g.outH, g.outW, g.kH, g.kW, g.strideH, g.strideW, g.padTop, g.padLeft];
}
