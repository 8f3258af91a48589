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
