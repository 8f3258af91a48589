// One request through one route's rules: first match wins, else the default. Never throws for a rule.
import { EvaluationError } from '@marcbachmann/cel-js';
import type { RoutingRecord, RuleError, SignalReader, SignalType } from '@switchyard/core';
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
  // One async frame per request, not two per rule: the read is awaited here, and only when a signal is
  // missing; the match itself is synchronous.
  for (const rule of route.rules) {
    const bound = settlingBound(rule, record, reader);
    const exact = bound === undefined ? rule.reads : rule.reads.filter((name) => name !== INPUT_TOKENS);
    if (forgetInexact(exact, record)) await reader.read(exact);
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
    record.ruleErrors.push(ruleError(rule, err, record));
    return false;
  }
}

/**
 * The upper bound of `input_tokens` when it settles this rule without tokenizing; `undefined` when the
 * rule needs the exact count (or already has a reading of it to use).
 */
function settlingBound(rule: CompiledRule, record: RoutingRecord, reader: SignalReader): number | undefined {
  if (!rule.inputTokensBound) return undefined;
  const reading = record.signals[INPUT_TOKENS];
  if (reading !== undefined && reading.kind !== 'at_most') return undefined;
  const bound = reader.upperBound(INPUT_TOKENS);
  if (bound === undefined || !Number.isSafeInteger(bound) || bound < 0) return undefined;
  return settledByBound(rule.inputTokensBound, bound) ? bound : undefined;
}

/**
 * Whether the reader must compute some of `names` (the record holds no exact reading of them yet); bounds
 * from earlier rules are dropped so that the reader computes the exact count.
 */
function forgetInexact(names: readonly string[], record: RoutingRecord): boolean {
  let missing = false;
  for (const name of names) {
    const reading = record.signals[name];
    if (reading === undefined) {
      missing = true;
    } else if (reading.kind === 'at_most') {
      // A bound from an earlier rule; this rule needs the count, and the reader skips names it has recorded.
      delete record.signals[name];
      missing = true;
    }
  }
  return missing;
}

function ruleError(rule: CompiledRule, err: unknown, record: RoutingRecord): RuleError {
  const base = { route: rule.route, rule: rule.name };
  if (err instanceof EvaluationError) {
    const node = err.node;
    if (err.code === 'unknown_variable' && node?.op === 'id') {
      const reading = record.signals[node.args];
      if (reading?.kind === 'absent') {
        return { ...base, code: 'signal_absent', message: `signal "${node.args}" is absent: ${reading.reason}` };
      }
    }
    return { ...base, code: err.code, message: err.summary };
  }
  return { ...base, code: 'evaluation_failed', message: err instanceof Error ? err.message : String(err) };
}
