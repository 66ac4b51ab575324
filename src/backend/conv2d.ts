/**
 * 2-D convolution (NHWC, kernel [kH, kW, inC, outC], TF's layout) on any kernel set. Read as a matrix,
 * the kernel is (kH·kW·inC) × outC, so with col = im2col(x) (the patches as rows):
 *   forward            y  = act(col · W + bias)       (the GEMM's fused epilogue; large GEMMs go to the threads)
 *   backward to filter dW = colᵀ · dy
 *   backward to input  dx = col2im(dy · Wᵀ)
 * A 1×1 window with stride 1 and no padding needs no im2col: col is x itself. With fewer than 3 input
 * channels the forward pass runs the direct kernel instead (conv2dDirect): a patch is then only kH·kW·inC
 * floats, and copying it into col and packing it again for the GEMM cost more than its multiply-adds
 * (measured on TF.js's MNIST network: 28×28×1 → 8 filters 3×3 runs about 2× faster direct; with 8 input
 * channels the GEMM is 1.3–2× faster, with 3 they tie). `work(n)` hands out scratch floats.
 * Spec: test/reference/conv.ts
 */
import type { Act, F32, Kernels } from './kernels.js';
import { im2colIsIdentity, type Window2D } from './window2d.js';

/** Rows and columns of col (the GEMM's m and k). */
export function colShape(g: Window2D): [number, number] {
  return [g.batch * g.outH * g.outW, g.kH * g.kW * g.channels];
}

/** Whether the forward pass runs the direct kernel (see the file comment). */
export function runsDirect(g: Window2D): boolean {
  return g.channels < 3 && !im2colIsIdentity(g);
}

/** col for x: x itself for the identity window, else im2col into work. */
export function im2colOf(k: Kernels, g: Window2D, x: F32, work: (n: number) => F32): F32 {
  if (im2colIsIdentity(g)) return x;
  const [m, kk] = colShape(g), col = work(m * kk);
  k.im2col(g, x, col);
  return col;
}

/**
 * y = act(conv(x, w) + bias) into y ([batch, outH, outW, outC]). Returns col (to keep for
 * conv2dBackwardFilter), or null when the direct kernel ran and no col exists.
 */
export function conv2d(k: Kernels, g: Window2D, outC: number, x: F32, w: F32, bias: F32 | null, y: F32, act: Act,
  work: (n: number) => F32): F32 | null {
  if (runsDirect(g)) {
    k.conv2dDirect(g, outC, x, w, bias, y, act);
    return null;
  }
  const [m, kk] = colShape(g), col = im2colOf(k, g, x, work);
  k.dense(m, outC, kk, col, w, bias, y, act);
  return col;
}

/** dW = colᵀ · dy (overwrites dw); col as conv2d returned it, or null to build it from x here. */
export function conv2dBackwardFilter(k: Kernels, g: Window2D, outC: number, x: F32, col: F32 | null, dy: F32, dw: F32,
  work: (n: number) => F32): void {
  const [m, kk] = colShape(g);
  k.gemm(kk, outC, m, col ?? im2colOf(k, g, x, work), dy, dw, 'tn', false);
}

/** dx = the gradient of conv2d's x for dy (overwrites dx). */
export function conv2dBackwardInput(k: Kernels, g: Window2D, outC: number, dy: F32, w: F32, dx: F32, work: (n: number) => F32): void {
  const [m, kk] = colShape(g);
  if (im2colIsIdentity(g)) { k.gemm(m, kk, outC, dy, w, dx, 'nt', false); return; }
  const dcol = work(m * kk);
  k.gemm(m, kk, outC, dy, w, dcol, 'nt', false);
  k.col2im(g, dcol, dx);
}
