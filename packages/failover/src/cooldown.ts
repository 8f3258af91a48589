// Per-instance cooldowns: a model/provider pair that keeps failing is skipped for a while, then probed.
import type { CooldownSettings } from '@switchyard/core';

interface PairState {
  /** Consecutive failures. */
  failures: number;
  /** Epoch ms until which the pair is skipped; 0 while it is not cooling down. */
  coolUntil: number;
  /** Epoch ms until which the one probe let through after a cooldown is awaited. */
  probeUntil: number;
}

/**
 * Counts consecutive failures per model/provider pair. `failures` in a row start a cooldown of
 * `durationMs`; after it, one request is let through to probe the pair: its success ends the cooldown,
 * its failure starts the next one. State lives in this instance only (one gateway process).
 */
export class CooldownRegistry {
  readonly #failures: number;
  readonly #durationMs: number;
  readonly #pairs = new Map<string, PairState>();

  constructor(settings: CooldownSettings) {
    this.#failures = settings.failures;
    this.#durationMs = settings.durationMs;
  }

  /** Whether the pair may be called now. After a cooldown the first caller gets `true` and is the probe. */
  available(provider: string, model: string, now: number): boolean {
    const state = this.#pairs.get(key(provider, model));
    if (!state || state.coolUntil === 0) return true;
    if (now < state.coolUntil || now < state.probeUntil) return false;
    // A probe that never reported (its client went away) stops blocking after one more window.
    state.probeUntil = now + this.#durationMs;
    return true;
  }

  /** Records a failure; `true` when it starts a cooldown. */
  failed(provider: string, model: string, now: number): boolean {
    if (this.#failures === 0) return false;
    const k = key(provider, model);
    let state = this.#pairs.get(k);
    if (!state) this.#pairs.set(k, (state = { failures: 0, coolUntil: 0, probeUntil: 0 }));
    state.failures += 1;
    const cooling = state.coolUntil !== 0;
    // While cooling, only the probe's failure (once the window is over) counts; stragglers from before do not.
    if (cooling ? now < state.coolUntil : state.failures < this.#failures) return false;
    state.coolUntil = now + this.#durationMs;
    state.probeUntil = 0;
    return true;
  }

  /**
   * A registry with `settings` (a reloaded policy's) that keeps this one's state for the pairs `keep`
   * accepts (those still in the policy), so a reload forgets no cooldown of a model it still serves.
   */
  carriedOver(settings: CooldownSettings, keep: (provider: string, model: string) => boolean): CooldownRegistry {
    const next = new CooldownRegistry(settings);
    for (const [k, state] of this.#pairs) {
      const [provider, model] = k.split('\u0000') as [string, string];
      if (keep(provider, model)) next.#pairs.set(k, { ...state });
    }
    return next;
  }

  /** Records a success: the pair's failures and cooldown are forgotten. */
  succeeded(provider: string, model: string): void {
    if (this.#pairs.size > 0) this.#pairs.delete(key(provider, model));
  }
}

function key(provider: string, model: string): string {
  return `${provider}\u0000${model}`;
}
