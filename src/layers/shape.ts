/** A layer's `inputShape` argument: positive integers, without the batch dimension (absent is fine). */
export function checkInputShape(shape: unknown, layer: string): number[] | undefined {
  if (shape === undefined || shape === null) return undefined;
  if (!Array.isArray(shape) || shape.length < 1 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`${layer}: inputShape must be an array of positive integers (without the batch dimension), got ${JSON.stringify(shape)}`);
  }
  return shape;
}

/** The number of floats in one sample of this shape. */
export const sizeOfShape = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * The vectors along the last axis in a batch of `rows` samples of `shape` (no batch axis): rows times every
 * other axis. A Dense layer's GEMM rows, a softmax's or a loss's rows: always from the batch size, never
 * from a buffer's length.
 */
export const lastAxisRows = (rows: number, shape: readonly number[]): number => rows * sizeOfShape(shape.slice(0, -1));
