// The failover decisions of one request: which attempt comes next and after what wait, or that the last
// one stands. The caller makes the attempts and reports how each ended; every decision lands in the record.
import {
  DEFAULT_WORKFLOW,
  listedFallbacks,
  type FailoverSettings,
  type ModelConfig,
  type Policy,
  type ProviderConfig,
  type ProviderCredential,
  type RoutingRecord,
  type Selection,
  type TimeoutSettings,
  type TransitionOutcome,
  type WorkflowConfig,
} from '@switchyard/core';
import { backoffDelay } from './backoff.js';
import { capabilityMissing } from './capability-error.js';
import type { CooldownRegistry } from './cooldown.js';
import { CredentialCursor } from './credentials.js';
import {
  EVENT_COOLDOWN,
  EVENT_FALLBACK,
  EVENT_FALLBACK_SKIPPED,
  EVENT_RETRY,
  EVENT_RETRY_SKIPPED,
  EVENT_SCHEMA_INVALID,
  EVENT_TRANSITION,
} from './events.js';
import { FallbackQueue, lookup, type SkipReason } from './fallback-queue.js';
import { firstByteLimit, type FirstByteLimit } from './first-byte.js';
import { unmetAttributes, workflowUnmet, type Unmet } from './needs.js';
import { retryAfterMs } from './retry-after.js';
import { TransitionState, TransitionTable, type Decision } from './transitions.js';
import { isFailureStatus, triggerLabel, verdictOf, type AttemptReport, type Verdict } from './triggers.js';

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
  /** What the client asked for and how it was resolved: an exact ID moves only to its workflow's `fallback.allowed`. */
  readonly selection: Selection;
  /** The exact model ID chosen for the request (`record.target.model`). */
  readonly model: string;
  readonly cooldowns: CooldownRegistry;
  /** Checks a candidate (the chosen model included) against what the request needs. */
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
 * `fallbacks` (or its workflow lists `fallback.allowed`), on a fallback trigger once retries are spent or
 * on a `fallback` transition; never to a model the workflow blocks.
 *
 * The call's workflow is the one the record names (`record.workflow`, else `default`). Its `on:` map and
 * the route's decide the outcomes they name (see `TransitionTable`); every other outcome is decided by the
 * failover section as before. Every candidate, the chosen model included, must have what the request needs
 * and what the workflow requires: one that lacks it is passed over (`switchyard.fallback.skipped`).
 */
export class FailoverPlan {
  readonly settings: FailoverSettings;
  /** Epoch ms by which the whole call must be over, when `total_ms` is set. */
  readonly deadlineAt: number | undefined;
  readonly #options: PlanOptions;
  readonly #now: () => number;
  readonly #primary: string;
  readonly #queue: FallbackQueue;
  #model: ModelConfig;
  #provider: ProviderConfig;
  #credentials: CredentialCursor;
  #round = 0;
  readonly #workflow: WorkflowConfig | undefined;
  readonly #written: TransitionState;
  /** The failover section's timeouts, `totalMs` the workflow's `timeout_ms` when that is shorter. */
  readonly #timeouts: TimeoutSettings;
  readonly #totalSetting: 'total_ms' | 'timeout_ms';
  /** The workflow's `latency.on_timeout`, for attempts that pass its `first_token_ms`. */
  readonly #onFirstToken: TransitionState | undefined;

  constructor(options: PlanOptions) {
    const { policy, selection, model, record } = options;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const route = selection.kind === 'route' ? selection.route : undefined;
    this.settings = (route !== undefined && policy.failover.routes.get(route)) || policy.failover.defaults;
    this.#primary = model;
    const routeConfig = route === undefined ? undefined : policy.routes.get(route);
    this.#workflow = policy.workflows?.get(record.workflow ?? DEFAULT_WORKFLOW);
    // The call's deadline: the failover section's total_ms, or the workflow's timeout_ms when that is shorter.
    const own = this.settings.timeouts.totalMs;
    const workflowMs = this.#workflow?.latency?.timeoutMs;
    const byWorkflow = workflowMs !== undefined && (own === undefined || workflowMs < own);
    const total = byWorkflow ? workflowMs : own;
    this.#timeouts = byWorkflow ? { ...this.settings.timeouts, totalMs: workflowMs } : this.settings.timeouts;
    this.#totalSetting = byWorkflow ? 'timeout_ms' : 'total_ms';
    this.deadlineAt = total === undefined ? undefined : record.startedAt + total;
    this.#queue = new FallbackQueue({
      policy,
      listed: listedFallbacks(policy, selection, this.#workflow),
      primary: model,
      blocked: this.#workflow?.fallback.blocked,
      cooldowns: options.cooldowns,
      callable: options.callable ?? ANY,
      unmet: (candidate) => this.#unmet(candidate),
      skipped: (candidate, why) => this.#skipped(candidate, why),
      now: this.#now,
    });
    this.#written = new TransitionState(new TransitionTable(this.#workflow?.on, routeConfig?.on), this.settings.onSchemaError);
    const onTimeout = this.#workflow?.latency?.onTimeout;
    this.#onFirstToken = onTimeout
      ? new TransitionState(new TransitionTable(new Map([['timeout', onTimeout]]), undefined), this.settings.onSchemaError)
      : undefined;
    this.#model = lookup(policy.models, model, 'model');
    this.#provider = lookup(policy.providers, this.#model.provider, 'provider');
    this.#credentials = new CredentialCursor(this.#provider);
  }

  /**
   * Whether a transition needs a non-streamed 2xx answer read whole before it is judged: one is written for
   * `refusal`, which the answer's finish reasons tell. A stream's refusal arrives after its first byte has
   * gone to the client and cannot be taken back.
   */
  get needsWholeAnswer(): boolean {
    return this.#written.table.names('refusal');
  }

  /** Whether a transition needs a 4xx answer's error body to judge it: one is written for `unsupported_input`. */
  get needsErrorBody(): boolean {
    return this.#written.table.names('unsupported_input');
  }

  /**
   * The first attempt: the chosen model, unless it lacks what the request needs or the workflow requires
   * (then the first allowed fallback that has it), or it is cooling down and the route has somewhere else to go.
   * @throws SwitchyardError 400 `capability_missing` when neither the chosen model nor any allowed fallback can serve the request.
   */
  async first(): Promise<Step> {
    const unmet = await this.#unmet(this.#model);
    if (unmet) {
      this.#skipped(this.#model, unmet);
      const step = await this.#fallback('capability_missing');
      if (step) return step;
      throw capabilityMissing(this.#model, unmet);
    }
    const now = this.#now();
    const { cooldowns } = this.#options;
    if (!this.#queue.isEmpty && !cooldowns.available(this.#provider.name, this.#model.id, now)) {
      this.#skipped(this.#model, { reason: 'cooldown' });
      this.#queue.defer(this.#model.id);
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
    if (report.kind === 'answered' && report.schemaViolation) {
      const violation = report.schemaViolation;
      this.#event(EVENT_SCHEMA_INVALID, { ...this.#where(), path: violation.path, keyword: violation.keyword });
    }
    // Passing first_token_ms is the workflow's on_timeout when it writes one; else the timeout transition.
    const firstToken = report.kind === 'failed' && report.firstToken ? this.#onFirstToken?.decide(report) : undefined;
    const decision = firstToken ?? this.#written.decide(report);
    if (decision) return this.#follow(decision, report, now);
    if (verdict.kind !== 'trigger') return FINISH;
    const { trigger } = verdict;
    if (trigger === 'schema_invalid') return (await this.#onSchemaError(now)) ?? FINISH;
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

  /**
   * Follows a written transition: a retry of the same model while its `retries` last, then its terminal
   * action. A retry that cannot be made (the deadline, a Retry-After over `max_delay_ms`) goes straight on to it.
   */
  async #follow(decision: Decision, report: AttemptReport, now: number): Promise<Step> {
    const { found, label } = decision;
    const { outcome, from } = found;
    const action = decision.kind === 'retry' ? 'retry_same_route' : decision.action;
    this.#options.record.transition = { outcome, action, attempt: Math.max(0, this.#attempts() - 1), from };
    this.#event(EVENT_TRANSITION, { ...this.#where(), outcome, action, from });
    if (decision.kind === 'retry') {
      const step = this.#retryFor(label, report, decision.n, now);
      return step ?? this.#follow({ kind: 'then', found, label, action: found.transition.action }, report, now);
    }
    if (action === 'stop_and_escalate') this.#options.record.escalate = true;
    return (action === 'fallback' && (await this.#fallback(label))) || FINISH;
  }

  /**
   * Retry number `n` for `outcome`: a refusal or a schema-invalid answer at once; a rate limit or server
   * error on the provider's next credential at once, else after the backoff (or the Retry-After, if longer);
   * anything else after the backoff.
   */
  #retryFor(outcome: TransitionOutcome, report: AttemptReport, n: number, now: number): Step | undefined {
    if (report.kind === 'answered' && report.status >= 200 && report.status <= 299) return this.#retry(outcome, 0, now);
    const rotating = report.kind === 'answered' && isFailureStatus(report.status) && report.status !== 408;
    if (rotating && this.#credentials.advance()) return this.#retry(outcome, 0, now);
    const delay = this.#wait(report, n, outcome, now);
    if (delay === undefined || (rotating && !this.#credentials.restart())) return undefined;
    return this.#retry(outcome, delay, now);
  }

  /** The wait before retry `n`: the backoff, or the upstream's Retry-After if longer; `undefined` when that is over `max_delay_ms`. */
  #wait(report: AttemptReport, n: number, label: string, now: number): number | undefined {
    const { retry } = this.settings;
    const asked = report.kind === 'answered' ? retryAfterMs(report.headers, now) : undefined;
    const delay = Math.max(backoffDelay(n, retry.backoffMs, retry.maxDelayMs, this.#options.random), asked ?? 0);
    if (asked === undefined || asked <= retry.maxDelayMs) return delay;
    this.#event(EVENT_RETRY_SKIPPED, { ...this.#where(), reason: label, why: 'retry_after', delay_ms: delay });
    return undefined;
  }

  async #onSchemaError(now: number): Promise<Step | undefined> {
    switch (this.settings.onSchemaError) {
      case 'retry':
        return this.#written.schemaRetry() ? this.#retry('schema_invalid', 0, now) : undefined;
      case 'fallback':
        return this.#fallback('schema_invalid');
      case 'return':
        return undefined;
    }
  }

  /** The next round over the credentials, after a backoff (or the upstream's Retry-After, if longer). */
  #backoff(report: AttemptReport, label: string, now: number): Step | undefined {
    if (this.#round + 1 >= this.settings.retry.attempts) return undefined;
    const delay = this.#wait(report, this.#round + 1, label, now);
    if (delay === undefined || !this.#credentials.restart()) return undefined;
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

  /** The next allowed fallback that can serve the request, if the route (or the workflow) allows one and time is left. */
  async #fallback(label: string): Promise<Step | undefined> {
    const model = await this.#queue.next(() => this.#pastDeadline());
    return model && this.#switchTo(model, label);
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
    this.#written.reset();
    this.#onFirstToken?.reset();
    return this.#attempt(0, this.#now());
  }

  /** What `model` lacks of the workflow's requirements, then of the request's needs. */
  async #unmet(model: ModelConfig): Promise<Unmet | undefined> {
    return workflowUnmet(this.#workflow, model) ?? (await this.#options.needs.unmet(model));
  }

  #attempt(delayMs: number, now: number): AttemptStep {
    return {
      kind: 'attempt',
      model: this.#model,
      provider: this.#provider,
      credential: this.#credentials.current,
      delayMs,
      firstByte: firstByteLimit(
        this.#timeouts,
        this.deadlineAt,
        now + delayMs,
        this.#workflow?.latency?.firstTokenMs,
        this.#totalSetting,
      ),
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

  #skipped(model: ModelConfig, why: SkipReason): void {
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
