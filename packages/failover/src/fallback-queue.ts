// The fallbacks of one call, in order: each looked at once, passed over (and said why) when it is blocked,
// cannot take the request, lacks what is needed or is cooling down; a cooling one is probed when nothing else is left.
import type { ModelConfig, Policy, ProviderConfig } from '@switchyard/core';
import type { CooldownRegistry } from './cooldown.js';
import type { Unmet } from './needs.js';

/** Why a candidate is passed over without a call. */
export type SkipReason = Unmet | { readonly reason: 'cooldown' | 'format_not_supported' | 'blocked' };

export interface FallbackQueueOptions {
  readonly policy: Policy;
  /** The model IDs listed as fallbacks, in order (duplicates and the chosen model are dropped here). */
  readonly listed: readonly string[];
  /** The chosen model, which is not its own fallback. */
  readonly primary: string;
  /** Models a fallback never moves to. */
  readonly blocked: ReadonlySet<string> | undefined;
  readonly cooldowns: CooldownRegistry;
  readonly callable: (provider: ProviderConfig, model: ModelConfig) => boolean;
  /** What a candidate lacks (the workflow's requirements, the request's needs). */
  readonly unmet: (model: ModelConfig) => Promise<Unmet | undefined>;
  /** Called for each candidate passed over. */
  readonly skipped: (model: ModelConfig, why: SkipReason) => void;
  readonly now: () => number;
}

export class FallbackQueue {
  readonly #options: FallbackQueueOptions;
  /** Candidates not looked at yet, in order. */
  readonly #queue: string[];
  /** Candidates passed over because they were cooling down: tried when nothing else is left. */
  readonly #deferred: string[] = [];

  constructor(options: FallbackQueueOptions) {
    this.#options = options;
    const { listed, primary } = options;
    this.#queue = listed.filter((id, i) => id !== primary && listed.indexOf(id) === i);
  }

  /** Whether any candidate is left to look at. */
  get isEmpty(): boolean {
    return this.#queue.length === 0;
  }

  /** Keeps `model` (cooling down) for a probe once nothing else is left. */
  defer(model: string): void {
    this.#deferred.push(model);
  }

  /** The next candidate that can serve, else a cooling one to probe; `undefined` when none is left or time is up. */
  async next(pastDeadline: () => boolean): Promise<ModelConfig | undefined> {
    const { policy, blocked, callable, cooldowns, skipped } = this.#options;
    while (this.#queue.length > 0) {
      if (pastDeadline()) return undefined;
      const model = lookup(policy.models, this.#queue.shift()!, 'model');
      const provider = lookup(policy.providers, model.provider, 'provider');
      if (blocked?.has(model.id)) {
        skipped(model, { reason: 'blocked' });
        continue;
      }
      if (!callable(provider, model)) {
        skipped(model, { reason: 'format_not_supported' });
        continue;
      }
      const unmet = await this.#options.unmet(model);
      if (unmet) {
        skipped(model, unmet);
        continue;
      }
      if (!cooldowns.available(provider.name, model.id, this.#options.now())) {
        skipped(model, { reason: 'cooldown' });
        this.#deferred.push(model.id);
        continue;
      }
      return model;
    }
    // Everything left is cooling down: better to probe one than to fail without trying.
    const probe = this.#deferred.shift();
    if (probe === undefined || pastDeadline()) return undefined;
    return lookup(policy.models, probe, 'model');
  }
}

export function lookup<T>(map: ReadonlyMap<string, T>, key: string, what: string): T {
  const value = map.get(key);
  if (value === undefined) throw new Error(`switchyard: failover got ${what} "${key}" that the policy does not define`);
  return value;
}
