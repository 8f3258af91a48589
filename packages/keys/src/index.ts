// @switchyard/keys: the gateway's client keys → owners and what they may call; per-key and per-owner rate
// limits; the admin key guard.
export { adminOnly } from './admin.js';
export {
  invalidKey,
  missingKey,
  notAdmin,
  rateLimitExceeded,
  rateStoreUnavailable,
  type RateRefusal,
} from './errors.js';
export {
  clientKey,
  digestBytes,
  keyAllowList,
  keys,
  match,
  presentedKey,
  type KeysOptions,
} from './keys.js';
export { gcraAdjust, gcraStep, type GcraStep } from './gcra.js';
export { durationText, rateLimitHeaders } from './rate-headers.js';
export { rateLimits, type RateLimitsHandler, type RateLimitsOptions } from './rate-limit.js';
export {
  RATE_PERIOD_MS,
  RateLimiter,
  type LimitCounter,
  type LimitKind,
  type LimitScope,
  type RateLimiterLogger,
  type RateLimiterOptions,
} from './rate-limiter.js';
export { MemoryRateStore, type MemoryRateStoreOptions } from './rate-memory-store.js';
export {
  DEFAULT_RATE_PREFIX,
  RateStoreUnavailableError,
  RedisRateStore,
  type RedisRateStoreOptions,
} from './rate-redis-store.js';
export { tokenBound } from './rate-tokens.js';
export type {
  CounterReading,
  RateCharge,
  RateCounter,
  RateLimitStore,
  RateRequest,
  RateResult,
} from './rate-types.js';
