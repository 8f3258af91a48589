// One policy, checked and compiled once: the signal catalog, every route's CEL rules, and its version.
import { readFile } from 'node:fs/promises';
import { BudgetLedger, budgetSignals, type BudgetLedgerOptions } from '@switchyard/budget';
import { parsePolicy, type LoadPolicyOptions, type Policy } from '@switchyard/core';
import { RateLimiter, type RateLimiterOptions } from '@switchyard/keys';
import { compileRules, type CompiledRules } from '@switchyard/rules';
import { FirstTokenStats, firstTokenSignal, signalCatalog, type SignalCatalog, type SignalPlugin } from '@switchyard/signals';
import { loadedPolicyVersion, policyVersion } from './version.js';

/** A policy ready to serve: validated, its signals catalogued and its rules compiled. */
export interface CompiledPolicy {
  readonly policy: Policy;
  readonly catalog: SignalCatalog;
  readonly rules: CompiledRules;
  /** Owners, limits and the spend store; the store opens on first use. Call `budget.shutdown()` when done with the policy. */
  readonly budget: BudgetLedger;
  /** Per-key and per-owner rate limits; the store opens on first use. Call `limits.shutdown()` with `budget.shutdown()`. */
  readonly limits: RateLimiter;
  /**
   * A short content hash of the policy: the first 12 hex digits of the SHA-256 of the file's bytes (of the
   * loaded content for `compilePolicy`). Every answer carries it (`x-switchyard-policy`), and so does the record.
   */
  readonly version: string;
  /** The file the policy was read from; `undefined` for `compilePolicy()`. */
  readonly source?: string;
  /** Rolling time to first token per workflow and model (this instance's), behind `p95_first_token_ms`. */
  readonly firstToken: FirstTokenStats;
}

export interface CompileOptions {
  /** Signals computed by your code, readable by rules. Default: none. */
  readonly plugins?: readonly SignalPlugin[];
  /** Clock for `hour_local` and `weekday`. Default: the system clock. */
  readonly now?: () => Date;
  /** The budget ledger's store (default: the policy's), reservation ttl and logger; its clock defaults to `now`. */
  readonly budget?: BudgetLedgerOptions;
  /** The rate limiter's store (default: the policy's budgets.store, else memory) and logger. */
  readonly limits?: RateLimiterOptions;
  /** The first-token figures to go on with (a reload passes the previous version's). Default: new, empty. */
  readonly firstToken?: FirstTokenStats;
  /** The policy's version, when the caller hashed its bytes. Default: `loadPolicy` hashes the file; `compilePolicy` the loaded content. */
  readonly version?: string;
}

/** What `loadPolicy` takes: the compile options and the loader's (`env`, `secrets`). */
export type LoadOptions = CompileOptions & Omit<LoadPolicyOptions, 'check'>;

/** Catalogues the policy's signals and compiles its rules. Throws PolicyError naming file:line. */
export function compilePolicy(policy: Policy, options: CompileOptions = {}): CompiledPolicy {
  const { now } = options;
  const budget = new BudgetLedger(policy, { now: now && (() => now().getTime()), ...options.budget });
  const firstToken = options.firstToken ?? new FirstTokenStats();
  const plugins = [...budgetSignals(budget), firstTokenSignal(policy, firstToken), ...(options.plugins ?? [])];
  const catalog = signalCatalog(policy, { plugins, now });
  const limits = new RateLimiter(policy, { now: now && (() => now().getTime()), ...options.limits });
  const version = options.version ?? loadedPolicyVersion(policy);
  return { policy, catalog, rules: compileRules(policy, catalog.types), budget, limits, version, firstToken };
}

/** Reads, validates and compiles a policy file. Throws PolicyError naming file:line and cause. */
export async function loadPolicy(file: string, options: LoadOptions = {}): Promise<CompiledPolicy> {
  return compileBytes(await readPolicyBytes(file), file, options);
}

/** The policy file's bytes. Throws an Error naming the file when it cannot be read. */
export async function readPolicyBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new Error(`cannot read policy file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Validates and compiles a policy file's bytes, read once so that the version is the hash of exactly what
 * was parsed. `budgetFor` picks the ledger's options once the policy is known (a reload keeps its store).
 */
export function compileBytes(
  bytes: Buffer,
  file: string,
  options: LoadOptions,
  budgetFor?: (policy: Policy) => BudgetLedgerOptions | undefined,
  limitsFor?: (policy: Policy) => RateLimiterOptions | undefined,
): CompiledPolicy {
  const version = policyVersion(bytes);
  let compiled: CompiledPolicy | undefined;
  const compile = (policy: Policy) =>
    compilePolicy(policy, {
      ...options,
      version,
      budget: budgetFor?.(policy) ?? options.budget,
      limits: limitsFor?.(policy) ?? options.limits,
    });
  // Compiling inside the loader's check lists CEL problems in the same error as every other problem.
  const policy = parsePolicy(bytes.toString('utf8'), file, { ...options, check: (p) => void (compiled = compile(p)) });
  return { ...(compiled ?? compile(policy)), source: file };
}
