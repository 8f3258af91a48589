// The rate limits of one policy load: which counters apply to a call, and the store they live in, opened on
// first use only (so that `switchyard check` never connects to Redis).
import type { ClientKey, Policy, RateLimits, StoreErrorMode } from '@switchyard/core';
import { MemoryRateStore } from './rate-memory-store.js';
import { RedisRateStore } from './rate-redis-store.js';
import type { RateCounter, RateLimitStore } from './rate-types.js';

/** The policy's limits are per minute. */
export const RATE_PERIOD_MS = 60_000;

/** Whose limit a counter is: the key's own, or its owner's (shared by all of the owner's keys). */
export type LimitScope = 'key' | 'owner';
/** What a counter counts. */
export type LimitKind = 'requests' | 'tokens';

/** One counter that applies to a call. */
export interface LimitCounter {
  readonly scope: LimitScope;
  readonly kind: LimitKind;
  /** The key's or the owner's name, for messages. */
  readonly name: string;
  readonly counter: RateCounter;
}

/** Where failed corrections are logged. */
export interface RateLimiterLogger {
  warn(message: string, err?: unknown): void;
}

export interface RateLimiterOptions {
  /** Where counters are kept. Default: the Redis of the policy's `budgets.store`, else a MemoryRateStore. */
  readonly store?: RateLimitStore;
  /** Where failed corrections are logged. Default: `console`. */
  readonly logger?: RateLimiterLogger;
  /** The clock of the default memory store. Default: `Date.now`. */
  readonly now?: () => number;
}

/** One policy's rate limits. Build it once per policy load and share it; call `shutdown()` when done. */
export class RateLimiter {
  readonly policy: Policy;
  /** `budgets.store.on_store_error`: the rate counters live in the budget's store and fail with it. */
  readonly onStoreError: StoreErrorMode;
  /** How errors name the store: `memory`, or `redis (REDIS_URL)` — never the URL itself. */
  readonly storeName: string;
  /** Some key or owner has limits; without any, rateLimits() passes every call through. */
  readonly active: boolean;
  readonly #logger: RateLimiterLogger;
  readonly #makeStore: () => RateLimitStore;
  #store: RateLimitStore | undefined;
  readonly #keyCounters = new Map<string, readonly LimitCounter[]>();
  readonly #ownerCounters = new Map<string, readonly LimitCounter[]>();

  constructor(policy: Policy, options: RateLimiterOptions = {}) {
    if (!policy?.models) throw new TypeError('RateLimiter: policy must be a loaded Policy');
    this.policy = policy;
    this.onStoreError = policy.budgets?.onStoreError ?? 'fail_closed';
    this.#logger = options.logger ?? { warn: (message, err) => console.warn(`switchyard: ${message}`, err ?? '') };
    const config = policy.budgets?.store;
    if (options.store) {
      checkStore(options.store);
      const { store } = options;
      this.storeName = store.constructor?.name ?? 'custom store';
      this.#makeStore = () => store;
    } else if (config?.kind === 'redis') {
      this.storeName = `redis (${config.env})`;
      this.#makeStore = () => new RedisRateStore({ url: config.url.reveal(), name: this.storeName });
    } else {
      this.storeName = 'memory';
      this.#makeStore = () => new MemoryRateStore({ now: options.now });
    }
    for (const key of policy.keys ?? []) this.#keyCounters.set(key.name, countersOf('key', key.name, key.limits));
    for (const owner of policy.budgets?.owners.values() ?? []) {
      this.#ownerCounters.set(owner.name, countersOf('owner', owner.name, owner.limits));
    }
    this.active = [...this.#keyCounters.values(), ...this.#ownerCounters.values()].some((c) => c.length > 0);
  }

  /** The store, created (not yet connected) on first use. */
  get store(): RateLimitStore {
    return (this.#store ??= this.#makeStore());
  }

  /** The counters a call by `key` (none on an open gateway) billed to `owner` is checked against: the key's, then the owner's. */
  countersFor(key: ClientKey | undefined, owner: string): readonly LimitCounter[] {
    const own = key ? (this.#keyCounters.get(key.name) ?? []) : [];
    const shared = this.#ownerCounters.get(owner) ?? [];
    return own.length === 0 ? shared : shared.length === 0 ? own : [...own, ...shared];
  }

  warn(message: string, err?: unknown): void {
    this.#logger.warn(message, err);
  }

  /** Closes the store's connection. */
  async shutdown(): Promise<void> {
    await this.#store?.shutdown?.();
  }
}

function countersOf(scope: LimitScope, name: string, limits: RateLimits | undefined): readonly LimitCounter[] {
  const counters: LimitCounter[] = [];
  const add = (kind: LimitKind, limit: number | undefined) => {
    if (limit === undefined) return;
    const id = scope === 'key' ? `key:${name}:${kind}` : `owner:${kind}`;
    counters.push({ scope, kind, name, counter: { id, limit, periodMs: RATE_PERIOD_MS } });
  };
  add('requests', limits?.rpm);
  add('tokens', limits?.tpm);
  return counters;
}

const STORE_METHODS = ['consume', 'adjust'] as const;

function checkStore(store: RateLimitStore): void {
  for (const method of STORE_METHODS) {
    if (typeof (store as unknown as Record<string, unknown>)?.[method] !== 'function') {
      throw new TypeError(`RateLimiter: the store has no ${method}() method; a RateLimitStore needs ${STORE_METHODS.join(', ')}`);
    }
  }
}
