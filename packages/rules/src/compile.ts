// Policy → CompiledRules: every rule parsed and type-checked once, every problem reported together.
import type { Environment, ParseResult } from '@marcbachmann/cel-js';
import { PolicyError, type Policy, type PolicyProblem, type SignalType } from '@switchyard/core';
import { inputTokensComparisons, signalsRead } from './ast.js';
import { celEnvironment } from './environment.js';
import { closest } from './suggest.js';
import type { CompileRulesOptions, CompiledRoute, CompiledRule, CompiledRules } from './types.js';

/** The error fields the CEL library sets on parse and type errors; internal errors may lack them. */
interface CelErrorLike {
  readonly code?: string;
  readonly summary?: string;
  readonly message: string;
  readonly range?: { readonly start: number; readonly end: number };
  readonly node?: { readonly op?: string; readonly args?: unknown };
}

/**
 * Parses and type-checks every rule of every route against `signalTypes` (name → CEL type of every
 * signal the request's reader can compute: built-in, declared under `signals:` and plugins). Each
 * condition must be valid CEL, name only known signals, and have type `bool`.
 *
 * Call once per policy load; the result is immutable and shared by all requests.
 * @throws PolicyError listing every problem, each at the file, line and column of the offending token.
 */
export function compileRules(
  policy: Policy,
  signalTypes: ReadonlyMap<string, SignalType>,
  options: CompileRulesOptions = {},
): CompiledRules {
  const problems: PolicyProblem[] = [];
  const { env, rejected } = celEnvironment(signalTypes, options.limits);
  for (const { name, reason } of rejected) {
    const where = policy.signals.has(name) ? policy.source.locate(['signals'], { key: name }) : { line: 1, column: 1 };
    problems.push({ file: policy.source.file, ...where, message: `signal "${name}" cannot be used in rules: ${reason}` });
  }
  const known = [...signalTypes.keys()].sort();

  const routes = new Map<string, CompiledRoute>();
  for (const route of policy.routes.values()) {
    const rules: CompiledRule[] = [];
    route.rules.forEach((rule, i) => {
      const report = (offset: number, message: string) =>
        problems.push({
          file: policy.source.file,
          ...policy.source.locate(['routes', route.name, 'rules', i, 'if'], { offset }),
          message: `rule "${rule.name}": ${message}`,
        });
      const program = check(env, rule.if, known, report);
      if (!program) return;
      const inputTokensBound = inputTokensComparisons(program.ast);
      rules.push({
        route: route.name,
        name: rule.name,
        use: rule.use,
        condition: rule.if,
        reads: signalsRead(program.ast, signalTypes),
        inputTokensBound,
        matches: (activation) => program(activation) === true,
      });
    });
    routes.set(route.name, { name: route.name, default: route.default, rules });
  }

  if (problems.length > 0) throw new PolicyError(problems);
  return { routes, signalTypes };
}

/** The parsed, type-checked condition; `undefined` after reporting why it is not usable. */
function check(
  env: Environment,
  condition: string,
  known: readonly string[],
  report: (offset: number, message: string) => void,
): ParseResult | undefined {
  let program: ParseResult;
  try {
    program = env.parse(condition);
  } catch (err) {
    report(offsetOf(err as CelErrorLike), summaryOf(err as CelErrorLike));
    return undefined;
  }
  // check() also stores the inferred types on the AST, so evaluation skips its per-call type check.
  const result = program.check();
  if (!result.valid) {
    const err = (result.error ?? { message: 'type check failed' }) as CelErrorLike;
    if (err.code === 'unknown_variable') {
      const name = identifierOf(err, condition);
      const guess = closest(name, known);
      const hint = guess ? `, did you mean "${guess}"?` : '';
      report(offsetOf(err), `unknown signal "${name}"${hint} (known: ${known.join(', ') || 'none'})`);
    } else {
      report(offsetOf(err), summaryOf(err));
    }
    return undefined;
  }
  if (result.type !== 'bool') {
    report(0, `condition must be a bool, got ${result.type ?? 'unknown'}`);
    return undefined;
  }
  return program;
}

function offsetOf(err: CelErrorLike): number {
  return err.range?.start ?? 0;
}

function summaryOf(err: CelErrorLike): string {
  return err.summary ?? err.message.split('\n')[0] ?? 'invalid condition';
}

function identifierOf(err: CelErrorLike, condition: string): string {
  if (err.node?.op === 'id' && typeof err.node.args === 'string') return err.node.args;
  if (err.range) return condition.slice(err.range.start, err.range.end);
  return /Unknown variable: (\S+)/.exec(err.summary ?? err.message)?.[1] ?? '?';
}
