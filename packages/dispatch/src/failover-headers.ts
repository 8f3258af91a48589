// The response headers the failover loop adds.

/** How many upstream attempts the call took (0 when none was made). */
export const ATTEMPTS_HEADER = 'x-switchyard-attempts';

/** Why a fallback model answered instead of the chosen one, e.g. `http_503`, `timeout`, `cooldown`. */
export const FALLBACK_REASON_HEADER = 'x-switchyard-fallback-reason';
