// Each rule of the requested route, in order, as the real evaluation ran it: the signals it read, their
// readings, and whether it matched.
import { createRecord, type RoutingRecord, type SignalReading } from '@switchyard/core';
import { evaluateRoute, type CompiledRoute, type CompiledRules } from '@switchyard/rules';
import type { GivenSignals } from './given.js';

/** One signal as a rule read it. */
export interface SignalTrace {
  readonly name: string;
  /** The value the rule saw; absent when it was not there. */
  readonly value?: boolean | number | string;
  /** Set instead of `value` when the rule was decided from an upper bound (`input_tokens` from the prompt's byte length). */
  readonly at_most?: number;
  /** Why the signal is absent (the rule then does not match). */
  readonly absent?: string;
  /** The value was given (`--given`), not computed. */
  readonly given: boolean;
}

/** How one rule came out. */
export type RuleOutcome = 'matched' | 'no_match' | 'error' | 'not_reached';

export interface RuleTrace {
  readonly name: string;
  /** The CEL condition as written. */
  readonly if: string;
  /** The model it routes to. */
  readonly use: string;
  /** `not_reached`: an earlier rule matched, so this one was not evaluated. */
  readonly outcome: RuleOutcome;
  /** The signals it read, in the order the condition names them; empty when not reached. */
  readonly signals: readonly SignalTrace[];
  /** Why it could not be evaluated (it then counts as not matching). */
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * Runs `route`'s rules one at a time through rules' own `evaluateRoute`, on the same signal reader as the
 * request's real evaluation (nothing is computed twice), and stops after the first match, as it does.
 */
export async function traceRules(rules: CompiledRules, route: CompiledRoute, reader: GivenSignals): Promise<RuleTrace[]> {
  const traces: RuleTrace[] = [];
  let matched = false;
  for (const rule of route.rules) {
    const base = { name: rule.name, if: rule.condition, use: rule.use };
    if (matched) {
      traces.push({ ...base, outcome: 'not_reached', signals: [] });
      continue;
    }
    // A record of its own: what this rule alone read and how it failed. Signals are the reader's, computed once.
    const scratch: RoutingRecord = createRecord();
    const selection = await evaluateRoute(rules, { ...route, rules: [rule] }, scratch, reader);
    matched = selection.rule === rule.name;
    const error = scratch.ruleErrors[0];
    const signals = rule.reads.map((name) => signalTrace(name, scratch.signals[name] ?? reader.reading(name), reader));
    const outcome: RuleOutcome = matched ? 'matched' : error ? 'error' : 'no_match';
    traces.push(
      error ? { ...base, outcome, signals, error: { code: error.code, message: error.message } } : { ...base, outcome, signals },
    );
  }
  return traces;
}

/** A reading as explain shows it. */
export function signalTrace(name: string, reading: SignalReading | undefined, given: GivenSignals): SignalTrace {
  const isGiven = given.isGiven(name);
  if (!reading) return { name, absent: 'not read', given: isGiven };
  switch (reading.kind) {
    case 'value':
      return { name, value: reading.value, given: isGiven };
    case 'at_most':
      return { name, at_most: reading.value, given: isGiven };
    case 'absent':
      return { name, absent: reading.reason, given: isGiven };
  }
}
