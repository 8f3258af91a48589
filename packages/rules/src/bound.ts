// Whether an upper bound on input_tokens already settles every comparison a rule makes with it.
import type { ComparisonOp, TokenComparison } from './types.js';

/**
 * True when each comparison has the same truth value for every integer in [0, bound]: then evaluating
 * the rule with `input_tokens = bound` gives the answer the exact count would.
 */
export function settledByBound(comparisons: readonly TokenComparison[], bound: number): boolean {
  return comparisons.every((c) => constantOn(c, bound));
}

function constantOn({ op, value }: TokenComparison, bound: number): boolean {
  if (op === '==' || op === '!=') {
    // Only one integer can make equality true: the range settles it unless it contains that integer.
    return bound === 0 || !(Number.isInteger(value) && value >= 0 && value <= bound);
  }
  // Order comparisons are monotone in input_tokens: equal at both ends means equal throughout.
  return holds(op, 0, value) === holds(op, bound, value);
}

function holds(op: ComparisonOp, x: number, value: number): boolean {
  switch (op) {
    case '<':
      return x < value;
    case '<=':
      return x <= value;
    case '>':
      return x > value;
    case '>=':
      return x >= value;
    case '==':
      return x === value;
    case '!=':
      return x !== value;
  }
}
