// What a rule says about a signal the request does not carry: `present(signal)` and `value_or(signal, default)`.
// CEL's own has() takes a field (`has(m.f)`), never a plain variable, and cel-js cannot overload it; its
// optional types (`x.?f`, `.orValue()`) select fields too. These two macros are the same ideas for signals.
import { type ASTNode, type Environment, EvaluationError } from '@marcbachmann/cel-js';

/** The parts of cel-js's type checker a macro uses (its macro API is untyped). */
interface Checker {
  check(node: ASTNode, ctx: unknown): CelType;
  getType(name: string): CelType;
  createError(code: string, message: string, node: ASTNode): Error;
}

interface CelType {
  readonly kind: string;
  readonly name: string;
}

interface Evaluator {
  run(node: ASTNode, ctx: unknown): unknown;
}

interface Macro {
  readonly args: readonly ASTNode[];
  readonly async: false;
  typeCheck(checker: Checker, macro: Macro, ctx: unknown): CelType;
  evaluate(evaluator: Evaluator, macro: Macro, ctx: unknown): unknown;
}

/**
 * Adds to `env`:
 * - `present(signal)`: whether the request carries the signal (a bool);
 * - `value_or(signal, default)`: the signal's value, or `default` (of the signal's type) when it is absent.
 *
 * The first argument must be a signal's name. A rule that reads an absent signal otherwise does not match.
 */
export function useAbsentMacros(env: Environment): void {
  env.registerFunction(
    'present(ast): bool',
    ({ args }: { args: readonly ASTNode[] }): Macro => ({
      args,
      async: false,
      typeCheck(checker, macro, ctx) {
        checker.check(signalArg('present', checker, macro), ctx);
        return checker.getType('bool');
      },
      evaluate(evaluator, macro, ctx) {
        return readOr(evaluator, macro.args[0]!, ctx, () => ABSENT) !== ABSENT;
      },
    }),
  );
  env.registerFunction(
    'value_or(ast, ast): dyn',
    ({ args }: { args: readonly ASTNode[] }): Macro => ({
      args,
      async: false,
      typeCheck(checker, macro, ctx) {
        const type = checker.check(signalArg('value_or', checker, macro), ctx);
        const fallback = macro.args[1]!;
        const given = checker.check(fallback, ctx);
        if (given.name !== type.name && given.kind !== 'dyn') {
          throw checker.createError(
            'no_matching_overload',
            `value_or(${type.name}, ${given.name}): the default must be a ${type.name}, like the signal`,
            fallback,
          );
        }
        return type;
      },
      evaluate(evaluator, macro, ctx) {
        return readOr(evaluator, macro.args[0]!, ctx, () => evaluator.run(macro.args[1]!, ctx));
      },
    }),
  );
}

/** The macro's first argument, which must name a signal. */
function signalArg(name: string, checker: Checker, macro: Macro): ASTNode {
  const signal = macro.args[0]!;
  if (signal.op !== 'id') throw checker.createError('invalid_macro_argument', `${name}() takes a signal's name first`, signal);
  return signal;
}

/** The signal's value, or `otherwise()` when the activation leaves it out (it is absent). */
function readOr(evaluator: Evaluator, signal: ASTNode, ctx: unknown, otherwise: () => unknown): unknown {
  try {
    return evaluator.run(signal, ctx);
  } catch (err) {
    if (err instanceof EvaluationError && err.code === 'unknown_variable') return otherwise();
    throw err;
  }
}

const ABSENT = Symbol('absent');
