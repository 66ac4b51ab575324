/**
 * TF.js writes model.json with every key and every string value snake_cased, except under `name` and
 * `class_name` (tfjs-layers serialization_utils convertTsToPythonic).
 */
export const toSnake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();

const KEEP = new Set(['name', 'className', 'class_name']);

export function pythonic(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => pythonic(v, key));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[toSnake(k)] = pythonic(v, k);
    return out;
  }
  if (typeof value === 'string' && !KEEP.has(key)) return toSnake(value);
  return value;
}
