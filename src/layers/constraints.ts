import { fail, integer, knownKeys, number, show } from '../util/validate.js';

/**
 * Weight constraints as Keras applies them: after every optimizer update, the weight is replaced by
 * constraint(weight). Norms are L2 norms over `axis` (for a Dense kernel [inputs, units], axis 0 is each
 * unit's incoming weights), or over several axes together (a Conv2D kernel's [0, 1, 2]: one norm per
 * filter); ε = 1e-7 keeps a zero norm finite, as Keras's backend epsilon. (TF.js declares the same
 * constraints but applies them only when weights are set, not during training.)
 */
export type ConstraintName = 'MaxNorm' | 'MinMaxNorm' | 'NonNeg' | 'UnitNorm';
const EPSILON = 1e-7;

/** One axis, or several whose elements share one norm (Keras's list form). */
export type ConstraintAxis = number | readonly number[];

export class Constraint {
  constructor(readonly className: ConstraintName, readonly maxValue = 2, readonly axis: ConstraintAxis = 0, readonly minValue = 0, readonly rate = 1) {}

  getConfig(): Record<string, number | readonly number[]> {
    if (this.className === 'NonNeg') return {};
    if (this.className === 'UnitNorm') return { axis: this.axis };
    if (this.className === 'MinMaxNorm') return { minValue: this.minValue, maxValue: this.maxValue, rate: this.rate, axis: this.axis };
    return { maxValue: this.maxValue, axis: this.axis };
  }

  /** Applies the constraint in place to a weight of `shape` (row-major). */
  apply(w: Float32Array, shape: number[]): void {
    if (this.className === 'NonNeg') {
      for (let i = 0; i < w.length; i++) if (w[i] < 0) w[i] = 0;
      return;
    }
    const reduced = this.axesIn(shape);
    // every element is a group's start plus an offset along the reduced axes: one norm per group
    const strides = shape.map((_, a) => shape.slice(a + 1).reduce((x, y) => x * y, 1));
    const offsets = (axes: number[]) => axes.reduce((acc, a) => acc.flatMap((o) => Array.from({ length: shape[a] }, (_, k) => o + k * strides[a])), [0]);
    const within = offsets(reduced), starts = offsets(shape.map((_, a) => a).filter((a) => !reduced.includes(a)));
    for (const start of starts) {
      let sq = 0;
      for (const o of within) sq += w[start + o] ** 2;
      const norm = Math.sqrt(sq);
      const scale = this.desiredNorm(norm) / (EPSILON + norm);
      for (const o of within) w[start + o] *= scale;
    }
  }

  /** The axes of a weight of `shape` the norm runs over, negative ones counted from the end. */
  private axesIn(shape: number[]): number[] {
    const given = typeof this.axis === 'number' ? [this.axis] : this.axis;
    const axes = given.map((a) => (a < 0 ? shape.length + a : a));
    const where = `constraint ${this.className}: axis ${JSON.stringify(this.axis)}`;
    if (axes.some((a) => a < 0 || a >= shape.length)) throw new Error(`${where} does not exist in a weight of shape [${shape.join(', ')}]`);
    if (new Set(axes).size < axes.length) throw new Error(`${where} names one axis twice in a weight of shape [${shape.join(', ')}]`);
    return axes;
  }

  /** The norm a slice of L2 norm `norm` is rescaled to. */
  private desiredNorm(norm: number): number {
    if (this.className === 'UnitNorm') return 1;
    if (this.className === 'MaxNorm') return Math.min(norm, this.maxValue);
    return this.rate * Math.min(Math.max(norm, this.minValue), this.maxValue) + (1 - this.rate) * norm;
  }
}

/** A constraint's axis argument: an integer, or a non-empty list of distinct integers (a copy, frozen). */
function checkAxis(value: unknown, what: string): ConstraintAxis {
  if (!Array.isArray(value)) return integer(value, what);
  if (value.length === 0) fail(what, 'an integer or a non-empty list of integers', value);
  value.forEach((a, i) => integer(a, `${what}[${i}]`));
  if (new Set(value).size < value.length) fail(what, 'a list of distinct axes', value);
  return Object.freeze([...value as number[]]);
}

/** bw.constraints: Keras/TF.js names and defaults. */
export const constraints = {
  maxNorm: (args: { maxValue?: number; axis?: number | number[] } = {}) => {
    knownKeys(args, 'constraints.maxNorm', ['maxValue', 'axis']);
    return new Constraint('MaxNorm', number(args.maxValue ?? 2, 'constraints.maxNorm: maxValue', (v) => v > 0, 'a number > 0'),
      checkAxis(args.axis ?? 0, 'constraints.maxNorm: axis'));
  },
  /** Norms moved into [minValue, maxValue]: rate 1 clips them, a smaller rate moves them that fraction of the way. */
  minMaxNorm: (args: { minValue?: number; maxValue?: number; rate?: number; axis?: number | number[] } = {}) => {
    knownKeys(args, 'constraints.minMaxNorm', ['minValue', 'maxValue', 'rate', 'axis']);
    const minValue = number(args.minValue ?? 0, 'constraints.minMaxNorm: minValue', (v) => v >= 0, 'a number >= 0');
    const maxValue = number(args.maxValue ?? 1, 'constraints.minMaxNorm: maxValue', (v) => v >= minValue, `a number >= minValue (${minValue})`);
    const rate = number(args.rate ?? 1, 'constraints.minMaxNorm: rate', (v) => v >= 0 && v <= 1, 'a number in [0, 1]');
    return new Constraint('MinMaxNorm', maxValue, checkAxis(args.axis ?? 0, 'constraints.minMaxNorm: axis'), minValue, rate);
  },
  nonNeg: () => new Constraint('NonNeg'),
  unitNorm: (args: { axis?: number | number[] } = {}) => {
    knownKeys(args, 'constraints.unitNorm', ['axis']);
    return new Constraint('UnitNorm', 2, checkAxis(args.axis ?? 0, 'constraints.unitNorm: axis'));
  },
};

/** A layer option's value: a Constraint, one of 'maxNorm', 'minMaxNorm', 'nonNeg', 'unitNorm' (defaults), or null. */
export function checkConstraint(value: unknown, what: string): Constraint | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Constraint) return value;
  if (value === 'maxNorm' || value === 'minMaxNorm' || value === 'nonNeg' || value === 'unitNorm') return constraints[value]();
  throw new Error(`${what}: expected a constraint from bw.constraints (maxNorm, minMaxNorm, nonNeg, unitNorm), one of their names, or null; got ${show(value)}${
    value && typeof value === 'object' && 'class_name' in value ? ' (bnwasm reads the constraint classes MaxNorm, MinMaxNorm, NonNeg and UnitNorm)' : ''}`);
}

/** A constraint as model.json holds it (TF.js's { class_name, config }). */
export const constraintConfig = (c: Constraint | null) => (c ? { className: c.className, config: c.getConfig() } : null);

/** model.json's { class_name, config } as a Constraint; anything else is passed on for checkConstraint to reject. */
export function constraintFromConfig(json: unknown): unknown {
  if (!json || typeof json !== 'object') return json;
  const { class_name: cls, config } = json as { class_name?: unknown; config?: Record<string, unknown> };
  const c = config ?? {};
  if (cls === 'MaxNorm') return constraints.maxNorm({ maxValue: (c.max_value ?? 2) as number, axis: (c.axis ?? 0) as number | number[] });
  if (cls === 'MinMaxNorm') {
    return constraints.minMaxNorm({ minValue: (c.min_value ?? 0) as number, maxValue: (c.max_value ?? 1) as number,
      rate: (c.rate ?? 1) as number, axis: (c.axis ?? 0) as number | number[] });
  }
  if (cls === 'NonNeg') return constraints.nonNeg();
  if (cls === 'UnitNorm') return constraints.unitNorm({ axis: (c.axis ?? 0) as number | number[] });
  return json;
}
