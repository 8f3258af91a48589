// One policy, checked and compiled once: the signal catalog and every route's CEL rules.
import { BudgetLedger, budgetSignals, type BudgetLedgerOptions } from '@switchyard/budget';
import { loadPolicyFile, type LoadPolicyOptions, type Policy } from '@switchyard/core';
import { compileRules, type CompiledRules } from '@switchyard/rules';
import { signalCatalog, type SignalCatalog, type SignalPlugin } from '@switchyard/signals';

/** A policy ready to serve: validated, its signals catalogued and its rules compiled. */
export interface CompiledPolicy {
  readonly policy: Policy;
  readonly catalog: SignalCatalog;
  readonly rules: CompiledRules;
  /** Owners, limits and the spend store; the store opens on first use. Call `budget.shutdown()` when done with the policy. */
  readonly budget: BudgetLedger;
}

export interface CompileOptions {
  /** Signals computed by your code, readable by rules. Default: none. */
  readonly plugins?: readonly SignalPlugin[];
  /** Clock for `hour_local` and `weekday`. Default: the system clock. */
  readonly now?: () => Date;
  /** The budget ledger's store (default: the policy's), reservation ttl and logger; its clock defaults to `now`. */
  readonly budget?: BudgetLedgerOptions;
}

/** Catalogues the policy's signals and compiles its rules. Throws PolicyError naming file:line. */
export function compilePolicy(policy: Policy, options: CompileOptions = {}): CompiledPolicy {
  const { now } = options;
  const budget = new BudgetLedger(policy, { now: now && (() => now().getTime()), ...options.budget });
  const catalog = signalCatalog(policy, { plugins: [...budgetSignals(budget), ...(options.plugins ?? [])], now });
  return { policy, catalog, rules: compileRules(policy, catalog.types), budget };
}

/** Reads, validates and compiles a policy file. Throws PolicyError naming file:line and cause. */
export async function loadPolicy(
  file: string,
  options: CompileOptions & Omit<LoadPolicyOptions, 'check'> = {},
): Promise<CompiledPolicy> {
  let compiled: CompiledPolicy | undefined;
  // Compiling inside the loader's check lists CEL problems in the same error as every other problem.
  const policy = await loadPolicyFile(file, { ...options, check: (p) => void (compiled = compilePolicy(p, options)) });
  return compiled ?? compilePolicy(policy, options);
}
