import { knownKeys, number, show } from '../util/validate.js';

/**
 * A weight penalty, l1·Σ|w| + l2·Σw², added to the loss (and its gradient to the weight's) at every
 * training step, as Keras's L1, L2 and L1L2 regularizers. Written to model.json as TF.js does
 * ({ class_name: 'L1L2', config: { l1, l2 } }); Keras's L1 and L2 files read back too.
 */
export class Regularizer {
  readonly className = 'L1L2';
  constructor(readonly l1: number, readonly l2: number) {}
  getConfig() { return { l1: this.l1, l2: this.l2 }; }
}

const rate = (who: string, v: unknown) => number(v, who, (x) => x >= 0, 'a number >= 0');

/** bw.regularizers: Keras's defaults (0.01). */
export const regularizers = {
  l1: (args: { l1?: number } = {}) => { knownKeys(args, 'regularizers.l1', ['l1']); return new Regularizer(rate('regularizers.l1: l1', args.l1 ?? 0.01), 0); },
  l2: (args: { l2?: number } = {}) => { knownKeys(args, 'regularizers.l2', ['l2']); return new Regularizer(0, rate('regularizers.l2: l2', args.l2 ?? 0.01)); },
  l1l2: (args: { l1?: number; l2?: number } = {}) => {
    knownKeys(args, 'regularizers.l1l2', ['l1', 'l2']);
    return new Regularizer(rate('regularizers.l1l2: l1', args.l1 ?? 0.01), rate('regularizers.l1l2: l2', args.l2 ?? 0.01));
  },
};

export type RegularizerLike = Regularizer | 'l1' | 'l2' | 'l1l2' | null;

/** A layer option's value: a Regularizer, one of the names 'l1', 'l2', 'l1l2' (defaults), or null. */
export function checkRegularizer(value: unknown, what: string): Regularizer | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Regularizer) return value;
  if (value === 'l1' || value === 'l2' || value === 'l1l2') return regularizers[value]();
  throw new Error(`${what}: expected a regularizer from bw.regularizers (l1, l2, l1l2), one of 'l1', 'l2', 'l1l2', or null; got ${show(value)}${
    value && typeof value === 'object' && 'class_name' in value ? ' (bnwasm reads the regularizer classes L1, L2 and L1L2)' : ''}`);
}

/** A regularizer as model.json holds it. */
export const regularizerConfig = (r: Regularizer | null) => (r ? { className: r.className, config: r.getConfig() } : null);

/** model.json's { class_name, config } as a Regularizer; anything else is passed on for checkRegularizer to reject. */
export function regularizerFromConfig(json: unknown): unknown {
  if (!json || typeof json !== 'object') return json;
  const { class_name: cls, config } = json as { class_name?: unknown; config?: Record<string, unknown> };
  const c = config ?? {};
  if (cls === 'L1L2') return new Regularizer(rate('l1', c.l1 ?? 0), rate('l2', c.l2 ?? 0));
  if (cls === 'L1') return new Regularizer(rate('l1', c.l1 ?? 0.01), 0);
  if (cls === 'L2') return new Regularizer(0, rate('l2', c.l2 ?? 0.01));
  return json;
}
