// One request through one route's rules: first match wins, else the default. Never throws for a rule.
import { EvaluationError } from '@marcbachmann/cel-js';
import type { RoutingRecord, RuleError, SignalReader, SignalReading, SignalType } from '@switchyard/core';
import { activationFor } from './activation.js';
import { INPUT_TOKENS } from './ast.js';
import { settledByBound } from './bound.js';
import type { CompiledRoute, CompiledRule, CompiledRules, RouteSelection } from './types.js';

/**
 * Evaluates `route`'s rules in order for one request and records the outcome in `record`: the
 * selection, the signals read (through `reader`, only those of rules that ran) and every rule that
 * failed to evaluate (it counts as not matching). Resolves to the selection it recorded.
 *
 * Rejects only if `reader` does, which its contract rules out.
 */
export async function evaluateRoute(
  compiled: CompiledRules,
  route: CompiledRoute,
  record: RoutingRecord,
  reader: SignalReader,
): Promise<RouteSelection> {
  let selection: RouteSelection = { kind: 'route', route: route.name, rule: 'default', model: route.default };
  // One async frame per request, not two per rule: a read is awaited only when a signal is not known yet;
  // the match itself is synchronous.
  for (const rule of route.rules) {
    const bound = settlingBound(rule, record, reader);
    const names = bound === undefined ? rule.reads : rule.reads.filter((name) => name !== INPUT_TOKENS);
    if (!allKnown(names, record, reader)) await reader.read(names);
    for (const name of names) note(record, reader, name);
    if (ruleMatches(rule, compiled.signalTypes, record, bound)) {
      selection = { kind: 'route', route: route.name, rule: rule.name, model: rule.use };
      break;
    }
  }
  record.selection = selection;
  return selection;
}

/** Whether `rule` matches the readings recorded so far; `bound` stands in for `input_tokens` when it settles the rule. */
function ruleMatches(
  rule: CompiledRule,
  types: ReadonlyMap<string, SignalType>,
  record: RoutingRecord,
  bound: number | undefined,
): boolean {
  const activation = activationFor(rule.reads, record.signals, types);
  if (bound !== undefined) {
    activation[INPUT_TOKENS] = BigInt(bound);
    if (record.signals[INPUT_TOKENS] === undefined || record.signals[INPUT_TOKENS].kind === 'at_most') {
      record.signals[INPUT_TOKENS] = { kind: 'at_most', value: bound };
    }
  }
  try {
    return rule.matches(activation);
  } catch (err) {
    // A signal the request does not carry is a fact (its absent reading is in the record), not an error.
    if (!readsAbsentSignal(err, record)) record.ruleErrors.push(ruleError(rule, err));
    return false;
  }
}

/**
 * The upper bound of `input_tokens` when it settles this rule without tokenizing; `undefined` when the
 * rule needs the exact count (or an exact reading of it is known already).
 */
function settlingBound(rule: CompiledRule, record: RoutingRecord, reader: SignalReader): number | undefined {
  if (!rule.inputTokensBound || exact(record, reader, INPUT_TOKENS) !== undefined) return undefined;
  const bound = reader.upperBound(INPUT_TOKENS);
  if (bound === undefined || !Number.isSafeInteger(bound) || bound < 0) return undefined;
  return settledByBound(rule.inputTokensBound, bound) ? bound : undefined;
}

/** The exact reading of `name` the record holds, else the one the reader computed; a bound is not exact. */
function exact(record: RoutingRecord, reader: SignalReader, name: string): SignalReading | undefined {
  const recorded = record.signals[name];
  if (recorded !== undefined && recorded.kind !== 'at_most') return recorded;
  return reader.reading(name);
}

function allKnown(names: readonly string[], record: RoutingRecord, reader: SignalReader): boolean {
  for (const name of names) if (exact(record, reader, name) === undefined) return false;
  return true;
}

/** Records the signal a rule read: the record lists exactly the signals rules read, and rules alone write them. */
function note(record: RoutingRecord, reader: SignalReader, name: string): void {
  // A name read from a rule is never allowed to replace the record's prototype.
  if (name === '__proto__') return;
  const reading = exact(record, reader, name);
  if (reading !== undefined) record.signals[name] = reading;
}

/** Whether evaluation stopped at a signal whose reading, in the record, is absent. */
function readsAbsentSignal(err: unknown, record: RoutingRecord): boolean {
  if (!(err instanceof EvaluationError) || err.code !== 'unknown_variable') return false;
  const node = err.node;
  return node?.op === 'id' && record.signals[node.args]?.kind === 'absent';
}

function ruleError(rule: CompiledRule, err: unknown): RuleError {
  const base = { route: rule.route, rule: rule.name };
  if (err instanceof EvaluationError) return { ...base, code: err.code, message: err.summary };
  return { ...base, code: 'evaluation_failed', message: err instanceof Error ? err.message : String(err) };
}
