/**
 * Shared pieces of the convolution and pooling kernels: small copies and fills on float runs (memory.copy
 * and memory.fill are calls into the engine, too slow for the 3-float runs of a 3×3 kernel on one channel;
 * the < 4 floats left after the v128 steps go one by one, cheaper than assembling a partial vector),
 * and the in-image part of a window (the sliding-window geometry is src/backend/window2d.ts).
 */

/** dst[0:n] = src[0:n] (floats; byte addresses; no overlap). */
// @ts-ignore: decorator
@inline export function copyF32(dst: usize, src: usize, n: i32): void {
  const full = <usize>(n & ~3) << 2, end = <usize>n << 2;
  for (let o: usize = 0; o < full; o += 16) v128.store(dst + o, v128.load(src + o));
  for (let o = full; o < end; o += 4) store<f32>(dst + o, load<f32>(src + o));
}

/** dst[0:n] = 0. */
// @ts-ignore: decorator
@inline export function zeroF32(dst: usize, n: i32): void {
  const full = <usize>(n & ~3) << 2, end = <usize>n << 2, z = f32x4.splat(0);
  for (let o: usize = 0; o < full; o += 16) v128.store(dst + o, z);
  for (let o = full; o < end; o += 4) store<f32>(dst + o, 0);
}

/** dst[0:n] += src[0:n]. */
// @ts-ignore: decorator
@inline export function addF32(dst: usize, src: usize, n: i32): void {
  const full = <usize>(n & ~3) << 2, end = <usize>n << 2;
  for (let o: usize = 0; o < full; o += 16) v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  for (let o = full; o < end; o += 4) store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
}

/** First window offset inside [0, size) for a window starting at `start`: max(0, −start). */
// @ts-ignore: decorator
@inline export function first(start: i32): i32 {
  return max(0, -start);
}

/** One past the last window offset inside the image: min(k, size − start). */
// @ts-ignore: decorator
@inline export function last(start: i32, k: i32, size: i32): i32 {
  return min(k, size - start);
}
