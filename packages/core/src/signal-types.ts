// The vocabulary that signals, rules and audit share: what a signal's type and value may be.

/** The CEL type a signal is declared with. `int` values travel as JS numbers and become CEL ints. */
export type SignalType = 'bool' | 'int' | 'double' | 'string';

export const SIGNAL_TYPES: readonly SignalType[] = ['bool', 'int', 'double', 'string'];

/** A signal's value, as a rule sees it. */
export type SignalValue = boolean | number | string;

/**
 * What reading one signal produced, as kept in the routing record.
 * - `value`: computed exactly.
 * - `at_most`: decided from an upper bound without computing it (e.g. `input_tokens` from byte length).
 * - `absent`: the request does not carry it, or its extractor failed; `reason` says which.
 */
export type SignalReading =
  | { readonly kind: 'value'; readonly value: SignalValue }
  | { readonly kind: 'at_most'; readonly value: number }
  | { readonly kind: 'absent'; readonly reason: string };

/** Computes signals on demand, each at most once per request. Implemented by `@switchyard/signals`. */
export interface SignalReader {
  /**
   * Computes the named signals not computed yet. Never rejects: a signal that cannot be computed reads as
   * `absent` with the reason. Returns `undefined` when every one of them was computed already.
   */
  read(names: readonly string[]): Promise<void> | undefined;
  /** The reading of `name`, once `read()` computed it. */
  reading(name: string): SignalReading | undefined;
  /**
   * A cheap upper bound for a numeric signal, without computing it: for `input_tokens`, the prompt's
   * byte length (a token is at least one byte). `undefined` for signals that have no such bound.
   */
  upperBound(name: string): number | undefined;
  /** Whether `name` is a signal this reader knows. */
  has(name: string): boolean;
}
