// The loaded `workflows:` section, and the `on:` transitions that workflows and routes write: what
// @switchyard/failover and the workflows() middleware read. Defaults are filled in at load.
import type { Capability } from './capabilities.js';

/** What ends an outcome's handling: move to the next allowed model, or return the last answer as it is. */
export type TerminalAction = 'fallback' | 'stop' | 'stop_and_escalate';

/** An action as the policy writes it and the record shows it. */
export type TransitionAction = TerminalAction | 'retry_same_route';

/**
 * What the outcome of an attempt leads to: `retries` more tries of the same model on the same provider,
 * then `action` (the policy's `then:`). `{ retries: 0, action: 'fallback' }` is the policy's `fallback`;
 * `retry_same_route` alone is `{ retries: 1, action: 'stop' }`.
 */
export interface Transition {
  /** Tries of the same model after the first, before `action`; 0 = `action` at once. */
  readonly retries: number;
  readonly action: TerminalAction;
}

/**
 * The outcomes a transition may be written for:
 * - `http_NNN` (an upstream status from 400 to 599, except 401: a refused credential moves to the provider's
 *   next one), `http_4xx`, `http_5xx` (any status of the class without an entry of its own);
 * - `timeout`, `connect_error`;
 * - `schema_invalid` (a non-streamed answer broke the request's JSON schema), `schema_invalid_after_retry` (it
 *   did again, after the retries `schema_invalid` allows);
 * - `refusal` (a 2xx answer the model refused: finish reason `content_filter`, stop reason `refusal`, Gemini's
 *   `SAFETY`…; non-streamed answers only);
 * - `unsupported_input` (a 4xx whose error says the input's type, e.g. an image, is not supported).
 */
export type TransitionOutcome =
  | `http_${number}`
  | 'http_4xx'
  | 'http_5xx'
  | 'timeout'
  | 'connect_error'
  | 'schema_invalid'
  | 'schema_invalid_after_retry'
  | 'refusal'
  | 'unsupported_input';

/** A workflow's or a route's `on:` map, by outcome. */
export type Transitions = ReadonlyMap<TransitionOutcome, Transition>;

/** What every model serving a workflow must have, whatever the request holds. */
export interface WorkflowRequirements {
  readonly capabilities: ReadonlySet<Capability>;
  /** The smallest context window (tokens) a model serving the workflow may have. */
  readonly longContext?: number;
}

/** Where a workflow's calls may go when their model fails. */
export interface WorkflowFallback {
  /**
   * The models a fallback may move to, in order (a route named in the policy stands for its default); replaces
   * the route's `fallbacks` for this workflow's calls, and lets an exact model ID move to them. `undefined`:
   * the route's own `fallbacks`.
   */
  readonly allowed?: readonly string[];
  /** Models a fallback never moves to, even when a route or `allowed` lists them (a route stands for every model it names). */
  readonly blocked: ReadonlySet<string>;
}

/** A workflow's cost ceilings (`cost:`), stored for the budget guard. */
export interface WorkflowCost {
  /** A ceiling on one call's worst-case cost. */
  readonly maxRequestUsd?: number;
  /** USD per calendar month for the whole workflow, with `hardStop`. */
  readonly monthlyUsd?: number;
  readonly hardStop: boolean;
  /** A ceiling on one run: the calls of a key owner carrying the same `x-switchyard-run`, kept 24 h after the last. */
  readonly maxRunUsd?: number;
}

/** A workflow's latency targets (`latency:`), in milliseconds. */
export interface WorkflowLatency {
  /** A per-attempt deadline for the first token (first byte of a non-streamed answer); passing it is `onTimeout`. */
  readonly firstTokenMs?: number;
  /** The objective: the 95th percentile of time to first token. */
  readonly p95FirstTokenMs?: number;
  /** The longest one call may take. */
  readonly timeoutMs?: number;
  /** What passing `firstTokenMs` leads to. */
  readonly onTimeout?: Transition;
}

/** One workflow under `workflows:`. */
export interface WorkflowConfig {
  readonly name: string;
  /** Who the workflow's calls are charged to, when it says; else the client key's owner. */
  readonly owner?: string;
  /** The route used when a call of this workflow names the generic model `auto`. */
  readonly route?: string;
  readonly requires: WorkflowRequirements;
  readonly fallback: WorkflowFallback;
  /** Transitions of this workflow's calls; they win over the route's for the outcomes they name. */
  readonly on: Transitions;
  readonly cost?: WorkflowCost;
  readonly latency?: WorkflowLatency;
  /** Free text recorded with every call of the workflow, as evidence. */
  readonly risk?: string;
}
