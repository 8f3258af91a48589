// Numbers read from the record are checked before they become metrics or attributes: a bad value is left
// out, never clamped.

/** A count the record holds, if it is one (a non-negative integer). */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** An epoch-ms time the record holds, if it is one. */
export function instant(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
