// One call through the real failover plan against scripted upstream outcomes: no network, no waiting (a
// virtual clock moves by the backoffs and timeouts the plan decides), every decision as the plan makes it.
import { SwitchyardError } from '@switchyard/core';
import {
  createRecord,
  type Attempt,
  type ParsedRequest,
  type Policy,
  type ProviderConfig,
  type RoutingEvent,
  type Selection,
  type SignalReader,
  type Target,
  type TransitionTaken,
} from '@switchyard/core';
import { DEFAULT_TIMEOUT_MS, upstreamTimeout, upstreamUnavailable } from '@switchyard/dispatch';
import {
  CooldownRegistry,
  FailoverPlan,
  judgeAnswer,
  RequestNeeds,
  type AttemptStep,
  type UpstreamAnswer,
} from '@switchyard/failover';
import { wiresFor } from '@switchyard/formats';
import { candidateCheck } from './candidates.js';

/**
 * How one scripted upstream attempt ends: an HTTP status, no first byte in time, no connection, or a 200 whose
 * model refused (finish reason `content_filter`).
 */
export type UpstreamOutcome = number | 'timeout' | 'connect_error' | 'refusal';

/** One attempt the plan made. */
export interface SimulatedAttempt {
  readonly model: string;
  readonly provider: string;
  /** The provider credential's index (-1 for a provider without credentials). */
  readonly credential: number;
  /** How long the plan waited before it (backoff or Retry-After). */
  readonly delay_ms: number;
  /** The scripted outcome. */
  readonly outcome: UpstreamOutcome;
}

/** How the simulated call ended for the client. */
export interface SimulatedCall {
  readonly attempts: readonly SimulatedAttempt[];
  /** The model whose answer the client got (`x-switchyard-served-model`); `null` when none. */
  readonly served: string | null;
  /** The model whose error answer the client got (`x-switchyard-error-model`); `null` when none. */
  readonly error_model: string | null;
  /** The status the client got. */
  readonly status: number;
  /** The gateway's error code (`upstream_unavailable`, `upstream_timeout`); `null` for an upstream's own answer. */
  readonly code: string | null;
  /** `x-switchyard-fallback-reason`: why a fallback answered; `null` when the chosen model did (or none did). */
  readonly fallback_reason: string | null;
  /** The plan's decisions, in order: retries, fallbacks, skipped candidates, cooldowns. */
  readonly events: readonly RoutingEvent[];
  /** The last transition of an `on:` map that decided what followed an attempt (`refusal: stop_and_escalate`…); `null` when none did. */
  readonly transition: { readonly outcome: string; readonly action: string; readonly from: string } | null;
  /** A `stop_and_escalate` transition ended the call. */
  readonly escalate: boolean;
}

export interface SimulationInput {
  readonly policy: Policy;
  readonly request: ParsedRequest;
  readonly selection: Selection;
  readonly target: Target;
  /** The request's signal reader: fallback candidates are checked against what the request needs. */
  readonly reader: SignalReader | undefined;
  /** The outcome of the `n`th attempt (from 0) on `model`. */
  readonly outcome: (model: string, n: number) => UpstreamOutcome;
  /** Epoch ms the call starts at (the `total_ms` clock). Default: now. */
  readonly startedAt?: number;
  /** The workflow the call runs as (its `on:` map, fallbacks, requirements); default: `default`. */
  readonly workflow?: string;
}

/** An upper bound on attempts, against a plan that would never finish. */
const MAX_ATTEMPTS = 1000;

/** Runs the call's failover plan against `outcome`, the way dispatch() runs it against real upstreams. */
export async function simulateCall(input: SimulationInput): Promise<SimulatedCall> {
  const { policy, target } = input;
  const record = createRecord(input.startedAt);
  record.workflow = input.workflow;
  let clock = record.startedAt;
  const plan = new FailoverPlan({
    policy,
    record,
    selection: input.selection,
    model: target.model,
    cooldowns: new CooldownRegistry(policy.failover.cooldown),
    needs: new RequestNeeds(input.reader),
    callable: candidateCheck(input.request),
    now: () => clock,
    // Mid-range jitter: the same script always makes the same waits.
    random: () => 0.5,
  });
  const attempts: SimulatedAttempt[] = [];
  const counts = new Map<string, number>();
  let last: { step: AttemptStep; outcome: UpstreamOutcome } | undefined;
  let first: Awaited<ReturnType<FailoverPlan['first']>>;
  try {
    first = await plan.first();
  } catch (err) {
    // No candidate has what the request needs, the chosen model included: the client's 400, and no call.
    if (!(err instanceof SwitchyardError)) throw err;
    return {
      attempts,
      served: null,
      error_model: null,
      status: err.status,
      code: err.code,
      fallback_reason: null,
      events: record.events,
      ...verdict(record),
    };
  }
  for (let step = first; step.kind === 'attempt' && attempts.length < MAX_ATTEMPTS; ) {
    clock += step.delayMs;
    const n = counts.get(step.model.id) ?? 0;
    counts.set(step.model.id, n + 1);
    const outcome = input.outcome(step.model.id, n);
    const startedAt = clock;
    if (outcome === 'timeout') clock += step.firstByte?.ms ?? DEFAULT_TIMEOUT_MS;
    record.attempts.push(attemptOf(step, outcome, startedAt, clock));
    attempts.push({
      model: step.model.id,
      provider: step.provider.name,
      credential: step.credential?.index ?? -1,
      delay_ms: step.delayMs,
      outcome,
    });
    last = { step, outcome };
    step = await plan.next(judgeAnswer(answerOf(outcome, step), undefined));
  }
  return { attempts, ...ending(last, record.fallbackReason, target, input.request), events: record.events, ...verdict(record) };
}

function verdict(record: { transition?: TransitionTaken; escalate?: boolean }): Pick<SimulatedCall, 'transition' | 'escalate'> {
  const t = record.transition;
  return { transition: t ? { outcome: t.outcome, action: t.action, from: t.from } : null, escalate: record.escalate === true };
}

function answerOf(outcome: UpstreamOutcome, step: AttemptStep): UpstreamAnswer {
  const { provider } = step;
  if (typeof outcome === 'number') return { kind: 'answered', status: outcome, headers: {}, format: provider.format };
  // A scripted timeout is the attempt's first-byte limit passing: the workflow's first_token_ms when that is the shortest.
  if (outcome === 'timeout' && step.firstByte?.setting === 'first_token_ms') return { kind: 'failed', outcome, firstToken: true };
  if (outcome === 'refusal')
    return { kind: 'answered', status: 200, headers: {}, format: provider.format, finishReasons: ['content_filter'] };
  return { kind: 'failed', outcome };
}

function attemptOf(step: AttemptStep, outcome: UpstreamOutcome, startedAt: number, endedAt: number): Attempt {
  const base = {
    provider: step.provider.name,
    model: step.model.id,
    credentialIndex: step.credential?.index ?? -1,
    startedAt,
    endedAt,
  };
  if (outcome === 'refusal') return { ...base, status: 200, outcome: 'ok' };
  if (typeof outcome !== 'number') return { ...base, outcome, errorClass: outcome };
  const ok = outcome >= 200 && outcome <= 299;
  return ok
    ? { ...base, status: outcome, outcome: 'ok' }
    : { ...base, status: outcome, outcome: 'http_error', errorClass: `http_${outcome}` };
}

type Ending = Omit<SimulatedCall, 'attempts' | 'events' | 'transition' | 'escalate'>;

/** What the client gets from the last attempt, as dispatch() answers it. */
function ending(
  last: { step: AttemptStep; outcome: UpstreamOutcome } | undefined,
  fallbackReason: string | undefined,
  target: Target,
  request: ParsedRequest,
): Ending {
  if (!last) return { served: null, error_model: null, status: 502, code: 'upstream_unavailable', fallback_reason: null };
  const { step, outcome } = last;
  const model = step.model.id;
  // As dispatch() sets x-switchyard-fallback-reason: only when another model than the chosen one answered.
  const fallback_reason = fallbackReason !== undefined && model !== target.model ? fallbackReason : null;
  if (outcome === 'connect_error') {
    const error = upstreamUnavailable(step.provider, 'ECONNREFUSED', undefined);
    return { served: null, error_model: null, status: error.status, code: error.code, fallback_reason };
  }
  if (outcome === 'timeout') {
    const limit = step.firstByte;
    const error = upstreamTimeout(
      step.provider,
      limit?.limit ?? 'response',
      limit?.limitMs ?? DEFAULT_TIMEOUT_MS,
      limit?.setting,
    );
    return { served: null, error_model: null, status: error.status, code: error.code, fallback_reason };
  }
  if (outcome === 'refusal') return { served: model, error_model: null, status: 200, code: null, fallback_reason };
  const ok = outcome >= 200 && outcome <= 299;
  if (ok) return { served: model, error_model: null, status: outcome, code: null, fallback_reason };
  return { served: null, error_model: model, status: clientStatus(request, step.provider, outcome), code: null, fallback_reason };
}

/** The status the client gets for an upstream's error answer: translated, as its wire translates it (Anthropic's 529 is 503 to OpenAI clients). */
function clientStatus(request: ParsedRequest, provider: ProviderConfig, status: number): number {
  const translator = wiresFor(request.endpoint).get(provider.format)?.answer;
  return translator ? translator.error(status, EMPTY_ERROR).status : status;
}

const EMPTY_ERROR = Buffer.from('{}');
