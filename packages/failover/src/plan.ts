// The failover decisions of one request: which attempt comes next and after what wait, or that the last
// one stands. The caller makes the attempts and reports how each ended; every decision lands in the record.
import type {
  FailoverSettings,
  ModelConfig,
  Policy,
  ProviderConfig,
  ProviderCredential,
  RoutingRecord,
  Selection,
} from '@switchyard/core';
import { backoffDelay } from './backoff.js';
import type { CooldownRegistry } from './cooldown.js';
import { CredentialCursor } from './credentials.js';
import {
  EVENT_COOLDOWN,
  EVENT_FALLBACK,
  EVENT_FALLBACK_SKIPPED,
  EVENT_RETRY,
  EVENT_RETRY_SKIPPED,
  EVENT_SCHEMA_INVALID,
} from './events.js';
import { firstByteLimit, type FirstByteLimit } from './first-byte.js';
import { unmetAttributes, type Unmet } from './needs.js';
import { retryAfterMs } from './retry-after.js';
import { triggerLabel, verdictOf, type AttemptReport, type Verdict } from './triggers.js';

/** Make this attempt, after waiting `delayMs`. */
export interface AttemptStep {
  readonly kind: 'attempt';
  readonly model: ModelConfig;
  readonly provider: ProviderConfig;
  /** `undefined` for a provider without credentials. */
  readonly credential: ProviderCredential | undefined;
  readonly delayMs: number;
  readonly firstByte: FirstByteLimit | undefined;
}

/** The last attempt's result is the answer (or error) the client gets. */
export interface FinishStep {
  readonly kind: 'finish';
}

export type Step = AttemptStep | FinishStep;

export interface PlanOptions {
  readonly policy: Policy;
  /** Gets the events and `fallbackReason`; its `startedAt` starts the `total_ms` clock. */
  readonly record: RoutingRecord;
  /** What the client asked for and how it was resolved: an exact ID is never moved. */
  readonly selection: Selection;
  /** The exact model ID chosen for the request (`record.target.model`). */
  readonly model: string;
  readonly cooldowns: CooldownRegistry;
  /** Checks a fallback candidate against what the request needs. */
  readonly needs: { unmet(model: ModelConfig): Promise<Unmet | undefined> };
  /**
   * Whether the gateway can send this request to `model` on `provider` (the provider speaks a format the
   * request translates into). Default: every one.
   */
  readonly callable?: (provider: ProviderConfig, model: ModelConfig) => boolean;
  /** Default: `Date.now`. */
  readonly now?: () => number;
  /** Jitter source. Default: `Math.random`. */
  readonly random?: () => number;
}

const FINISH: FinishStep = { kind: 'finish' };
const ANY = (): boolean => true;

/**
 * Retries repeat the same contract: the same model on the same provider, with the provider's next
 * credential on 401 and on retry statuses (429/5xx), or after a backoff once every credential had its
 * turn. Fallbacks change the route and happen only when the client named a route that lists
 * `fallbacks`, on a fallback trigger, once retries are spent.
 */
export class FailoverPlan {
  readonly settings: FailoverSettings;
  /** Epoch ms by which the whole call must be over, when `total_ms` is set. */
  readonly deadlineAt: number | undefined;
  readonly #options: PlanOptions;
  readonly #now: () => number;
  readonly #primary: string;
  /** Fallback candidates not looked at yet, in order. */
  readonly #queue: string[];
  /** Candidates passed over because they were cooling down: tried when nothing else is left. */
  readonly #deferred: string[] = [];
  #model: ModelConfig;
  #provider: ProviderConfig;
  #credentials: CredentialCursor;
  #round = 0;
  #schemaRetried = false;

  constructor(options: PlanOptions) {
    const { policy, selection, model } = options;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const route = selection.kind === 'route' ? selection.route : undefined;
    this.settings = (route !== undefined && policy.failover.routes.get(route)) || policy.failover.defaults;
    const total = this.settings.timeouts.totalMs;
    this.deadlineAt = total === undefined ? undefined : options.record.startedAt + total;
    this.#primary = model;
    const fallbacks = route === undefined ? [] : (policy.routes.get(route)?.fallbacks ?? []);
    this.#queue = fallbacks.filter((id, i) => id !== model && fallbacks.indexOf(id) === i);
    this.#model = lookup(policy.models, model, 'model');
    this.#provider = lookup(policy.providers, this.#model.provider, 'provider');
    this.#credentials = new CredentialCursor(this.#provider);
  }

  /** The first attempt: the chosen model, unless it is cooling down and the route has somewhere else to go. */
  async first(): Promise<Step> {
    const now = this.#now();
    const { cooldowns } = this.#options;
    if (this.#queue.length > 0 && !cooldowns.available(this.#provider.name, this.#model.id, now)) {
      this.#skipped(this.#model, { reason: 'cooldown' });
      this.#deferred.push(this.#model.id);
      return (await this.#fallback('cooldown')) ?? this.#attempt(0, now);
    }
    return this.#attempt(0, now);
  }

  /** What follows the attempt that ended as `report`. */
  async next(report: AttemptReport): Promise<Step> {
    const now = this.#now();
    const verdict = verdictOf(report);
    this.#keepScore(verdict, now);
    if (verdict.kind === 'unauthorized') {
      this.#credentials.refuse();
      return (this.#credentials.advance() && this.#retry('http_401', 0, now)) || FINISH;
    }
    if (verdict.kind !== 'trigger') return FINISH;
    const { trigger } = verdict;
    if (trigger === 'schema_invalid') {
      const violation = report.kind === 'answered' ? report.schemaViolation : undefined;
      this.#event(EVENT_SCHEMA_INVALID, { ...this.#where(), path: violation?.path ?? '', keyword: violation?.keyword ?? '' });
      return (await this.#onSchemaError(now)) ?? FINISH;
    }
    const label = triggerLabel(trigger);
    const { retry, fallback } = this.settings;
    if (retry.on.has(trigger)) {
      // A rate limit or a server error may be this credential's own; a timeout or a refused connection is not.
      const next = typeof trigger === 'number' && trigger !== 408 && this.#credentials.advance() && this.#retry(label, 0, now);
      if (next) return next;
      const again = this.#backoff(report, label, now);
      if (again) return again;
    }
    if (fallback.on.has(trigger)) return (await this.#fallback(label)) ?? FINISH;
    return FINISH;
  }

  async #onSchemaError(now: number): Promise<Step | undefined> {
    switch (this.settings.onSchemaError) {
      case 'retry':
        if (this.#schemaRetried) return undefined;
        this.#schemaRetried = true;
        return this.#retry('schema_invalid', 0, now);
      case 'fallback':
        return this.#fallback('schema_invalid');
      case 'return':
        return undefined;
    }
  }

  /** The next round over the credentials, after a backoff (or the upstream's Retry-After, if longer). */
  #backoff(report: AttemptReport, label: string, now: number): Step | undefined {
    const { retry } = this.settings;
    if (this.#round + 1 >= retry.attempts) return undefined;
    const asked = report.kind === 'answered' ? retryAfterMs(report.headers, now) : undefined;
    const delay = Math.max(backoffDelay(this.#round + 1, retry.backoffMs, retry.maxDelayMs, this.#options.random), asked ?? 0);
    if (asked !== undefined && asked > retry.maxDelayMs) {
      this.#event(EVENT_RETRY_SKIPPED, { ...this.#where(), reason: label, why: 'retry_after', delay_ms: delay });
      return undefined;
    }
    if (!this.#credentials.restart()) return undefined;
    const step = this.#retry(label, delay, now);
    if (step) this.#round += 1;
    return step;
  }

  /** The same model again after `delay`, unless the deadline would pass first. */
  #retry(label: string, delay: number, now: number): Step | undefined {
    if (this.deadlineAt !== undefined && now + delay >= this.deadlineAt) {
      this.#event(EVENT_RETRY_SKIPPED, { ...this.#where(), reason: label, why: 'deadline', delay_ms: delay });
      return undefined;
    }
    this.#event(EVENT_RETRY, {
      ...this.#where(),
      reason: label,
      delay_ms: delay,
      credential: this.#credentials.current?.index ?? -1,
    });
    return this.#attempt(delay, now);
  }

  /** The route's next fallback that can serve the request, if the route allows one and time is left. */
  async #fallback(label: string): Promise<Step | undefined> {
    const { policy, cooldowns, needs } = this.#options;
    const callable = this.#options.callable ?? ANY;
    while (this.#queue.length > 0) {
      if (this.#pastDeadline()) return undefined;
      const model = lookup(policy.models, this.#queue.shift()!, 'model');
      const provider = lookup(policy.providers, model.provider, 'provider');
      if (!callable(provider, model)) {
        this.#skipped(model, { reason: 'format_not_supported' });
        continue;
      }
      const unmet = await needs.unmet(model);
      if (unmet) {
        this.#skipped(model, unmet);
        continue;
      }
      if (!cooldowns.available(provider.name, model.id, this.#now())) {
        this.#skipped(model, { reason: 'cooldown' });
        this.#deferred.push(model.id);
        continue;
      }
      return this.#switchTo(model, label);
    }
    // Everything left is cooling down: better to probe one than to fail without trying.
    const probe = this.#deferred.shift();
    if (probe === undefined || this.#pastDeadline()) return undefined;
    return this.#switchTo(lookup(policy.models, probe, 'model'), label);
  }

  #switchTo(model: ModelConfig, label: string): Step {
    const { policy, record } = this.#options;
    const provider = lookup(policy.providers, model.provider, 'provider');
    if (this.#attempts() > 0 || model.id !== this.#primary) {
      this.#event(EVENT_FALLBACK, {
        reason: label,
        from_model: this.#model.id,
        from_provider: this.#provider.name,
        to_model: model.id,
        to_provider: provider.name,
      });
    }
    if (model.id !== this.#primary) record.fallbackReason ??= label;
    this.#model = model;
    this.#provider = provider;
    this.#credentials = new CredentialCursor(provider);
    this.#round = 0;
    this.#schemaRetried = false;
    return this.#attempt(0, this.#now());
  }

  #attempt(delayMs: number, now: number): AttemptStep {
    return {
      kind: 'attempt',
      model: this.#model,
      provider: this.#provider,
      credential: this.#credentials.current,
      delayMs,
      firstByte: firstByteLimit(this.settings.timeouts, this.deadlineAt, now + delayMs),
    };
  }

  /** Consecutive failures per model/provider pair: an answer clears them, a failure counts. */
  #keepScore(verdict: Verdict, now: number): void {
    const { cooldowns } = this.#options;
    const provider = this.#provider.name;
    const model = this.#model.id;
    if (
      verdict.kind === 'ok' ||
      verdict.kind === 'pass' ||
      (verdict.kind === 'trigger' && verdict.trigger === 'schema_invalid')
    ) {
      cooldowns.succeeded(provider, model);
    } else if (verdict.kind === 'trigger' && cooldowns.failed(provider, model, now)) {
      const { failures, durationMs } = this.#options.policy.failover.cooldown;
      this.#event(EVENT_COOLDOWN, { ...this.#where(), failures, duration_ms: durationMs });
    }
  }

  #skipped(model: ModelConfig, why: Unmet | { readonly reason: 'cooldown' } | { readonly reason: 'format_not_supported' }): void {
    const detail = why.reason === 'missing_capability' || why.reason === 'context_window' ? unmetAttributes(why) : {};
    this.#event(EVENT_FALLBACK_SKIPPED, { model: model.id, provider: model.provider, reason: why.reason, ...detail });
  }

  #pastDeadline(): boolean {
    return this.deadlineAt !== undefined && this.#now() >= this.deadlineAt;
  }

  #where(): { model: string; provider: string } {
    return { model: this.#model.id, provider: this.#provider.name };
  }

  #attempts(): number {
    return this.#options.record.attempts.length;
  }

  #event(name: string, attributes: Record<string, string | number | boolean>): void {
    const last = this.#attempts() - 1;
    this.#options.record.events.push(
      last >= 0 ? { name, at: this.#now(), attempt: last, attributes } : { name, at: this.#now(), attributes },
    );
  }
}

function lookup<T>(map: ReadonlyMap<string, T>, key: string, what: string): T {
  const value = map.get(key);
  if (value === undefined) throw new Error(`switchyard: failover got ${what} "${key}" that the policy does not define`);
  return value;
}
