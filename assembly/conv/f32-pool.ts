/**
 * Max and average pooling over NHWC images, forward and backward, vectorised across channels (4 per v128).
 * Windows leave out padded positions (TF): max is over the positions inside the image; the average divides
 * by their count.  y is batch × outH × outW × C; dx is overwritten (overlapping windows add up).
 * Max: the first maximum in window order (row by row) wins ties and takes the gradient (TF.js); a NaN in
 * the window is the maximum (the first NaN, so NaN propagates; TF.js's CPU kernel skips NaN instead).
 * Window arguments: see src/backend/window2d.ts. Byte addresses. Must match test/reference/pool.ts.
 */
import { loadN, storeN } from '../common/simd';
import { first, last, zeroF32 } from './window';

/**
 * Backward writes each dx element once, instead of adding into a zeroed dx, when no two windows overlap
 * (stride ≥ window on both axes); only positions no window covers (a gap, a last row left over) still
 * need the zeroing, which is skipped too when the windows tile the image exactly (2×2/2 on even sizes).
 */
// @ts-ignore: decorator
@inline function disjoint(kH: i32, kW: i32, strideH: i32, strideW: i32): bool {
  return strideH >= kH && strideW >= kW;
}

// @ts-ignore: decorator
@inline function tiles(inH: i32, inW: i32, outH: i32, outW: i32, kH: i32, kW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32): bool {
  return strideH == kH && strideW == kW && padTop == 0 && padLeft == 0 && outH * kH == inH && outW * kW == inW;
}

/** v > best, or v is the window's first NaN. */
// @ts-ignore: decorator
@inline function beats(v: v128, best: v128): v128 {
  return v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
}

export function f32_max_pool(batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, x: usize, y: usize): void {
  const pixel = <usize>channels << 2, row = <usize>inW * pixel;
  let out = y;
  for (let b = 0; b < batch; b++) {
    const image = x + <usize>b * inH * row;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padTop, ky0 = first(iy0), ky1 = last(iy0, kH, inH);
      for (let ox = 0; ox < outW; ox++, out += pixel) {
        const ix0 = ox * strideW - padLeft, kx0 = first(ix0), kx1 = last(ix0, kW, inW);
        const corner = image + <usize>(iy0 + ky0) * row + <usize>(ix0 + kx0) * pixel;
        for (let c = 0; c < channels; c += 4) {
          const w = min(4, channels - c), at = corner + (<usize>c << 2);
          let best = loadN(at, w);
          for (let ky = ky0; ky < ky1; ky++) {
            const r = at + <usize>(ky - ky0) * row;
            for (let kx = kx0; kx < kx1; kx++) {
              const v = loadN(r + <usize>(kx - kx0) * pixel, w);
              best = v128.bitselect(v, best, beats(v, best));
            }
          }
          storeN(out + (<usize>c << 2), best, w);
        }
      }
    }
  }
}

/** dx = the gradient of f32_max_pool: each dy goes to its window's maximum (found again from x). */
export function f32_max_pool_bwd(batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, x: usize, dy: usize, dx: usize): void {
  const pixel = <usize>channels << 2, row = <usize>inW * pixel;
  const once = disjoint(kH, kW, strideH, strideW);
  if (!once || !tiles(inH, inW, outH, outW, kH, kW, strideH, strideW, padTop, padLeft)) zeroF32(dx, batch * inH * inW * channels);
  let grad = dy;
  for (let b = 0; b < batch; b++) {
    const offset = <usize>b * inH * row;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padTop, ky0 = first(iy0), ky1 = last(iy0, kH, inH);
      for (let ox = 0; ox < outW; ox++, grad += pixel) {
        const ix0 = ox * strideW - padLeft, kx0 = first(ix0), kx1 = last(ix0, kW, inW);
        const corner = offset + <usize>(iy0 + ky0) * row + <usize>(ix0 + kx0) * pixel;
        for (let c = 0; c < channels; c += 4) {
          const w = min(4, channels - c), at = corner + (<usize>c << 2);
          // per lane: the window position (counted in order) of the maximum
          let best = loadN(x + at, w), where = i32x4.splat(0), n = 0;
          for (let ky = ky0; ky < ky1; ky++) {
            const r = x + at + <usize>(ky - ky0) * row;
            for (let kx = kx0; kx < kx1; kx++, n++) {
              const v = loadN(r + <usize>(kx - kx0) * pixel, w), won = beats(v, best);
              best = v128.bitselect(v, best, won);
              where = v128.bitselect(i32x4.splat(n), where, won);
            }
          }
          const g = loadN(grad + (<usize>c << 2), w);
          n = 0;
          for (let ky = ky0; ky < ky1; ky++) {
            const r = dx + at + <usize>(ky - ky0) * row;
            for (let kx = kx0; kx < kx1; kx++, n++) {
              const p = r + <usize>(kx - kx0) * pixel, share = v128.and(g, i32x4.eq(where, i32x4.splat(n)));
              storeN(p, once ? share : f32x4.add(loadN(p, w), share), w);
            }
          }
        }
      }
    }
  }
}

export function f32_avg_pool(batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, x: usize, y: usize): void {
  const pixel = <usize>channels << 2, row = <usize>inW * pixel;
  let out = y;
  for (let b = 0; b < batch; b++) {
    const image = x + <usize>b * inH * row;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padTop, ky0 = first(iy0), ky1 = last(iy0, kH, inH);
      for (let ox = 0; ox < outW; ox++, out += pixel) {
        const ix0 = ox * strideW - padLeft, kx0 = first(ix0), kx1 = last(ix0, kW, inW);
        const corner = image + <usize>(iy0 + ky0) * row + <usize>(ix0 + kx0) * pixel;
        const count = f32x4.splat(<f32>((ky1 - ky0) * (kx1 - kx0)));
        for (let c = 0; c < channels; c += 4) {
          const w = min(4, channels - c), at = corner + (<usize>c << 2);
          let sum = f32x4.splat(0);
          for (let ky = ky0; ky < ky1; ky++) {
            const r = at + <usize>(ky - ky0) * row;
            for (let kx = kx0; kx < kx1; kx++) sum = f32x4.add(sum, loadN(r + <usize>(kx - kx0) * pixel, w));
          }
          storeN(out + (<usize>c << 2), f32x4.div(sum, count), w);
        }
      }
    }
  }
}

/** dx = the gradient of f32_avg_pool: dy / count added to every position of its window inside the image. */
export function f32_avg_pool_bwd(batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, dy: usize, dx: usize): void {
  const pixel = <usize>channels << 2, row = <usize>inW * pixel;
  const once = disjoint(kH, kW, strideH, strideW);
  if (!once || !tiles(inH, inW, outH, outW, kH, kW, strideH, strideW, padTop, padLeft)) zeroF32(dx, batch * inH * inW * channels);
  let grad = dy;
  for (let b = 0; b < batch; b++) {
    const image = dx + <usize>b * inH * row;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padTop, ky0 = first(iy0), ky1 = last(iy0, kH, inH);
      for (let ox = 0; ox < outW; ox++, grad += pixel) {
        const ix0 = ox * strideW - padLeft, kx0 = first(ix0), kx1 = last(ix0, kW, inW);
        const corner = image + <usize>(iy0 + ky0) * row + <usize>(ix0 + kx0) * pixel;
        const count = f32x4.splat(<f32>((ky1 - ky0) * (kx1 - kx0)));
        for (let c = 0; c < channels; c += 4) {
          const w = min(4, channels - c), at = corner + (<usize>c << 2);
          const g = f32x4.div(loadN(grad + (<usize>c << 2), w), count);
          for (let ky = ky0; ky < ky1; ky++) {
            const r = at + <usize>(ky - ky0) * row;
            for (let kx = kx0; kx < kx1; kx++) {
              const p = r + <usize>(kx - kx0) * pixel;
              storeN(p, once ? g : f32x4.add(loadN(p, w), g), w);
            }
          }
        }
      }
    }
  }
}
