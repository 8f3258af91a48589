// The one CEL environment of a policy load: every signal declared as a typed variable.
import { Environment } from '@marcbachmann/cel-js';
import type { SignalType } from '@switchyard/core';
import { useAbsentMacros } from './absent.js';
import { useRe2Matches } from './matches.js';
import type { CelLimits } from './types.js';

/** Conditions are one-liners; these limits only stop a runaway expression, far above any real rule. */
export const DEFAULT_LIMITS: Required<CelLimits> = {
  maxAstNodes: 1000,
  maxDepth: 32,
  maxListElements: 1000,
  maxMapEntries: 1000,
  maxCallArguments: 32,
};

/** A signal the environment could not declare (its name clashes with a CEL built-in such as `int`). */
export interface RejectedSignal {
  readonly name: string;
  readonly reason: string;
}

/**
 * The environment every rule of one policy load is parsed in: the signals as typed variables, the
 * limits, `matches()` on RE2, and `present()` / `value_or()` for absent signals. Optional types stay off:
 * their syntax (`x.?f`, `m[?k]`, `.orValue()`) selects fields and keys, never a plain variable such as a
 * signal. Signals it could not declare are returned, not thrown.
 */
export function celEnvironment(
  signalTypes: ReadonlyMap<string, SignalType>,
  limits: CelLimits = {},
): { env: Environment; rejected: RejectedSignal[] } {
  // Strict: an identifier that is not a declared signal fails check(), which is how unknown signals are caught.
  const env = new Environment({
    unlistedVariablesAreDyn: false,
    homogeneousAggregateLiterals: true,
    enableOptionalTypes: false,
    limits: { ...DEFAULT_LIMITS, ...definedOnly(limits) },
  });
  useRe2Matches(env);
  useAbsentMacros(env);
  const rejected: RejectedSignal[] = [];
  for (const [name, type] of signalTypes) {
    try {
      env.registerVariable(name, type);
    } catch (err) {
      rejected.push({ name, reason: (err as Error).message });
    }
  }
  return { env, rejected };
}

function definedOnly(limits: CelLimits): CelLimits {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}
