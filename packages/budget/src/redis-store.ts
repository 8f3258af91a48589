// The shared store: spend in one Redis that every gateway instance uses, changed only by Lua scripts.
import { Redis } from 'ioredis';
import { GET, RESERVE, SETTLE } from './redis-scripts.js';
import type { BudgetStore, ReserveRequest, ReserveResult, SettleRequest, SpendKey, SpendState } from './types.js';
import { fromNano, toNano } from './units.js';

export const DEFAULT_REDIS_PREFIX = 'switchyard:budget:';
export const DEFAULT_COMMAND_TIMEOUT_MS = 500;

export interface RedisStoreOptions {
  /** `redis://[:password@]host:port[/db]`. Either this or `client`. */
  readonly url?: string;
  /** An ioredis client you manage (it is not closed by `shutdown()`). Either this or `url`. */
  readonly client?: Redis;
  /** Prefix of every key. Default: `switchyard:budget:`. */
  readonly prefix?: string;
  /** How long one command may take before the store counts as unreachable. Default: 500 ms. */
  readonly commandTimeoutMs?: number;
  /** How the store is named in errors (never the URL, which may hold a password). Default: `redis`. */
  readonly name?: string;
}

/** A budget store that cannot answer; the message names the store and why, never its URL. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

type Script = (k1: string, k2: string, k3: string, ...args: (string | number)[]) => Promise<number[]>;
interface ScriptedRedis {
  budgetReserve: Script;
  budgetSettle: Script;
  budgetGet: Script;
}

/**
 * Keeps spend in Redis under `<prefix>{<owner>|<window>}:state|holds|expiry`; the hash tag keeps one
 * owner's window in one cluster slot. Connects on first use, never before: a policy can be checked
 * without Redis. While the connection is down every call throws StoreUnavailableError at once instead of
 * queueing, so the budget guard's `on_store_error` decides at once; it reconnects by itself. With a
 * `client` of your own, its offline queue and timeouts are yours to set.
 */
export class RedisStore implements BudgetStore {
  readonly #redis: Redis & ScriptedRedis;
  readonly #owned: boolean;
  readonly #prefix: string;
  readonly #name: string;
  #lastError: string | undefined;
  /** The first connection, which calls wait for; later reconnects they do not. */
  #connecting: Promise<void> | undefined;

  constructor(options: RedisStoreOptions) {
    if (!options.url === !options.client) throw new TypeError('RedisStore: give exactly one of url or client');
    this.#prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.#name = options.name ?? 'redis';
    this.#owned = !options.client;
    const redis =
      options.client ??
      new Redis(options.url!, {
        lazyConnect: true,
        // A budget decision cannot wait for a reconnect: commands fail at once while the connection is down.
        enableOfflineQueue: false,
        commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
        connectTimeout: 2000,
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(times * 100, 1000),
      });
    redis.on('error', (err: Error) => (this.#lastError = describe(err)));
    redis.on('ready', () => (this.#lastError = undefined));
    redis.defineCommand('budgetReserve', { numberOfKeys: 3, lua: RESERVE });
    redis.defineCommand('budgetSettle', { numberOfKeys: 3, lua: SETTLE });
    redis.defineCommand('budgetGet', { numberOfKeys: 3, lua: GET });
    this.#redis = redis as Redis & ScriptedRedis;
  }

  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    const { key, id, amountUsd, limitUsd, ttlMs } = request;
    const limit = limitUsd === undefined ? -1 : toNano(limitUsd);
    const [ok, spend, reserved] = await this.#call((r) =>
      r.budgetReserve(...this.#keys(key), id, toNano(amountUsd), limit, Math.ceil(ttlMs), key.window.expiresAt),
    );
    return { ok: ok === 1, before: state(spend, reserved) };
  }

  async settle(request: SettleRequest): Promise<void> {
    const { key, id, costUsd } = request;
    await this.#call((r) => r.budgetSettle(...this.#keys(key), id, toNano(costUsd), key.window.expiresAt));
  }

  async get(key: SpendKey): Promise<SpendState> {
    const [spend, reserved] = await this.#call((r) => r.budgetGet(...this.#keys(key)));
    return state(spend, reserved);
  }

  async shutdown(): Promise<void> {
    if (!this.#owned) return;
    // QUIT lets replies in flight arrive; a connection that is not up has none, and would queue it.
    if (this.#redis.status !== 'ready') {
      this.#redis.disconnect();
      return;
    }
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  #keys(key: SpendKey): [string, string, string] {
    const base = `${this.#prefix}{${key.owner}|${key.window.id}}:`;
    return [`${base}state`, `${base}holds`, `${base}expiry`];
  }

  async #call(command: (redis: Redis & ScriptedRedis) => Promise<number[]>): Promise<number[]> {
    if (this.#owned) {
      if (this.#redis.status === 'wait') this.#connecting ??= this.#redis.connect().finally(() => (this.#connecting = undefined));
      if (this.#connecting) await this.#connecting.catch(() => {});
      if (this.#redis.status !== 'ready') {
        throw new StoreUnavailableError(`${this.#name} is unreachable (${this.#lastError ?? this.#redis.status})`);
      }
    }
    try {
      return await command(this.#redis);
    } catch (err) {
      throw new StoreUnavailableError(`${this.#name} did not answer (${describe(err)})`, { cause: err });
    }
  }
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.message === 'string' ? e.message.split('\n')[0]!.slice(0, 120) : 'unknown error';
}

function state(spend: number | undefined, reserved: number | undefined): SpendState {
  return { spendUsd: fromNano(spend ?? 0), reservedUsd: fromNano(reserved ?? 0) };
}
