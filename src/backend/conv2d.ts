/**
 * 2-D convolution (NHWC, kernel [kH, kW, inC, outC], TF's layout) as im2col + the packed GEMM, on any
 * kernel set. Read as a matrix, the kernel is (kH·kW·inC) × outC, so with col = im2col(x):
 *   forward            y  = act(col · W + bias)       (the GEMM's fused epilogue; large GEMMs go to the threads)
 *   backward to filter dW = colᵀ · dy                 (col kept from the forward pass)
 *   backward to input  dx = col2im(dy · Wᵀ)
 * A 1×1 window with stride 1 and no padding skips im2col: col is x itself.
 * Why not a direct convolution: see bench/cnn.bench.mjs (the GEMM's register tile does 2·6·8 flops per
 * broadcast; the im2col copy costs one pass over kH·kW·inC floats per output pixel). Spec: test/reference/conv.ts
 */
import type { Act, F32, Kernels } from './kernels.js';
import { im2colIsIdentity, type Window2D } from './window2d.js';

/** Rows and columns of col (the GEMM's m and k). */
export function colShape(g: Window2D): [number, number] {
  return [g.batch * g.outH * g.outW, g.kH * g.kW * g.channels];
}

/** Floats of col this geometry needs (0: the GEMM reads x directly). */
export function colLength(g: Window2D): number {
  if (im2colIsIdentity(g)) return 0;
  const [m, k] = colShape(g);
  return m * k;
}

/**
 * y = act(conv(x, w) + bias): writes col (colLength(g) floats, kept for conv2dBackwardFilter) and y
 * ([batch, outH, outW, outC]). Returns what the GEMM read as col (x itself for the identity window).
 */
export function conv2d(k: Kernels, g: Window2D, outC: number, x: F32, w: F32, bias: F32 | null, col: F32 | null,
  y: F32, act: Act): F32 {
  const [m, kk] = colShape(g);
  const a = im2colIsIdentity(g) ? x : col!;
  if (a !== x) k.im2col(g, x, a);
  k.dense(m, outC, kk, a, w, bias, act, y);
  return a;
}

/** dW = colᵀ · dy (overwrites dw); col as conv2d returned it. */
export function conv2dBackwardFilter(k: Kernels, g: Window2D, outC: number, col: F32, dy: F32, dw: F32): void {
  const [m, kk] = colShape(g);
  k.gemm('tn', kk, outC, m, col, dy, dw, false);
}

/** dx = the gradient of conv2d's x for dy (overwrites dx); dcol is colLength(g) floats of workspace. */
export function conv2dBackwardInput(k: Kernels, g: Window2D, outC: number, dy: F32, w: F32, dcol: F32 | null, dx: F32): void {
  const [m, kk] = colShape(g);
  if (im2colIsIdentity(g)) { k.gemm('nt', m, kk, outC, dy, w, dx, false); return; }
  k.gemm('nt', m, kk, outC, dy, w, dcol!, false);
  k.col2im(g, dcol!, dx);
}
