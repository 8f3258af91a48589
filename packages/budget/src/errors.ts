// The refusals of budget(): typed, with stable codes; core's errorHandler() renders them in
// the client's wire format.
import { SwitchyardError, type StoreErrorMode } from '@switchyard/core';
import { usdText } from './pricing.js';

export interface ExceededFacts {
  readonly owner: string;
  readonly window: string;
  readonly timeZone: string;
  readonly limitUsd: number;
  readonly spendUsd: number;
  readonly reservedUsd: number;
  readonly estimateUsd: number;
  /** Epoch ms when the window ends and spend resets. */
  readonly resetsAt: number;
}

/** 429 `budget_exceeded`: the owner's hard stop; says what was spent, what the call could cost and when it resets. */
export function budgetExceeded(f: ExceededFacts): SwitchyardError {
  return monthExceeded(f, 'budget_exceeded', `Owner "${f.owner}"`);
}

/** 429 `workflow_budget_exceeded`: the workflow's `cost.monthly_usd` with `hard_stop`, whoever's key made the call. */
export function workflowBudgetExceeded(f: ExceededFacts): SwitchyardError {
  return monthExceeded(f, 'workflow_budget_exceeded', `Workflow "${f.owner}"`);
}

function monthExceeded(f: ExceededFacts, code: string, whose: string): SwitchyardError {
  const inFlight = f.reservedUsd > 0 ? ` and ${usdText(f.reservedUsd)} is reserved by calls in flight` : '';
  return new SwitchyardError({
    status: 429,
    type: 'rate_limit_error',
    code,
    message:
      `${whose} has spent ${usdText(f.spendUsd)} of its ${usdText(f.limitUsd)} budget for ${f.window} (${f.timeZone})${inFlight}; ` +
      `this call could cost up to ${usdText(f.estimateUsd)}, which would pass the limit. The budget resets at ${new Date(f.resetsAt).toISOString()}.`,
  });
}

/** 429 `run_budget_exceeded`: the calls of one run (`x-switchyard-run`) would pass the workflow's `cost.max_run_usd`. */
export function runBudgetExceeded(f: ExceededFacts): SwitchyardError {
  const inFlight = f.reservedUsd > 0 ? ` and ${usdText(f.reservedUsd)} is reserved by its calls in flight` : '';
  return new SwitchyardError({
    status: 429,
    type: 'rate_limit_error',
    code: 'run_budget_exceeded',
    message:
      `Run "${f.owner}" has spent ${usdText(f.spendUsd)} of its ${usdText(f.limitUsd)} ceiling (max_run_usd)${inFlight}; ` +
      `this call could cost up to ${usdText(f.estimateUsd)}, which would pass it. A run is forgotten 24 hours after its last call.`,
  });
}

/** 400 `request_cost_exceeded`: a single call that could cost more than its owner's or route's ceiling. */
export function requestTooExpensive(
  estimateUsd: number | undefined,
  ceilingUsd: number,
  whose: string,
  unbounded?: string,
): SwitchyardError {
  const could =
    estimateUsd !== undefined
      ? `could cost up to ${usdText(estimateUsd)}`
      : unbounded !== undefined
        ? `has no upper bound on its cost: it uses ${unbounded}`
        : 'has no upper bound on its cost (its model has no output cap)';
  return new SwitchyardError({
    status: 400,
    type: 'invalid_request_error',
    code: 'request_cost_exceeded',
    param: 'max_tokens',
    message: `This call ${could}; ${whose} allows at most ${usdText(ceilingUsd)} per call. Lower max_tokens or shorten the prompt.`,
  });
}

/**
 * 400 `cost_unbounded`: a hard-stopped owner's call whose worst case cannot be known — its model has no price
 * or no output cap, or the request uses something the upstream bills without bound (`unbounded` names it).
 */
export function costUnbounded(model: string, unbounded?: string): SwitchyardError {
  const message =
    unbounded === undefined
      ? `The cost of this call on "${model}" has no upper bound (the model has no price or no output cap); set max_tokens.`
      : `The cost of this call on "${model}" has no upper bound: it uses ${unbounded}. Its owner has a hard stop, ` +
        'so only calls whose worst case is known are served; leave it out.';
  return new SwitchyardError({
    status: 400,
    type: 'invalid_request_error',
    code: 'cost_unbounded',
    param: unbounded === undefined ? 'max_tokens' : undefined,
    message,
  });
}

/** 503 `budget_store_unavailable`: the store is down and the policy says `fail_closed`. */
export function storeUnavailable(mode: StoreErrorMode, cause: unknown): SwitchyardError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new SwitchyardError({
    status: 503,
    type: 'api_error',
    code: 'budget_store_unavailable',
    message: `The budget store failed: ${why}. The policy says on_store_error: ${mode}, so calls are refused until it is back.`,
    cause,
  });
}
