import { integer, knownKeys, number, show } from '../util/validate.js';

/**
 * Weight constraints as Keras applies them: after every optimizer update, the weight is replaced by
 * constraint(weight). Norms are L2 norms over `axis` (for a Dense kernel [inputs, units], axis 0 is each
 * unit's incoming weights); ε = 1e-7 keeps a zero norm finite, as Keras's backend epsilon. (TF.js declares
 * the same constraints but applies them only when weights are set, not during training.)
 */
export type ConstraintName = 'MaxNorm' | 'MinMaxNorm' | 'NonNeg' | 'UnitNorm';
const EPSILON = 1e-7;

export class Constraint {
  constructor(readonly className: ConstraintName, readonly maxValue = 2, readonly axis = 0, readonly minValue = 0, readonly rate = 1) {}

  getConfig(): Record<string, number> {
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
    const axis = this.axis < 0 ? shape.length + this.axis : this.axis;
    if (axis < 0 || axis >= shape.length) {
      throw new Error(`constraint ${this.className}: axis ${this.axis} does not exist in a weight of shape [${shape.join(', ')}]`);
    }
    const n = shape[axis], inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1), outer = w.length / (n * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let sq = 0;
        for (let j = 0; j < n; j++) sq += w[(o * n + j) * inner + i] ** 2;
        const norm = Math.sqrt(sq);
        const scale = this.desiredNorm(norm) / (EPSILON + norm);
        for (let j = 0; j < n; j++) w[(o * n + j) * inner + i] *= scale;
      }
    }
  }

  /** The norm a slice of L2 norm `norm` is rescaled to. */
  private desiredNorm(norm: number): number {
    if (this.className === 'UnitNorm') return 1;
    if (this.className === 'MaxNorm') return Math.min(norm, this.maxValue);
    return this.rate * Math.min(Math.max(norm, this.minValue), this.maxValue) + (1 - this.rate) * norm;
  }
}

/** bw.constraints: Keras/TF.js names and defaults. */
export const constraints = {
  maxNorm: (args: { maxValue?: number; axis?: number } = {}) => {
    knownKeys(args, 'constraints.maxNorm', ['maxValue', 'axis']);
    return new Constraint('MaxNorm', number(args.maxValue ?? 2, 'constraints.maxNorm: maxValue', (v) => v > 0, 'a number > 0'),
      integer(args.axis ?? 0, 'constraints.maxNorm: axis'));
  },
  /** Norms moved into [minValue, maxValue]: rate 1 clips them, a smaller rate moves them that fraction of the way. */
  minMaxNorm: (args: { minValue?: number; maxValue?: number; rate?: number; axis?: number } = {}) => {
    knownKeys(args, 'constraints.minMaxNorm', ['minValue', 'maxValue', 'rate', 'axis']);
    const minValue = number(args.minValue ?? 0, 'constraints.minMaxNorm: minValue', (v) => v >= 0, 'a number >= 0');
    const maxValue = number(args.maxValue ?? 1, 'constraints.minMaxNorm: maxValue', (v) => v >= minValue, `a number >= minValue (${minValue})`);
    const rate = number(args.rate ?? 1, 'constraints.minMaxNorm: rate', (v) => v >= 0 && v <= 1, 'a number in [0, 1]');
    return new Constraint('MinMaxNorm', maxValue, integer(args.axis ?? 0, 'constraints.minMaxNorm: axis'), minValue, rate);
  },
  nonNeg: () => new Constraint('NonNeg'),
  unitNorm: (args: { axis?: number } = {}) => {
    knownKeys(args, 'constraints.unitNorm', ['axis']);
    return new Constraint('UnitNorm', 2, integer(args.axis ?? 0, 'constraints.unitNorm: axis'));
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
  if (cls === 'MaxNorm') return constraints.maxNorm({ maxValue: (c.max_value ?? 2) as number, axis: (c.axis ?? 0) as number });
  if (cls === 'MinMaxNorm') {
    return constraints.minMaxNorm({ minValue: (c.min_value ?? 0) as number, maxValue: (c.max_value ?? 1) as number,
      rate: (c.rate ?? 1) as number, axis: (c.axis ?? 0) as number });
  }
  if (cls === 'NonNeg') return constraints.nonNeg();
  if (cls === 'UnitNorm') return constraints.unitNorm({ axis: (c.axis ?? 0) as number });
  return json;
}
