// The loaded `budgets:` and `keys:` sections: who pays, how much they may spend, and which client keys exist.
import type { Secret } from './secret.js';

/** What a budget store does when it cannot be reached: refuse calls, or serve them uncounted. */
export type StoreErrorMode = 'fail_closed' | 'fail_open';

/** Where spend is kept: in each gateway process, or in one Redis shared by every instance. */
export type BudgetStoreConfig =
  | { readonly kind: 'memory' }
  | {
      readonly kind: 'redis';
      /** The env var the URL came from, for messages (the URL may hold a password). */
      readonly env: string;
      readonly url: Secret;
    };

/**
 * Requests and tokens per minute, from `limits: { rpm, tpm }` on a key or an owner. Tokens are counted as the
 * budget reserves them (the prompt's bound plus its output cap) and corrected from the usage when the call is over.
 */
export interface RateLimits {
  /** Requests per minute. */
  readonly rpm?: number;
  /** Tokens (input + output) per minute. */
  readonly tpm?: number;
}

/** One owner's budget, from `budgets.owners.<name>`. */
export interface OwnerBudget {
  readonly name: string;
  /** USD per calendar month in the policy's `timezone`; none = spend is counted, never limited. */
  readonly monthlyUsd?: number;
  /** Refuse calls (429 `budget_exceeded`) that could take spend past `monthlyUsd`. */
  readonly hardStop: boolean;
  /** Refuse a single call whose worst-case cost is higher. */
  readonly maxRequestUsd?: number;
  /** What every key of this owner may send together, per minute. */
  readonly limits?: RateLimits;
}

/** The loaded `budgets:` section; present (with defaults) even when the policy has none. */
export interface BudgetsConfig {
  readonly store: BudgetStoreConfig;
  /** Default: `fail_closed`. Only a Redis store can fail. */
  readonly onStoreError: StoreErrorMode;
  readonly owners: ReadonlyMap<string, OwnerBudget>;
  /** Per-route ceilings on a single call's worst-case cost, from `budgets.routes.<route>.max_request_usd`. */
  readonly routeMaxRequestUsd: ReadonlyMap<string, number>;
  /** SHA-256 (hex) of the key that may read every owner's spend; none = no admin endpoint. */
  readonly adminKeyDigest?: Secret;
}

/** A client key of this gateway (not a provider key), from `keys:`. */
export interface ClientKey {
  readonly name: string;
  /** SHA-256 (hex) of the secret; the secret itself is never kept. */
  readonly digest: Secret;
  /** Who the key's calls are billed to. */
  readonly owner: string;
  /** Routes and exact model IDs the key may call; `undefined` = everything the policy serves. */
  readonly allow?: ReadonlySet<string>;
  /** The workflows the key's calls may run as (`default` for a call naming none); `undefined` = every one. */
  readonly workflows?: ReadonlySet<string>;
  /** What this key may send per minute (its owner's `limits` apply too). */
  readonly limits?: RateLimits;
}
