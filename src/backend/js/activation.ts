import type { Act, F32 } from '../kernels.js';
import type { View } from './view.js';

/** y = act(x) on the first n elements (y may be x). Spec: test/reference/activation.ts */
export function activate(act: Act, x: Float32Array, y: Float32Array, n: number): void {
  switch (act) {
    case 'linear': if (x !== y) y.set(x.subarray(0, n)); return;
    case 'relu': for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0; return;
    case 'sigmoid': for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-x[i])); return;
    case 'tanh': for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]); return;
  }
}

export function activation(v: View, n: number, x: F32, y: F32, act: Act): void {
  activate(act, v(x), v(y), n);
}

/** dx = dy · act'(·), expressed through the output y. */
export function activationBackward(v: View, n: number, y: F32, dy: F32, dx: F32, act: Act): void {
  const Y = v(y), DY = v(dy), DX = v(dx);
  switch (act) {
    case 'linear': if (dx.ptr !== dy.ptr) DX.set(DY); return;
    case 'relu': for (let i = 0; i < n; i++) DX[i] = Y[i] > 0 ? DY[i] : 0; return;
    case 'sigmoid': for (let i = 0; i < n; i++) DX[i] = DY[i] * Y[i] * (1 - Y[i]); return;
    case 'tanh': for (let i = 0; i < n; i++) DX[i] = DY[i] * (1 - Y[i] * Y[i]); return;
  }
}
