/**
 * A plain JS tensor: float32 values, row-major, and a shape. Tensors live on the JS heap (data crosses
 * into the WASM memory once per batch, inside the model), so the garbage collector reclaims them;
 * dispose() only lets go of the values early and makes later reads throw, as in TF.js.
 */
export type NestedArray = number | NestedArray[];
export type TensorLike = Tensor | Float32Array | number[] | NestedArray[];

export class Tensor {
  readonly shape: number[];
  readonly size: number;
  private held: Float32Array | null;

  /** @internal use bw.tensor() */
  constructor(values: Float32Array, shape: number[]) {
    this.held = values;
    this.shape = shape;
    this.size = values.length;
  }

  /** @internal the values (owned; dataSync() hands out copies); throws once the tensor is disposed */
  get values(): Float32Array {
    if (!this.held) throw new Error(`Tensor is disposed: this ${this.toString()} was disposed and can no longer be read`);
    return this.held;
  }

  /** Whether dispose() was called. */
  get isDisposed(): boolean {
    return this.held === null;
  }

  /**
   * Lets go of the values (the garbage collector frees them once nothing else refers to them); any later
   * read of this tensor throws. Disposing twice is allowed.
   */
  dispose(): void {
    this.held = null;
  }

  /** The values as dataSync() returns them, through a Promise (TF.js's async reader; nothing here is pending). */
  data(): Promise<Float32Array> {
    try {
      return Promise.resolve(this.dataSync());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The nested arrays arraySync() returns, through a Promise. */
  array(): Promise<NestedArray> {
    try {
      return Promise.resolve(this.arraySync());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  get rank(): number {
    return this.shape.length;
  }

  /** A copy of the values, row-major. */
  dataSync(): Float32Array {
    return this.values.slice();
  }

  /** The values as nested number arrays (a number for a scalar). */
  arraySync(): NestedArray {
    const values = this.values;
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return values[offset];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}])`;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as Float32Array).length}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return typeof value;
}

export const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function checkShape(shape: unknown, name: string): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`${name}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return shape as number[];
}

/** Infers the shape of a nested array and flattens it, rejecting ragged and non-numeric input. */
function flatten(values: NestedArray[], name: string): { flat: Float32Array; shape: number[] } {
  const shape: number[] = [];
  for (let level: unknown = values; Array.isArray(level); level = level[0]) shape.push(level.length);
  const flat = new Float32Array(sizeOf(shape));
  let k = 0;
  const walk = (node: unknown, dim: number, path: string) => {
    if (dim === shape.length) {
      if (typeof node !== 'number') {
        throw new Error(`${name}: expected a number at ${path || 'the top'}, got ${describe(node)}`);
      }
      flat[k++] = node;
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[dim]) {
      throw new Error(`${name}: ragged array: expected ${shape[dim]} entries at ${path || 'the top'} (shape [${shape.join(', ')}]), got ${describe(node)}`);
    }
    node.forEach((child, i) => walk(child, dim + 1, `${path}[${i}]`));
  };
  walk(values, 0, '');
  return { flat, shape };
}

/**
 * bw.tensor(values, shape?): values are a Float32Array, a flat number array (with a shape) or nested
 * arrays (the shape is inferred and, when given, must agree).
 */
export function tensor(values: TensorLike, shape?: number[], name = 'tensor'): Tensor {
  if (values instanceof Tensor) {
    if (shape === undefined) return values;
    return tensor(values.values, shape, name);
  }
  let flat: Float32Array;
  let inferred: number[];
  if (values instanceof Float32Array || values instanceof Float64Array || values instanceof Int32Array ||
      values instanceof Uint8Array) {
    flat = Float32Array.from(values as ArrayLike<number>);
    inferred = [flat.length];
  } else if (Array.isArray(values)) {
    if (shape !== undefined && values.every((v) => typeof v === 'number')) {
      flat = Float32Array.from(values as number[]);
      inferred = [flat.length];
    } else {
      ({ flat, shape: inferred } = flatten(values as NestedArray[], name));
    }
  } else if (typeof values === 'number') {
    flat = Float32Array.of(values);
    inferred = [];
  } else {
    throw new Error(`${name}: values must be a Float32Array, a number array or nested number arrays, got ${describe(values)}`);
  }
  if (shape === undefined) return new Tensor(flat, inferred);
  const s = checkShape(shape, name);
  if (sizeOf(s) !== flat.length) {
    throw new Error(`${name}: shape [${s.join(', ')}] needs ${sizeOf(s)} values, got ${flat.length}`);
  }
  if (inferred.length > 1 && inferred.join() !== s.join()) {
    throw new Error(`${name}: shape [${s.join(', ')}] does not match the nested array's shape [${inferred.join(', ')}]`);
  }
  return new Tensor(flat, [...s]);
}

/** Coerces a user argument to a Tensor, naming the argument in errors. */
export function toTensor(x: unknown, name: string): Tensor {
  if (x instanceof Tensor) return x;
  if (x === undefined || x === null) throw new Error(`${name}: expected a Tensor or nested number array, got ${describe(x)}`);
  return tensor(x as TensorLike, undefined, name);
}
