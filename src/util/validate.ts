/** Argument checks that name the argument, the expectation and what came. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  try { return JSON.stringify(value) ?? typeof value; } catch { return typeof value; }
}

export function fail(name: string, expected: string, got: unknown): never {
  throw new Error(`${name}: expected ${expected}, got ${show(got)}`);
}

export function integer(value: unknown, name: string, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = min === -Infinity ? '' : max === Infinity ? ` >= ${min}` : ` in [${min}, ${max}]`;
    fail(name, `an integer${range}`, value);
  }
  return value;
}

export function number(value: unknown, name: string, check: (v: number) => boolean, expected: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) fail(name, expected, value);
  return value;
}

export function boolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') fail(name, 'true or false', value);
  return value;
}

export function nonEmptyString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') fail(name, 'a non-empty string', value);
  return value;
}

export function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) fail(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  return value as T;
}

/** Rejects misspelt option names, the most common silent bug in options objects. */
export function knownKeys(args: object | undefined, name: string, allowed: readonly string[]): void {
  if (args === undefined) return;
  if (args === null || typeof args !== 'object' || Array.isArray(args)) fail(name, 'an options object', args);
  for (const key of Object.keys(args)) {
    if (!allowed.includes(key)) throw new Error(`${name}: unknown option '${key}'; expected one of ${allowed.join(', ')}`);
  }
}
