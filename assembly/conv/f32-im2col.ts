/**
 * f32_im2col: the patches of NHWC images as the rows of a matrix, so a convolution is one GEMM.
 *   col[(b·outH + oy)·outW + ox, (ky·kW + kx)·C + c] = x[b, oy·sH − padTop + ky, ox·sW − padLeft + kx, c]
 *   (0 where that falls in the padding).  col is (batch·outH·outW) × (kH·kW·C), row-major.
 * Then conv(x, W) = col · W with W [kH, kW, C, outC] read as a (kH·kW·C) × outC matrix (TF's layout).
 * f32_col2im: the adjoint: dx = 0, then every col element is added back to the pixel it came from
 * (the gradient of im2col; padding entries are dropped). Overwrites dx.
 * Window arguments: see src/backend/window2d.ts. Byte addresses. Must match test/reference/conv.ts.
 */
import { addF32, copyF32, first, last, zeroF32 } from './window';

export function f32_im2col(batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, x: usize, col: usize): void {
  const run = kW * channels, runBytes = <usize>run << 2, pixel = <usize>channels << 2;
  let dst = col;
  for (let b = 0; b < batch; b++) {
    const image = x + <usize>b * inH * inW * pixel;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - padLeft, kx0 = first(ix0), kx1 = last(ix0, kW, inW);
        for (let ky = 0; ky < kH; ky++, dst += runBytes) {
          const iy = iy0 + ky;
          if (iy < 0 || iy >= inH || kx0 >= kx1) { zeroF32(dst, run); continue; }
          // one kernel row: kx0..kx1 are contiguous pixels of image row iy
          if (kx0 > 0) zeroF32(dst, kx0 * channels);
          copyF32(dst + <usize>kx0 * pixel, image + (<usize>iy * inW + ix0 + kx0) * pixel, (kx1 - kx0) * channels);
          if (kx1 < kW) zeroF32(dst + <usize>kx1 * pixel, (kW - kx1) * channels);
        }
      }
    }
  }
}

export function f32_col2im(batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32, kH: i32, kW: i32,
  strideH: i32, strideW: i32, padTop: i32, padLeft: i32, col: usize, dx: usize): void {
  const runBytes = <usize>(kW * channels) << 2, pixel = <usize>channels << 2;
  zeroF32(dx, batch * inH * inW * channels);
  let src = col;
  for (let b = 0; b < batch; b++) {
    const image = dx + <usize>b * inH * inW * pixel;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - padLeft, kx0 = first(ix0), kx1 = last(ix0, kW, inW);
        for (let ky = 0; ky < kH; ky++, src += runBytes) {
          const iy = iy0 + ky;
          if (iy < 0 || iy >= inH || kx0 >= kx1) continue;
          addF32(image + (<usize>iy * inW + ix0 + kx0) * pixel, src + <usize>kx0 * pixel, (kx1 - kx0) * channels);
        }
      }
    }
  }
}
