// The refusals of keys() and adminOnly(): typed, with stable codes; core's errorHandler() renders them in
// the client's wire format.
import { SwitchyardError } from '@switchyard/core';

/** 401 `missing_api_key`: no key in `Authorization: Bearer …` or `x-api-key`. */
export function missingKey(): SwitchyardError {
  return new SwitchyardError({
    status: 401,
    type: 'authentication_error',
    code: 'missing_api_key',
    message: 'This gateway needs an API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>".',
  });
}

/** 401 `invalid_api_key`: a key this gateway does not know. The key itself is never echoed. */
export function invalidKey(): SwitchyardError {
  return new SwitchyardError({
    status: 401,
    type: 'authentication_error',
    code: 'invalid_api_key',
    message: 'The API key is not valid for this gateway.',
  });
}

/** 403 for the admin endpoint called without the admin key. */
export function notAdmin(): SwitchyardError {
  return new SwitchyardError({
    status: 403,
    type: 'permission_error',
    code: 'admin_key_required',
    message: 'This endpoint needs the admin key (budgets.admin_key).',
  });
}

/** What a refused call ran into: the counter that makes it wait longest. */
export interface RateRefusal {
  readonly scope: 'key' | 'owner';
  /** The key's or the owner's name. */
  readonly name: string;
  readonly kind: 'requests' | 'tokens';
  readonly limit: number;
  readonly remaining: number;
  /** What the call asked for: 1 request, or its token bound. */
  readonly requested: number;
  /** Ms until it would fit; `Infinity` when it never can. */
  readonly retryAfterMs: number;
}

const PER_MINUTE = { requests: 'requests per min (RPM)', tokens: 'tokens per min (TPM)' } as const;

/**
 * 429 `rate_limit_exceeded` (OpenAI's code and wording): the key's or owner's per-minute limit is reached;
 * says when to retry. A call that could never fit (its token bound alone passes the limit) is a 400
 * `request_too_large_for_rate_limit` instead: waiting cannot help it, so SDKs should not retry it.
 */
export function rateLimitExceeded(r: RateRefusal): SwitchyardError {
  const whose = `${r.scope} "${r.name}"`;
  if (r.retryAfterMs === Number.POSITIVE_INFINITY) {
    return new SwitchyardError({
      status: 400,
      type: 'invalid_request_error',
      code: 'request_too_large_for_rate_limit',
      param: 'max_tokens',
      message:
        `Request too large for ${whose} on ${PER_MINUTE[r.kind]}: limit ${r.limit}, requested ${r.requested}. ` +
        'Lower max_tokens (or n) or shorten the prompt.',
    });
  }
  return new SwitchyardError({
    status: 429,
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    message:
      `Rate limit reached for ${whose} on ${PER_MINUTE[r.kind]}: limit ${r.limit}, used ${r.limit - r.remaining}, ` +
      `requested ${r.requested}. Please try again in ${(Math.ceil(r.retryAfterMs) / 1000).toFixed(3).replace(/\.?0+$/, '')}s.`,
  });
}

/** 503 `rate_limit_store_unavailable`: the store is down and the policy says `fail_closed`. */
export function rateStoreUnavailable(mode: 'fail_closed' | 'fail_open', cause: unknown): SwitchyardError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new SwitchyardError({
    status: 503,
    type: 'api_error',
    code: 'rate_limit_store_unavailable',
    message: `The rate limit store failed: ${why}. The policy says on_store_error: ${mode}, so calls are refused until it is back.`,
    cause,
  });
}
