// CEL's matches() on RE2: literal patterns compiled once when a rule is parsed, others per evaluation (cached).
import { type ASTNode, type Environment, EvaluationError, ParseError } from '@marcbachmann/cel-js';
import { compileRegex, explain, type Regex, RegexCache } from './regex.js';

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

/** One `text.matches(pattern)` call site, made when the condition is parsed. */
interface MatchesCall {
  readonly ast: ASTNode;
  readonly text: ASTNode;
  readonly pattern: ASTNode;
  /** The literal pattern compiled at parse time; `undefined` when the pattern is computed. */
  readonly regex: Regex | undefined;
  readonly async: false;
  typeCheck(checker: Checker, call: MatchesCall, ctx: unknown): CelType;
  evaluate(evaluator: Evaluator, call: MatchesCall, ctx: unknown): boolean;
}

/**
 * Makes `text.matches(pattern)` and `matches(text, pattern)` in `env` use RE2 (linear time, no
 * backreferences or lookaround) instead of the library's JavaScript `RegExp`, which backtracks.
 *
 * cel-js 8 cannot replace a built-in overload (a second `string.matches` "overlaps"), but it expands macros
 * by name and arity at parse time, before any type is known (its own `list.all` serves maps that way). So
 * the method form is declared as a macro on another receiver type, and it takes over every `x.matches(y)`;
 * `typeCheck` admits only string operands. A literal pattern that RE2 rejects fails the parse, at the
 * pattern's offset. Computed patterns go through `cache`, which the environment's rules share.
 */
export function useRe2Matches(env: Environment, cache = new RegexCache()): void {
  env.registerFunction('bytes.matches(ast): bool', ({ ast, receiver, args }: MacroInput) =>
    matchesCall(ast, receiver as ASTNode, args[0] as ASTNode, cache),
  );
  env.registerFunction('matches(ast, ast): bool', ({ ast, args }: MacroInput) =>
    matchesCall(ast, args[0] as ASTNode, args[1] as ASTNode, cache),
  );
}

interface MacroInput {
  readonly ast: ASTNode;
  readonly receiver?: ASTNode;
  readonly args: readonly ASTNode[];
}

function matchesCall(ast: ASTNode, text: ASTNode, pattern: ASTNode, cache: RegexCache): MatchesCall {
  return {
    ast,
    text,
    pattern,
    regex: literalRegex(pattern),
    async: false,
    typeCheck(checker, call, ctx) {
      const types = [checker.check(call.text, ctx), checker.check(call.pattern, ctx)];
      if (!types.every((t) => t.name === 'string' || t.kind === 'dyn')) {
        const [textType, patternType] = types.map((t) => t.name);
        const message = `found no matching overload for '${textType}.matches(${patternType})'`;
        throw checker.createError('no_matching_overload', message, call.ast);
      }
      return checker.getType('bool');
    },
    evaluate(evaluator, call, ctx) {
      const input = evaluator.run(call.text, ctx);
      const regex = call.regex ?? runtimeRegex(evaluator.run(call.pattern, ctx), call, cache);
      if (typeof input !== 'string') {
        throw new EvaluationError({
          code: 'no_matching_overload',
          message: `matches() needs a string, got ${typeof input}`,
          node: call.text,
        });
      }
      return regex.test(input);
    },
  };
}

/** The compiled pattern when it is a string literal; a literal RE2 rejects fails the parse here. */
function literalRegex(pattern: ASTNode): Regex | undefined {
  if (pattern.op !== 'value' || typeof pattern.args !== 'string') return undefined;
  const result = compileRegex(pattern.args);
  if (result.ok) return result.regex;
  const message = `invalid regular expression ${JSON.stringify(pattern.args)}: ${explain(result, true)}`;
  throw new ParseError({ code: 'invalid_regular_expression', message, node: pattern });
}

function runtimeRegex(pattern: unknown, call: MatchesCall, cache: RegexCache): Regex {
  if (typeof pattern !== 'string') {
    throw new EvaluationError({
      code: 'no_matching_overload',
      message: `matches() needs a string pattern, got ${typeof pattern}`,
      node: call.pattern,
    });
  }
  const result = cache.get(pattern);
  if (result.ok) return result.regex;
  // The pattern was computed from the request and may hold its text, which rule errors never quote.
  const message = `invalid regular expression (computed, ${pattern.length} characters): ${explain(result, false)}`;
  throw new EvaluationError({ code: 'invalid_regular_expression', message, node: call.pattern });
}
