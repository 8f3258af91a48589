// Time to first token per workflow and model: a rolling p95 kept in this gateway instance's memory, and the
// signal `p95_first_token_ms` that lets a rule move a workflow off a model that misses its objective.
import { AUTO_MODEL, DEFAULT_WORKFLOW, type Policy, type RoutingRecord } from '@switchyard/core';
import { defineSignal } from './define-signal.js';
import type { SignalPlugin } from './types.js';

/** The signal: the rolling p95 time to first token (ms) of the call's workflow on the model it names. */
export const SIGNAL_P95_FIRST_TOKEN_MS = 'p95_first_token_ms';
/** Samples kept per workflow and model: the newest win. */
export const FIRST_TOKEN_SAMPLES = 128;
/** Samples older than this do not count. */
export const FIRST_TOKEN_WINDOW_MS = 5 * 60 * 1000;
/** Below this many samples in the window there is no p95. */
export const FIRST_TOKEN_MIN_SAMPLES = 10;

/** A ring of the newest samples of one workflow on one model. */
class Ring {
  readonly ms = new Float64Array(FIRST_TOKEN_SAMPLES);
  readonly at = new Float64Array(FIRST_TOKEN_SAMPLES);
  next = 0;
  size = 0;

  add(ms: number, at: number): void {
    this.ms[this.next] = ms;
    this.at[this.next] = at;
    this.next = (this.next + 1) % FIRST_TOKEN_SAMPLES;
    this.size = Math.min(this.size + 1, FIRST_TOKEN_SAMPLES);
  }

  /** The samples no older than the window, in no order. */
  recent(now: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.size; i++) if (now - this.at[i]! <= FIRST_TOKEN_WINDOW_MS) out.push(this.ms[i]!);
    return out;
  }
}

/** The figures of one workflow on one model, as `GET /v1/switchyard/workflows` shows them. */
export interface FirstTokenFigures {
  readonly model: string;
  /** Samples in the window. */
  readonly samples: number;
  /** `null` below FIRST_TOKEN_MIN_SAMPLES samples. */
  readonly p95_ms: number | null;
}

/**
 * Rolling time-to-first-token samples, per workflow and model: the last 128 of each, counting only those of
 * the last 5 minutes, no p95 below 10. Memory is bounded by the policy (its workflows × its models). One per
 * gateway instance; a reload hands it to the next policy version.
 */
export class FirstTokenStats {
  readonly #rings = new Map<string, Map<string, Ring>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  add(workflow: string, model: string, ms: number, at: number = this.#now()): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    let models = this.#rings.get(workflow);
    if (!models) this.#rings.set(workflow, (models = new Map()));
    let ring = models.get(model);
    if (!ring) models.set(model, (ring = new Ring()));
    ring.add(ms, at);
  }

  /** The p95 (nearest rank) of `workflow` on `model`; `undefined` below the minimum of samples. */
  p95(workflow: string, model: string, now: number = this.#now()): number | undefined {
    const samples = this.#rings.get(workflow)?.get(model)?.recent(now);
    return samples && percentile95(samples);
  }

  /** Every model's figures for `workflow`. */
  figures(workflow: string, now: number = this.#now()): FirstTokenFigures[] {
    const models = this.#rings.get(workflow);
    if (!models) return [];
    return [...models].map(([model, ring]) => {
      const samples = ring.recent(now);
      return { model, samples: samples.length, p95_ms: percentile95(samples) ?? null };
    });
  }

  /**
   * Takes a settled call's samples: each attempt's time to its first token, and an attempt given up on its
   * first token (`first_token_timeout`) with the time it waited. `workflow`: the name to file them under
   * (default: the record's); give a name the policy defines, so that clients cannot grow the map.
   */
  observe(record: RoutingRecord, workflow: string = record.workflow ?? DEFAULT_WORKFLOW): void {
    for (const a of record.attempts) {
      if (a.firstTokenAt !== undefined) this.add(workflow, a.model, a.firstTokenAt - a.startedAt, a.firstTokenAt);
      else if (a.errorClass === FIRST_TOKEN_TIMEOUT && a.endedAt !== undefined)
        this.add(workflow, a.model, a.endedAt - a.startedAt, a.endedAt);
    }
  }
}

/** The error class dispatch() gives an attempt that passed its workflow's `first_token_ms`. */
export const FIRST_TOKEN_TIMEOUT = 'first_token_timeout';

function percentile95(samples: number[]): number | undefined {
  if (samples.length < FIRST_TOKEN_MIN_SAMPLES) return undefined;
  samples.sort((a, b) => a - b);
  return samples[Math.ceil(0.95 * samples.length) - 1];
}

/**
 * `p95_first_token_ms` (`double`): the rolling p95 of the call's workflow on the model the call names by
 * default (the route's default, the exact model, or for `auto` the workflow's route's default). Absent below
 * 10 samples in the last 5 minutes. Read once per call, when a rule reads it.
 */
export function firstTokenSignal(policy: Policy, stats: FirstTokenStats): SignalPlugin {
  return defineSignal({
    name: SIGNAL_P95_FIRST_TOKEN_MS,
    type: 'double',
    extract({ record }) {
      // Figures are filed under workflows the policy defines; any other label's calls count as `default`.
      const named = record.workflow;
      const workflow = named !== undefined && policy.workflows.has(named) ? named : DEFAULT_WORKFLOW;
      const model = defaultModel(policy, record.requestedModel, workflow);
      if (model === undefined) throw new Error(`"${record.requestedModel}" names no model or route`);
      const p95 = stats.p95(workflow, model);
      if (p95 === undefined)
        throw new Error(
          `fewer than ${FIRST_TOKEN_MIN_SAMPLES} samples of workflow "${workflow}" on "${model}" in the last 5 minutes`,
        );
      return p95;
    },
  });
}

function defaultModel(policy: Policy, requested: string | undefined, workflow: string): string | undefined {
  if (requested === undefined) return undefined;
  const routeName =
    requested === AUTO_MODEL && !policy.routes.has(AUTO_MODEL) ? policy.workflows.get(workflow)?.route : requested;
  const route = routeName === undefined ? undefined : policy.routes.get(routeName);
  if (route) return route.default;
  return policy.models.has(requested) ? requested : undefined;
}
