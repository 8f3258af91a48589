// The budget store of a gateway that reloads its policy: one store per store config, shared by the ledger of
// every policy version built on it, so that spend, reservations and the Redis connection survive a reload.
import { createHash } from 'node:crypto';
import {
  BudgetLedger,
  type BudgetLedgerOptions,
  type BudgetStore,
  type ReserveRequest,
  type SettleRequest,
  type SpendKey,
} from '@switchyard/budget';
import type { Policy } from '@switchyard/core';

/**
 * What a ledger sees of a kept store: the store's methods, and a `shutdown()` that does nothing, because the
 * keeper closes the store once no policy version uses it. Opened on first use, so a handle made for a policy
 * that is then rejected opens nothing.
 */
export class StoreHandle implements BudgetStore {
  /** Which store config this handle serves: a new policy with the same one shares it. */
  readonly config: string;
  readonly #open: () => BudgetStore;
  readonly #owned: boolean;
  #store: BudgetStore | undefined;

  constructor(config: string, name: string, open: () => BudgetStore, owned: boolean) {
    this.config = config;
    this.#open = open;
    this.#owned = owned;
    // BudgetLedger names a store it is given by its constructor's name; this keeps the name the policy's
    // own ledger would show (`memory`, `redis (REDIS_URL)`) in reports and errors.
    Object.defineProperty(this, 'constructor', { value: { name }, enumerable: false });
  }

  get #real(): BudgetStore {
    return (this.#store ??= this.#open());
  }

  reserve(request: ReserveRequest) {
    return this.#real.reserve(request);
  }

  settle(request: SettleRequest) {
    return this.#real.settle(request);
  }

  get(key: SpendKey) {
    return this.#real.get(key);
  }

  /** Nothing: the keeper closes the store, once. */
  shutdown(): void {}

  /** Closes the store, if it was opened and is the gateway's own (not one the application passed in). */
  async close(): Promise<void> {
    if (this.#owned) await this.#store?.shutdown?.();
  }
}

/** Hands each policy version the store its config names, and closes a store once no version uses it. */
export class StoreKeeper {
  /** The store the application passed (`budget.store`): shared by every version, never closed here. */
  readonly #given: BudgetStore | undefined;
  readonly #users = new Map<StoreHandle, number>();
  #current: StoreHandle | undefined;

  constructor(given?: BudgetStore) {
    this.#given = given;
  }

  /**
   * The handle for `policy`'s store: the current one when the config is the same, else a new one that opens
   * the policy's store on first use. Opens and changes nothing: a rejected policy leaves no trace.
   */
  handleFor(policy: Policy, options: BudgetLedgerOptions = {}): StoreHandle {
    const given = this.#given;
    // A throwaway ledger names and opens the store exactly as the policy's own ledger would.
    const probe = new BudgetLedger(policy, options);
    const config = given ? 'given' : storeConfig(policy);
    if (this.#current?.config === config) return this.#current;
    return new StoreHandle(config, probe.storeName, () => given ?? probe.store, given === undefined);
  }

  /** `handle` now serves a live policy version (the new current one). */
  adopt(handle: StoreHandle): void {
    this.#users.set(handle, (this.#users.get(handle) ?? 0) + 1);
    this.#current = handle;
  }

  /** A version using `handle` is gone; the store closes when no version uses it and it is not current. */
  async release(handle: StoreHandle): Promise<void> {
    const users = (this.#users.get(handle) ?? 1) - 1;
    if (users > 0) return void this.#users.set(handle, users);
    this.#users.delete(handle);
    if (handle !== this.#current) await handle.close();
  }

  /** Closes every store still open. */
  async close(): Promise<void> {
    const open = new Set([...this.#users.keys(), ...(this.#current ? [this.#current] : [])]);
    this.#users.clear();
    this.#current = undefined;
    await Promise.all([...open].map((handle) => handle.close()));
  }
}

/** Whether two policies name the same store (both memory, or the same Redis URL). */
export function sameStore(a: Policy, b: Policy): boolean {
  return storeConfig(a) === storeConfig(b);
}

/** The identity of a policy's store: memory, or a Redis URL (hashed: it may hold a password). */
function storeConfig(policy: Policy): string {
  const store = policy.budgets?.store;
  if (store?.kind !== 'redis') return 'memory';
  const url = store.url.isSet ? createHash('sha256').update(store.url.reveal()).digest('hex') : `unset ${store.env}`;
  return `redis ${url}`;
}
