// The shared rate store: counters in one Redis that every gateway instance uses, changed only by Lua scripts.
import { Redis } from 'ioredis';
import { ADJUST, CONSUME } from './rate-scripts.js';
import type { CounterReading, RateLimitStore, RateRequest, RateResult } from './rate-types.js';

export const DEFAULT_RATE_PREFIX = 'switchyard:ratelimit:';
export const DEFAULT_RATE_COMMAND_TIMEOUT_MS = 500;

export interface RedisRateStoreOptions {
  /** `redis://[:password@]host:port[/db]`. Either this or `client`. */
  readonly url?: string;
  /** An ioredis client you manage (it is not closed by `shutdown()`). Either this or `url`. */
  readonly client?: Redis;
  /** Prefix of every key. Default: `switchyard:ratelimit:`. */
  readonly prefix?: string;
  /** How long one command may take before the store counts as unreachable. Default: 500 ms. */
  readonly commandTimeoutMs?: number;
  /** How the store is named in errors (never the URL, which may hold a password). Default: `redis`. */
  readonly name?: string;
}

/** A rate store that cannot answer; the message names the store and why, never its URL. */
export class RateStoreUnavailableError extends Error {
  override readonly name = 'RateStoreUnavailableError';
}

type Script = (keys: number, ...args: (string | number)[]) => Promise<number[]>;
interface ScriptedRedis {
  rateConsume: Script;
  rateAdjust: Script;
}

/**
 * Keeps each counter under `<prefix>{<group>}:<counter id>`: the hash tag keeps a group's counters (an owner's
 * and its keys') in one cluster slot, so one script checks them all. Connects on first use; while the
 * connection is down every call throws RateStoreUnavailableError at once instead of queueing, and it
 * reconnects by itself. With a `client` of your own, its offline queue and timeouts are yours to set.
 */
export class RedisRateStore implements RateLimitStore {
  readonly #redis: Redis & ScriptedRedis;
  readonly #owned: boolean;
  readonly #prefix: string;
  readonly #name: string;
  #lastError: string | undefined;
  #connecting: Promise<void> | undefined;

  constructor(options: RedisRateStoreOptions) {
    if (!options.url === !options.client) throw new TypeError('RedisRateStore: give exactly one of url or client');
    this.#prefix = options.prefix ?? DEFAULT_RATE_PREFIX;
    this.#name = options.name ?? 'redis';
    this.#owned = !options.client;
    const redis =
      options.client ??
      new Redis(options.url!, {
        lazyConnect: true,
        // A rate decision cannot wait for a reconnect: commands fail at once while the connection is down.
        enableOfflineQueue: false,
        commandTimeout: options.commandTimeoutMs ?? DEFAULT_RATE_COMMAND_TIMEOUT_MS,
        connectTimeout: 2000,
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(times * 100, 1000),
      });
    redis.on('error', (err: Error) => (this.#lastError = describe(err)));
    redis.on('ready', () => (this.#lastError = undefined));
    redis.defineCommand('rateConsume', { lua: CONSUME });
    redis.defineCommand('rateAdjust', { lua: ADJUST });
    this.#redis = redis as Redis & ScriptedRedis;
  }

  async consume(request: RateRequest): Promise<RateResult> {
    if (request.charges.length === 0) return { ok: true, counters: [] };
    const reply = await this.#call((r) => r.rateConsume(...this.#args(request)));
    const counters: CounterReading[] = request.charges.map((_, i) => {
      const [remaining, resetMs, retry] = [reply[1 + 3 * i] ?? 0, reply[2 + 3 * i] ?? 0, reply[3 + 3 * i] ?? 0];
      if (retry === 0) return { remaining, resetMs };
      return { remaining, resetMs, retryAfterMs: retry < 0 ? Number.POSITIVE_INFINITY : retry };
    });
    return { ok: reply[0] === 1, counters };
  }

  async adjust(request: RateRequest): Promise<void> {
    if (request.charges.length === 0) return;
    await this.#call((r) => r.rateAdjust(...this.#args(request)));
  }

  async shutdown(): Promise<void> {
    if (!this.#owned) return;
    if (this.#redis.status !== 'ready') {
      this.#redis.disconnect();
      return;
    }
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  /** numberOfKeys, the keys, then three numbers per counter. */
  #args(request: RateRequest): [number, ...(string | number)[]] {
    const base = `${this.#prefix}{${request.group}}:`;
    const keys = request.charges.map(({ counter }) => base + counter.id);
    const numbers = request.charges.flatMap(({ counter, cost }) => [counter.limit, counter.periodMs, cost]);
    return [keys.length, ...keys, ...numbers];
  }

  async #call(command: (redis: Redis & ScriptedRedis) => Promise<number[]>): Promise<number[]> {
    if (this.#owned) {
      if (this.#redis.status === 'wait') this.#connecting ??= this.#redis.connect().finally(() => (this.#connecting = undefined));
      if (this.#connecting) await this.#connecting.catch(() => {});
      if (this.#redis.status !== 'ready') {
        throw new RateStoreUnavailableError(`${this.#name} is unreachable (${this.#lastError ?? this.#redis.status})`);
      }
    }
    try {
      return await command(this.#redis);
    } catch (err) {
      throw new RateStoreUnavailableError(`${this.#name} did not answer (${describe(err)})`, { cause: err });
    }
  }
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.message === 'string' ? e.message.split('\n')[0]!.slice(0, 120) : 'unknown error';
}
