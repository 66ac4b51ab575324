import { boolean, integer, knownKeys, nonEmptyString, number, oneOf } from '../util/validate.js';
import { ACTIVATIONS, activationFromFile, type Activation } from './activations.js';
import { checkConstraint, constraintConfig, constraintFromConfig, type Constraint } from './constraints.js';
import { checkRegularizer, regularizerConfig, regularizerFromConfig, type Regularizer } from './regularizers.js';
import { checkInitializer, initializerConfig, initializerFromConfig, type Initializer } from './initializers.js';
import { checkInputShape } from './shape.js';

/**
 * One option of a layer's configuration, declared once: how a user's value is checked (the error names
 * the option), its default (none: the option is required), and how it is written to model.json and read
 * back (camelCase here; the file is snake_cased on save and read back through the same names).
 */
export interface Option<T, Required extends boolean = boolean> {
  readonly required: Required;
  readonly default?: T;
  check(value: unknown, what: string): T;
  /** The value as model.json holds it (default: as is). */
  save?(value: T): unknown;
  /** A value from model.json as a constructor argument (default: as is; check() then validates it). */
  load?(json: unknown): unknown;
}

export type Options = Record<string, Option<unknown>>;
type ValueOf<O> = O extends Option<infer T> ? T : never;
type RequiredKeys<O extends Options> = { [K in keyof O]: O[K] extends Option<unknown, true> ? K : never }[keyof O];

/** What every layer takes besides its own options. */
export interface CommonArgs {
  inputShape?: number[];
  name?: string;
  trainable?: boolean;
}

/** A layer's constructor arguments, derived from its options: required ones mandatory, the rest optional. */
export type ArgsOf<O extends Options> =
  { [K in RequiredKeys<O>]: ValueOf<O[K]> } & { [K in Exclude<keyof O, RequiredKeys<O>>]?: ValueOf<O[K]> } & CommonArgs;

/** The checked configuration a built layer exposes as read-only fields (dense.units, bn.momentum, ...). */
export type ConfigOf<O extends Options> = { readonly [K in keyof O]: ValueOf<O[K]> };

type Extra<T> = Pick<Option<T>, 'save' | 'load'>;
const required = <T>(check: (v: unknown, what: string) => T, extra: Extra<T> = {}): Option<T, true> =>
  ({ ...extra, required: true, check });
const optional = <T>(fallback: T, check: (v: unknown, what: string) => T, extra: Extra<T> = {}): Option<T, false> =>
  ({ ...extra, required: false, default: fallback, check });

/** Option kinds the layers share. */
export const option = {
  /** An integer >= min (required when no default is given). */
  integer: (min: number, fallback?: number) => fallback === undefined
    ? required((v, what) => integer(v, what, min))
    : optional(fallback, (v, what) => integer(v, what, min)),
  /** Any integer (an axis). Keras writes a one-axis list as [n]; it is read back as n. */
  axis: (fallback: number) => optional(fallback, (v, what) => integer(v, what),
    { load: (v) => (Array.isArray(v) && v.length === 1 ? v[0] : v) }),
  /** A finite number satisfying `ok` (required when no default is given). */
  number: (ok: (v: number) => boolean, expected: string, fallback?: number) => fallback === undefined
    ? required((v, what) => number(v, what, ok, expected))
    : optional(fallback, (v, what) => number(v, what, ok, expected)),
  /** A finite number satisfying `ok`, or null for none (the default; model.json writes null). */
  numberOrNull: (ok: (v: number) => boolean, expected: string) =>
    optional<number | null>(null, (v, what) => (v === null ? null : number(v, what, ok, expected))),
  boolean: (fallback: boolean) => optional(fallback, (v, what) => boolean(v, what)),
  /** An activation name (required when no default is given). */
  activation: (fallback: Activation) => optional(fallback, (v, what) => oneOf(v, what, ACTIVATIONS), { load: activationFromFile }),
  requiredActivation: () => required((v, what) => oneOf(v, what, ACTIVATIONS), { load: activationFromFile }),
  /** A weight penalty (bw.regularizers, 'l1', 'l2', 'l1l2') or null, written as TF.js's { class_name: 'L1L2', config }. */
  regularizer: () => optional<Regularizer | null>(null, checkRegularizer, { save: regularizerConfig, load: regularizerFromConfig }),
  /** A weight constraint (bw.constraints, 'maxNorm', 'minMaxNorm', 'nonNeg', 'unitNorm') or null, written as TF.js's { class_name, config }. */
  constraint: () => optional<Constraint | null>(null, checkConstraint, { save: constraintConfig, load: constraintFromConfig }),
  /** An initializer name, written as TF.js's { class_name, config }; one we cannot read back loads as the default. */
  initializer: (fallback: Initializer) => optional(fallback, checkInitializer,
    { save: initializerConfig, load: (v) => initializerFromConfig(v, fallback) }),
};

/** A layer class's declaration: its Keras class name, its factory name (errors), its options, fixed file keys. */
export interface LayerDef<O extends Options = Options> {
  /** The Keras/TF.js class name, as model.json spells it. */
  readonly className: string;
  /** The bw.layers factory, which prefixes argument errors ('dense: units: ...'). */
  readonly factory: string;
  readonly options: O;
  /** Keys TF.js writes for this class that bnwasm does not support, saved with these constant values. */
  readonly fixed?: Record<string, unknown>;
  /**
   * When given, every key Keras and TF.js write for this class is known: its options, its fixed keys, the keys
   * of every layer (name, dtype, ...) and these, each with the one value bnwasm implements (only Keras writes
   * them, so they are not saved). Loading refuses any other key that holds a value, and any other value of
   * these, so a setting bnwasm does not have is never dropped silently.
   */
  readonly fileKeys?: Record<string, unknown>;
  /** Keys a file may hold with any value, since none changes what bnwasm computes (BatchNormalization's synchronized). */
  readonly harmlessKeys?: readonly string[];
  /** Other names files give an option, read as that option (Keras 3's negativeSlope for LeakyReLU's alpha). */
  readonly fileAliases?: Record<string, string>;
}

/** Names the Layer base uses itself: options become fields of the layer, so none may take one of these. */
const RESERVED = ['inputShape', 'name', 'trainable', 'className', 'outputShape', 'declaredInputShape', 'def', 'params', 'built'];

export function defineLayer<O extends Options>(def: LayerDef<O>): LayerDef<O> {
  const clash = Object.keys(def.options).filter((k) => RESERVED.includes(k));
  if (clash.length) throw new Error(`defineLayer ${def.className}: option ${clash.join(', ')} would hide the Layer field of that name`);
  return def;
}

/**
 * A layer's constructor arguments checked against its declaration: unknown keys refused, every option
 * checked (or its default taken), and the arguments every layer takes (inputShape, name, trainable).
 */
export function readArgs(def: LayerDef, args: unknown): {
  settings: Readonly<Record<string, unknown>>; inputShape: number[] | null; name: string | undefined; trainable: boolean;
} {
  const f = def.factory, keys = Object.keys(def.options);
  knownKeys(args as object | undefined, f, [...keys, 'inputShape', 'name', 'trainable']);
  const a = (args ?? {}) as Record<string, unknown>;
  const needed = keys.filter((k) => def.options[k].required);
  if (args === undefined && needed.length) throw new Error(`${f}: expected an options object with ${needed.join(', ')}, got undefined`);
  const settings: Record<string, unknown> = {};
  for (const key of keys) {
    const o = def.options[key];
    settings[key] = a[key] === undefined && !o.required ? o.default : o.check(a[key], `${f}: ${key}`);
  }
  return {
    settings: Object.freeze(settings),
    inputShape: checkInputShape(a.inputShape, f)?.slice() ?? null,
    name: a.name === undefined ? undefined : nonEmptyString(a.name, `${f}: name`),
    trainable: a.trainable === undefined ? true : boolean(a.trainable, `${f}: trainable`),
  };
}

/** The options a kernel-and-bias layer (Dense, Conv2D) declares alike, in Keras's order (after its own sizes). */
export function kernelBiasOptions() {
  return {
    activation: option.activation('linear'),
    useBias: option.boolean(true),
    kernelInitializer: option.initializer('glorotUniform'),
    biasInitializer: option.initializer('zeros'),
    kernelRegularizer: option.regularizer(),
    biasRegularizer: option.regularizer(),
    activityRegularizer: option.regularizer(),
    kernelConstraint: option.constraint(),
    biasConstraint: option.constraint(),
  };
}
