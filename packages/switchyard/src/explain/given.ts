// `--given name=value`: signal values assumed instead of computed, for explain and policy tests.
import type { SignalReader, SignalReading, SignalType, SignalValue } from '@switchyard/core';
import { ExplainInputError } from './input-error.js';

/** Signal values to assume, by name: typed, or as written on a command line (`hour_local=23`). */
export type GivenValues = Readonly<Record<string, string | number | boolean>>;

/** A run's settled spend in USD, for the budget check of a call carrying `x-switchyard-run`. */
export const GIVEN_RUN_SPEND_USD = 'run_spend_usd';

/**
 * Givens that are no signal a rule can read, only a figure explain's budget check starts from (the
 * spend-share signals `monthly_spend_pct` and `workflow_spend_pct` are both: a rule reads them, and the
 * check starts from them).
 */
export const BUDGET_GIVENS: ReadonlyMap<string, SignalType> = new Map([[GIVEN_RUN_SPEND_USD, 'double']]);

/**
 * The given values, checked against the signals rules can read (`catalog.types`) and the budget's own
 * givens (`BUDGET_GIVENS`): an unknown name or a value of the wrong type is an ExplainInputError that says
 * what is expected.
 */
export function parseGiven(given: GivenValues, types: ReadonlyMap<string, SignalType>): ReadonlyMap<string, SignalValue> {
  const values = new Map<string, SignalValue>();
  for (const [name, raw] of Object.entries(given)) {
    const type = types.get(name) ?? BUDGET_GIVENS.get(name);
    if (!type) {
      const budgetOnly = [...BUDGET_GIVENS.keys()].filter((n) => !types.has(n));
      throw new ExplainInputError(
        `given ${name}: no such signal; rules can read ${[...types.keys()].sort().join(', ')}${budgetOnly.length > 0 ? `; the budget check also takes ${budgetOnly.join(', ')}` : ''}`,
      );
    }
    const value = typed(type, raw);
    if (value === undefined) throw new ExplainInputError(`given ${name}=${String(raw)}: ${name} is ${article(type)} ${type}`);
    values.set(name, value);
  }
  return values;
}

/** `["hour_local=23", "owner=team-a"]` as given values; a pair without `=` is an ExplainInputError. */
export function givenPairs(pairs: readonly string[]): Record<string, string> {
  const given: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new ExplainInputError(`given ${pair}: write it as name=value, e.g. hour_local=23`);
    given[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return given;
}

const INTEGER = /^[+-]?\d+$/;

function typed(type: SignalType, raw: string | number | boolean): SignalValue | undefined {
  switch (type) {
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      return raw === 'true' ? true : raw === 'false' ? false : undefined;
    case 'int': {
      const n = typeof raw === 'string' && INTEGER.test(raw.trim()) ? Number(raw) : raw;
      return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
    }
    case 'double': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
    }
    case 'string':
      return typeof raw === 'string' ? raw : String(raw);
  }
}

function article(type: SignalType): string {
  return type === 'int' ? 'an' : 'a';
}

/**
 * The request's signal reader with some signals given: a given signal reads as its value without being
 * computed (and bounds itself, so `input_tokens=150000` is never decided from the prompt's byte length);
 * every other one is computed by the real reader, as it would be.
 */
export class GivenSignals implements SignalReader {
  readonly #inner: SignalReader;
  readonly #given: ReadonlyMap<string, SignalReading>;

  /** `types`: the signals rules can read; a given that is none of them (a budget-only given) is not a signal here. */
  constructor(inner: SignalReader, given: ReadonlyMap<string, SignalValue>, types?: ReadonlyMap<string, SignalType>) {
    this.#inner = inner;
    const signals = [...given].filter(([name]) => !types || types.has(name));
    this.#given = new Map(signals.map(([name, value]) => [name, { kind: 'value', value }] as const));
  }

  /** Whether `name` reads as a given value. */
  isGiven(name: string): boolean {
    return this.#given.has(name);
  }

  read(names: readonly string[]): Promise<void> | undefined {
    const computed = names.filter((name) => !this.#given.has(name));
    return computed.length > 0 ? this.#inner.read(computed) : undefined;
  }

  reading(name: string): SignalReading | undefined {
    return this.#given.get(name) ?? this.#inner.reading(name);
  }

  upperBound(name: string): number | undefined {
    const given = this.#given.get(name);
    if (given) return given.kind === 'value' && typeof given.value === 'number' ? given.value : undefined;
    return this.#inner.upperBound(name);
  }

  has(name: string): boolean {
    return this.#inner.has(name);
  }
}
