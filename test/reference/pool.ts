/**
 * Max and average pooling, float64: the spec for assembly/conv/f32-pool.ts. NHWC; each window covers
 * only its positions inside the image (TF's 'same' padding leaves the padded ones out).
 *   max: the first maximum in window order (row by row); a NaN is larger than everything (the first NaN).
 *   avg: the mean over the window's in-image positions.
 * Backward: the gradient of each output goes to its max position / is shared equally (dy / count).
 */
import type { Window2D } from '../../src/backend/window2d.js';

/** For each output element (flat index), the flat x indices of its window in window order. */
export function windows(g: Window2D): number[][] {
  const out: number[][] = [];
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        for (let c = 0; c < g.channels; c++) {
          const w: number[] = [];
          for (let ky = 0; ky < g.kH; ky++) {
            const iy = oy * g.strideH - g.padTop + ky;
            for (let kx = 0; kx < g.kW; kx++) {
              const ix = ox * g.strideW - g.padLeft + kx;
              if (iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW) w.push(((b * g.inH + iy) * g.inW + ix) * g.channels + c);
            }
          }
          out.push(w);
        }
      }
    }
  }
  return out;
}

function argmax(x: ArrayLike<number>, w: number[]): number {
  let at = w[0];
  for (const i of w) {
    if (Number.isNaN(x[i])) return i;
    if (!Number.isNaN(x[at]) && x[i] > x[at]) at = i;
  }
  return at;
}

export function maxPool(g: Window2D, x: ArrayLike<number>): Float64Array {
  return Float64Array.from(windows(g), (w) => x[argmax(x, w)]);
}

export function maxPoolBackward(g: Window2D, x: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  const dx = new Float64Array(g.batch * g.inH * g.inW * g.channels);
  windows(g).forEach((w, o) => { dx[argmax(x, w)] += dy[o]; });
  return dx;
}

export function avgPool(g: Window2D, x: ArrayLike<number>): Float64Array {
  return Float64Array.from(windows(g), (w) => w.reduce((s, i) => s + x[i], 0) / w.length);
}

export function avgPoolBackward(g: Window2D, dy: ArrayLike<number>): Float64Array {
  const dx = new Float64Array(g.batch * g.inH * g.inW * g.channels);
  windows(g).forEach((w, o) => { for (const i of w) dx[i] += dy[o] / w.length; });
  return dx;
}
