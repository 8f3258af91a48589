// Turns record fields this package has no special case for into attributes, so what other middlewares
// add to the record (failover's attempt fields, budget's state) shows up without a change here.
import type { AttributeValue, Attributes } from '@opentelemetry/api';

const names = new Map<string, string>();

/** `prefix` + `key` in snake_case (`spendPct` → `switchyard.budget.spend_pct`), computed once per name. */
export function attributeName(prefix: string, key: string): string {
  const id = prefix + key;
  let name = names.get(id);
  if (name === undefined) {
    name = prefix + key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    // Keys come from our own packages, but never let a bug grow this cache without bound.
    if (names.size < 10_000) names.set(id, name);
  }
  return name;
}

/**
 * Writes `value` under `prefix` + each key: primitives as they are, arrays of one primitive type as
 * arrays, plain objects one level deeper (`switchyard.budget.window.start`). Keys in `skip` are left out;
 * `undefined`, `null`, functions and anything deeper are dropped.
 */
export function flattenInto(attrs: Attributes, prefix: string, value: object, skip?: ReadonlySet<string>, depth = 0): void {
  for (const key of Object.keys(value)) {
    if (skip?.has(key)) continue;
    const v = (value as Record<string, unknown>)[key];
    const name = attributeName(prefix, key);
    const attr = attributeValue(v);
    if (attr !== undefined) attrs[name] = attr;
    else if (depth === 0 && isPlainObject(v)) flattenInto(attrs, `${name}.`, v, undefined, 1);
  }
}

function attributeValue(v: unknown): AttributeValue | undefined {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : undefined;
    default:
      return Array.isArray(v) ? homogeneous(v) : undefined;
  }
}

function homogeneous(list: readonly unknown[]): AttributeValue | undefined {
  if (list.length === 0) return undefined;
  const type = typeof list[0];
  if (type !== 'string' && type !== 'number' && type !== 'boolean') return undefined;
  for (const item of list) if (typeof item !== type) return undefined;
  return list as AttributeValue;
}

function isPlainObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
