/**
 * f32_conv2d: direct 2-D convolution with the fused bias + activation, for few input channels, where
 * im2col + GEMM loses: each output pixel's patch is only kH·kW·C floats, so copying it into col and
 * packing it again costs as much as the multiply-adds.
 *   y[b, oy, ox, f] = act(bias[f] + Σ_{ky, kx, c} x[b, oy·sH − padTop + ky, ox·sW − padLeft + kx, c]·w[ky, kx, c, f])
 * over the in-image taps. x NHWC, w [kH, kW, C, outC], bias outC or 0, y [batch, outH, outW, outC].
 * Vectorised across output channels, 8 at a time (two v128 accumulators; the last < 8 with partial loads),
 * two output pixels per step where their taps are the same (interior), so each weight load feeds 4 FMAs.
 * Window arguments: see src/backend/window2d.ts. Byte addresses. Must match test/reference/conv.ts.
 */
import { loadN, madd, storeN } from '../common/simd';
import { actv } from '../vunary/act-v128';
import { first, last } from './window';

export function f32_conv2d(batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, outC: i32, x: usize, w: usize, bias: usize, y: usize, act: i32): void {
  const pixel = <usize>channels << 2, row = <usize>inW * pixel, wTap = <usize>outC << 2, out = <usize>outC << 2;
  let dst = y;
  for (let b = 0; b < batch; b++) {
    const image = x + <usize>b * inH * row;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padTop, ky0 = first(iy0), ky1 = last(iy0, kH, inH);
      let ox = 0;
      for (; ox < outW; ox++, dst += out) {
        const ix0 = ox * strideW - padLeft, kx0 = first(ix0), kx1 = last(ix0, kW, inW);
        // a pair of pixels with the whole window row inside the image: both see the same taps
        if (ox + 1 < outW && kx0 == 0 && kx1 == kW && ix0 + strideW + kW <= inW) {
          pair(image, row, pixel, iy0, ix0, strideW, ky0, ky1, kW, channels, outC, w, wTap, bias, dst, out, act);
          ox++; dst += out;
          continue;
        }
        single(image, row, pixel, iy0, ix0, ky0, ky1, kx0, kx1, kW, channels, outC, w, wTap, bias, dst, act);
      }
    }
  }
}

/** One output pixel: every block of 8 output channels over the in-image taps. */
function single(image: usize, row: usize, pixel: usize, iy0: i32, ix0: i32, ky0: i32, ky1: i32, kx0: i32, kx1: i32,
  kW: i32, channels: i32, outC: i32, w: usize, wTap: usize, bias: usize, dst: usize, act: i32): void {
  for (let f = 0; f < outC; f += 8) {
    const n0 = min(4, outC - f), n1 = min(4, outC - f - 4), fb = <usize>f << 2;
    let acc0 = bias ? loadN(bias + fb, n0) : f32x4.splat(0), acc1 = bias && n1 > 0 ? loadN(bias + fb + 16, n1) : f32x4.splat(0);
    for (let ky = ky0; ky < ky1; ky++) {
      for (let kx = kx0; kx < kx1; kx++) {
        let px = image + <usize>(iy0 + ky) * row + <usize>(ix0 + kx) * pixel;
        let wp = w + <usize>((ky * kW + kx) * channels) * wTap + fb;
        for (let c = 0; c < channels; c++, px += 4, wp += wTap) {
          const xv = v128.load_splat<f32>(px);
          acc0 = madd(xv, loadN(wp, n0), acc0);
          if (n1 > 0) acc1 = madd(xv, loadN(wp + 16, n1), acc1);
        }
      }
    }
    storeN(dst + fb, actv(act, acc0), n0);
    if (n1 > 0) storeN(dst + fb + 16, actv(act, acc1), n1);
  }
}

/** Two horizontally adjacent output pixels whose window rows are wholly inside the image. */
function pair(image: usize, row: usize, pixel: usize, iy0: i32, ix0: i32, strideW: i32, ky0: i32, ky1: i32, kW: i32,
  channels: i32, outC: i32, w: usize, wTap: usize, bias: usize, dst: usize, out: usize, act: i32): void {
  const next = <usize>strideW * pixel;
  for (let f = 0; f < outC; f += 8) {
    const n0 = min(4, outC - f), n1 = min(4, outC - f - 4), fb = <usize>f << 2;
    const b0 = bias ? loadN(bias + fb, n0) : f32x4.splat(0), b1 = bias && n1 > 0 ? loadN(bias + fb + 16, n1) : f32x4.splat(0);
    let a0 = b0, a1 = b1, c0 = b0, c1 = b1;
    for (let ky = ky0; ky < ky1; ky++) {
      let px = image + <usize>(iy0 + ky) * row + <usize>ix0 * pixel;
      let wp = w + <usize>(ky * kW * channels) * wTap + fb;
      // the kW·C taps of one kernel row are contiguous in x (pixel after pixel)
      for (let t = 0, taps = kW * channels; t < taps; t++, px += 4, wp += wTap) {
        const w0 = loadN(wp, n0), w1 = n1 > 0 ? loadN(wp + 16, n1) : f32x4.splat(0);
        const xa = v128.load_splat<f32>(px), xb = v128.load_splat<f32>(px + next);
        a0 = madd(xa, w0, a0); a1 = madd(xa, w1, a1);
        c0 = madd(xb, w0, c0); c1 = madd(xb, w1, c1);
      }
    }
    storeN(dst + fb, actv(act, a0), n0);
    if (n1 > 0) storeN(dst + fb + 16, actv(act, a1), n1);
    storeN(dst + out + fb, actv(act, c0), n0);
    if (n1 > 0) storeN(dst + out + fb + 16, actv(act, c1), n1);
  }
}
