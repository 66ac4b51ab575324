/**
 * 2-D convolution, float64, computed directly (no im2col): the spec for src/backend/conv2d.ts and
 * assembly/conv/f32-im2col.ts. NHWC x [batch, inH, inW, C], kernel w [kH, kW, C, outC] (TF's layout):
 *   y[b, oy, ox, o] = act(bias[o] + Σ_{ky, kx, c} x[b, oy·sH − padTop + ky, ox·sW − padLeft + kx, c]·w[ky, kx, c, o])
 * with positions outside the image contributing 0 ('same' padding). Backward to input and to the filter
 * are the adjoints of the sum (before the activation). Also returns mag = Σ |x·w| + |bias|, the scale of
 * a float32 rounding error.
 */
import type { Window2D } from '../../src/backend/window2d.js';
import { act, type ActName } from './activation.js';

/** Calls f(xAt, wAt, yAt) for every multiply-add of the convolution (flat indices, outC = 1 units). */
function eachTap(g: Window2D, outC: number, f: (xAt: number, wAt: number, yAt: number) => void): void {
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        const yAt = ((b * g.outH + oy) * g.outW + ox) * outC;
        for (let ky = 0; ky < g.kH; ky++) {
          const iy = oy * g.strideH - g.padTop + ky;
          if (iy < 0 || iy >= g.inH) continue;
          for (let kx = 0; kx < g.kW; kx++) {
            const ix = ox * g.strideW - g.padLeft + kx;
            if (ix < 0 || ix >= g.inW) continue;
            for (let c = 0; c < g.channels; c++) {
              f(((b * g.inH + iy) * g.inW + ix) * g.channels + c, ((ky * g.kW + kx) * g.channels + c) * outC, yAt);
            }
          }
        }
      }
    }
  }
}

export function conv2d(g: Window2D, outC: number, x: ArrayLike<number>, w: ArrayLike<number>,
  bias: ArrayLike<number> | null, activation: ActName): { y: Float64Array; mag: Float64Array } {
  const n = g.batch * g.outH * g.outW * outC;
  const z = new Float64Array(n), mag = new Float64Array(n);
  for (let i = 0; i < n; i++) { z[i] = bias ? bias[i % outC] : 0; mag[i] = Math.abs(z[i]); }
  eachTap(g, outC, (xi, wi, yi) => {
    for (let o = 0; o < outC; o++) {
      const p = x[xi] * w[wi + o];
      z[yi + o] += p;
      mag[yi + o] += Math.abs(p);
    }
  });
  return { y: act(activation, z), mag };
}

/** dx = ∂(Σ dy ⊙ conv(x, w))/∂x, and its magnitude Σ |dy·w|. */
export function conv2dBackwardInput(g: Window2D, outC: number, dy: ArrayLike<number>, w: ArrayLike<number>) {
  const n = g.batch * g.inH * g.inW * g.channels;
  const dx = new Float64Array(n), mag = new Float64Array(n);
  eachTap(g, outC, (xi, wi, yi) => {
    for (let o = 0; o < outC; o++) {
      const p = dy[yi + o] * w[wi + o];
      dx[xi] += p;
      mag[xi] += Math.abs(p);
    }
  });
  return { dx, mag };
}

/** dw = ∂(Σ dy ⊙ conv(x, w))/∂w, and its magnitude Σ |x·dy|. */
export function conv2dBackwardFilter(g: Window2D, outC: number, x: ArrayLike<number>, dy: ArrayLike<number>) {
  const n = g.kH * g.kW * g.channels * outC;
  const dw = new Float64Array(n), mag = new Float64Array(n);
  eachTap(g, outC, (xi, wi, yi) => {
    for (let o = 0; o < outC; o++) {
      const p = x[xi] * dy[yi + o];
      dw[wi + o] += p;
      mag[wi + o] += Math.abs(p);
    }
  });
  return { dw, mag };
}
