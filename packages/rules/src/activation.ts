// Signal readings in the routing record → the values a CEL condition sees.
import type { SignalReading, SignalType } from '@switchyard/core';

/**
 * The CEL activation for `names`: exact readings only. An absent reading (or none) leaves the
 * variable out, so a condition that needs it fails with a CEL error instead of seeing a made-up value.
 */
export function activationFor(
  names: readonly string[],
  readings: Readonly<Record<string, SignalReading>>,
  types: ReadonlyMap<string, SignalType>,
): Record<string, unknown> {
  const activation: Record<string, unknown> = {};
  for (const name of names) {
    const reading = readings[name];
    if (reading?.kind === 'value') activation[name] = celValue(reading.value, types.get(name));
  }
  return activation;
}

/** CEL ints are BigInt in the library; a JS number passed for an `int` variable is a type error. */
export function celValue(value: unknown, type: SignalType | undefined): unknown {
  if (type === 'int' && typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value));
  return value;
}
