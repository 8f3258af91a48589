// Names of the record events (and the error code) the metrics count, as the middlewares that write them
// spell them. Internal: the writers export their own constants; audit depends on core only.

/** Written by @switchyard/failover (its events.ts). */
export const EVENT_RETRY = 'switchyard.retry';
export const EVENT_RETRY_SKIPPED = 'switchyard.retry.skipped';
export const EVENT_FALLBACK = 'switchyard.fallback';
export const EVENT_FALLBACK_SKIPPED = 'switchyard.fallback.skipped';
export const EVENT_COOLDOWN = 'switchyard.cooldown';

/** Written by a client key's rate limit (@switchyard/keys). */
export const EVENT_RATE_LIMIT_REFUSED = 'switchyard.ratelimit.refused';
/** The error code a rate-limit refusal answers with. */
export const RATE_LIMIT_ERROR_CODE = 'rate_limit_exceeded';
