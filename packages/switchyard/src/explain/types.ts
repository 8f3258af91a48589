// What explain takes and what it answers: the same object for `switchyard explain --json`, the admin
// endpoint and policy tests.
import type { Endpoint } from '@switchyard/core';
import type { BudgetFigures, BudgetTrace } from './budget-check.js';
import type { GivenValues } from './given.js';
import type { RuleTrace, SignalTrace } from './rule-trace.js';
import type { SimulatedCall, UpstreamOutcome } from './simulate.js';

export type { BudgetFigures, BudgetTrace, GivenValues, RuleTrace, SignalTrace, SimulatedCall, UpstreamOutcome };

/** A request to explain, as a client would send it. */
export interface ExplainInput {
  /** The request body: an object, or its JSON text or bytes. */
  readonly body: unknown;
  /** Where it is sent, below `/v1`. Default: `/chat/completions`. */
  readonly path?: string;
  /** Its headers, e.g. `x-switchyard-workflow`. An `Authorization` or `x-api-key` header is its client key. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The client key that sends it: a key's `name`, the env var its secret is read from, or the secret itself.
   * Default: the key in `headers`, else none.
   */
  readonly key?: string;
  /** Signals to assume instead of computing them, e.g. `{ hour_local: 23 }`. `owner` also bills the call to that owner. */
  readonly given?: GivenValues;
  /**
   * Scripted upstream outcomes by exact model ID, in attempt order (an HTTP status, `timeout`,
   * `connect_error` or `refusal`); attempts past the script answer 200. Default: every attempt answers 200.
   */
  readonly upstream?: Readonly<Record<string, readonly UpstreamOutcome[]>>;
}

/** Which part of the stack refuses a request. */
export type RefusalStage = 'keys' | 'request' | 'model' | 'budget' | 'format';

/** The error the client would get instead of an upstream call. */
export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly by: RefusalStage;
}

/** A fallback candidate, as the plan would meet it on a call whose every attempt fails. */
export interface FallbackTrace {
  readonly model: string;
  readonly provider: string;
  /** `try`: the call would move to it; `skip`: it would be passed over, for `reason`. */
  readonly action: 'try' | 'skip';
  /** `missing_capability`, `context_window`, `format_not_supported` or `cooldown`. */
  readonly reason?: string;
  /** The capability the request needs and the model lacks. */
  readonly capability?: string;
  /** The tokens the request may need (`input_tokens` + `max_tokens`) and the model's context window. */
  readonly needed_tokens?: number;
  readonly context_window?: number;
}

/** What the gateway would do with a request, without calling any provider. */
export interface Explanation {
  /** The policy that decided: its version (content hash) and file. */
  readonly policy: { readonly version: string; readonly source: string | null };
  readonly endpoint: Endpoint | null;
  /** The `model` the request names. */
  readonly requested_model: string | null;
  /** The client key it is sent with, if the policy knows it. */
  readonly key: { readonly name: string; readonly owner: string } | null;
  /** Who it is billed to: the client key's owner. */
  readonly owner: string;
  /** The workflow it runs as (`x-switchyard-workflow`, `metadata.workflow`, else `default`); `null` when refused before. */
  readonly workflow: string | null;
  /** Who the workflow's calls are charged back to (its `owner`, else the key's owner). */
  readonly workflow_owner: string | null;
  /** The run it belongs to (`x-switchyard-run`). */
  readonly run_id: string | null;
  /** The route the request names; `null` for an exact model ID (or when it was refused before). */
  readonly route: string | null;
  /** The rule that matched, or `default`; `null` for an exact model ID. */
  readonly rule: string | null;
  /** The exact model chosen. */
  readonly model: string | null;
  /** The provider it is pinned to. */
  readonly provider: string | null;
  /** The route's rules in order: the signals each read and how it came out. */
  readonly rules: readonly RuleTrace[];
  /** Every signal a rule read. */
  readonly signals: readonly SignalTrace[];
  /** The route's fallbacks, as the plan would try them when every attempt fails. */
  readonly fallbacks: readonly FallbackTrace[];
  /** Why no fallback would ever be tried (an exact model ID, a strict route, an empty `fallback.on`), if so. */
  readonly fallback_note: string | null;
  /** The budget's view: estimate, limit, figures; `null` when the request was refused before. */
  readonly budget: BudgetTrace | null;
  /** `null` when the request would be sent upstream. */
  readonly refusal: Refusal | null;
  /** The call as the failover plan would run it against the upstream outcomes given (default: all 200); `null` when refused. */
  readonly call: SimulatedCall | null;
}
