// Building readings, and checking or coercing a raw value against a signal's declared type.
import type { SignalReading, SignalType, SignalValue } from '@switchyard/core';

export const TRUE: SignalReading = Object.freeze({ kind: 'value', value: true });
export const FALSE: SignalReading = Object.freeze({ kind: 'value', value: false });
export const NOT_PRESENT: SignalReading = absent('not present in request');

export function value(v: SignalValue): SignalReading {
  return { kind: 'value', value: v };
}

export function bool(v: boolean): SignalReading {
  return v ? TRUE : FALSE;
}

export function absent(reason: string): SignalReading {
  return Object.freeze({ kind: 'absent', reason });
}

/** A value that already has the declared type (what a plugin must return); anything else is a mismatch. */
export function checked(type: SignalType, v: unknown): SignalReading {
  switch (type) {
    case 'bool':
      if (typeof v === 'boolean') return bool(v);
      break;
    case 'int':
      if (Number.isSafeInteger(v)) return value(v as number);
      break;
    case 'double':
      if (typeof v === 'number' && Number.isFinite(v)) return value(v);
      break;
    case 'string':
      if (typeof v === 'string') return value(v);
      break;
  }
  return mismatch(type, v);
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A value read from the request, coerced to the declared type: headers are always strings, so
 * `int` and `double` accept numeric strings and `bool` accepts `"true"`/`"false"`.
 */
export function coerced(type: SignalType, v: unknown): SignalReading {
  if (v === undefined || v === null) return NOT_PRESENT;
  if (typeof v === 'string') {
    if ((type === 'int' && INTEGER.test(v)) || (type === 'double' && DECIMAL.test(v))) {
      const n = Number(v);
      return (type === 'int' ? Number.isSafeInteger(n) : Number.isFinite(n)) ? value(n) : mismatch(type, v);
    }
    if (type === 'bool' && (v === 'true' || v === 'false')) return bool(v === 'true');
  }
  return checked(type, v);
}

const MAX_SHOWN = 40;

/** `expected int, got string "abc"`: says what arrived without echoing more than a few characters of it. */
export function mismatch(type: SignalType, v: unknown): SignalReading {
  return absent(`expected ${type}, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return `string ${JSON.stringify(v.length > MAX_SHOWN ? `${v.slice(0, MAX_SHOWN)}…` : v)}`;
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof v} ${String(v)}`;
    default:
      return typeof v;
  }
}

/** An error's message, for a reading's reason. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
