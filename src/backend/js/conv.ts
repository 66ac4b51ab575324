import type { Act, F32 } from '../kernels.js';
import { activate } from './activation.js';
import type { Window2D } from '../window2d.js';
import type { View } from './view.js';

/**
 * im2col/col2im and pooling, plain TypeScript: the baseline twins of assembly/conv/ (same layouts, same
 * window order, same tie and NaN rules; see those files). Spec: test/reference/conv.ts, pool.ts.
 */

/** The in-image offsets [k0, k1) of a window that starts at `start` on an axis of `size`. */
const inside = (start: number, k: number, size: number): [number, number] => [Math.max(0, -start), Math.min(k, size - start)];

export function im2col(v: View, g: Window2D, x: F32, col: F32): void {
  const X = v(x), C = v(col), ch = g.channels;
  let o = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        const iy0 = oy * g.strideH - g.padTop, ix0 = ox * g.strideW - g.padLeft;
        for (let ky = 0; ky < g.kH; ky++) {
          const iy = iy0 + ky;
          for (let kx = 0; kx < g.kW; kx++) {
            const ix = ix0 + kx, at = ((b * g.inH + iy) * g.inW + ix) * ch;
            const valid = iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW;
            for (let c = 0; c < ch; c++) C[o++] = valid ? X[at + c] : 0;
          }
        }
      }
    }
  }
}

export function col2im(v: View, g: Window2D, col: F32, dx: F32): void {
  const C = v(col), D = v(dx), ch = g.channels;
  D.fill(0);
  let o = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        const iy0 = oy * g.strideH - g.padTop, ix0 = ox * g.strideW - g.padLeft;
        for (let ky = 0; ky < g.kH; ky++) {
          const iy = iy0 + ky;
          for (let kx = 0; kx < g.kW; kx++, o += ch) {
            const ix = ix0 + kx;
            if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) continue;
            const at = ((b * g.inH + iy) * g.inW + ix) * ch;
            for (let c = 0; c < ch; c++) D[at + c] += C[o + c];
          }
        }
      }
    }
  }
}

/** Direct convolution: per output pixel, bias plus every in-image tap, then the activation. */
export function conv2dDirect(v: View, g: Window2D, outC: number, x: F32, w: F32, bias: F32 | null, y: F32, act: Act): void {
  const X = v(x), W = v(w), Y = v(y), B = bias ? v(bias) : null, ch = g.channels;
  let o = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      const iy0 = oy * g.strideH - g.padTop, [ky0, ky1] = inside(iy0, g.kH, g.inH);
      for (let ox = 0; ox < g.outW; ox++, o += outC) {
        const ix0 = ox * g.strideW - g.padLeft, [kx0, kx1] = inside(ix0, g.kW, g.inW);
        for (let f = 0; f < outC; f++) Y[o + f] = B ? B[f] : 0;
        for (let ky = ky0; ky < ky1; ky++) {
          for (let kx = kx0; kx < kx1; kx++) {
            const at = ((b * g.inH + iy0 + ky) * g.inW + ix0 + kx) * ch, wt = (ky * g.kW + kx) * ch * outC;
            for (let c = 0; c < ch; c++) {
              const xv = X[at + c], wr = wt + c * outC;
              for (let f = 0; f < outC; f++) Y[o + f] += xv * W[wr + f];
            }
          }
        }
      }
    }
  }
  activate(act, Y, Y, Y.length);
}

/**
 * Calls visit(out, window) for every output position, where window lists the x offsets (channel 0) of
 * its in-image positions in window order.
 */
function eachWindow(g: Window2D, visit: (out: number, window: number[]) => void): void {
  const ch = g.channels, window: number[] = [];
  for (let b = 0, out = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      const iy0 = oy * g.strideH - g.padTop, [ky0, ky1] = inside(iy0, g.kH, g.inH);
      for (let ox = 0; ox < g.outW; ox++, out += ch) {
        const ix0 = ox * g.strideW - g.padLeft, [kx0, kx1] = inside(ix0, g.kW, g.inW);
        window.length = 0;
        for (let ky = ky0; ky < ky1; ky++) {
          for (let kx = kx0; kx < kx1; kx++) window.push(((b * g.inH + iy0 + ky) * g.inW + ix0 + kx) * ch);
        }
        visit(out, window);
      }
    }
  }
}

/** The window position of the maximum: first one wins ties; the first NaN beats everything. */
function argmax(X: Float32Array, window: number[], c: number): number {
  let best = X[window[0] + c], at = window[0];
  for (let i = 1; i < window.length; i++) {
    const value = X[window[i] + c];
    if (value > best || (value !== value && best === best)) { best = value; at = window[i]; }
  }
  return at + c;
}

export function maxPool(v: View, g: Window2D, x: F32, y: F32): void {
  const X = v(x), Y = v(y);
  eachWindow(g, (out, window) => {
    for (let c = 0; c < g.channels; c++) Y[out + c] = X[argmax(X, window, c)];
  });
}

export function maxPoolBackward(v: View, g: Window2D, x: F32, dy: F32, dx: F32): void {
  const X = v(x), G = v(dy), D = v(dx);
  D.fill(0);
  eachWindow(g, (out, window) => {
    for (let c = 0; c < g.channels; c++) D[argmax(X, window, c)] += G[out + c];
  });
}

export function avgPool(v: View, g: Window2D, x: F32, y: F32): void {
  const X = v(x), Y = v(y);
  eachWindow(g, (out, window) => {
    for (let c = 0; c < g.channels; c++) {
      let s = 0;
      for (const at of window) s = Math.fround(s + X[at + c]);
      Y[out + c] = s / window.length;
    }
  });
}

export function avgPoolBackward(v: View, g: Window2D, dy: F32, dx: F32): void {
  const G = v(dy), D = v(dx);
  D.fill(0);
  eachWindow(g, (out, window) => {
    for (let c = 0; c < g.channels; c++) {
      const share = Math.fround(G[out + c] / window.length);
      for (const at of window) D[at + c] += share;
    }
  });
}
