// Names of the routing-record events failover writes; the audit package turns each into a span event.

/** The same model is tried again: another credential, after a backoff, or after a schema-invalid answer. */
export const EVENT_RETRY = 'switchyard.retry';
/** A retry was due but not made: the wait would pass the deadline or `max_delay_ms`. */
export const EVENT_RETRY_SKIPPED = 'switchyard.retry.skipped';
/** The route moves on to its next `fallbacks` model. */
export const EVENT_FALLBACK = 'switchyard.fallback';
/**
 * A candidate was passed over: it lacks a capability, its context window is too small, it is cooling down, its
 * provider cannot take the request, or the workflow blocks it. The chosen model too, when it lacks what is needed.
 */
export const EVENT_FALLBACK_SKIPPED = 'switchyard.fallback.skipped';
/** A model/provider pair failed too often in a row and is skipped for a while. */
export const EVENT_COOLDOWN = 'switchyard.cooldown';
/** A non-streamed answer did not match the request's JSON schema. */
export const EVENT_SCHEMA_INVALID = 'switchyard.schema_invalid';
/** A transition of a workflow's or a route's `on:` map decided what follows an attempt (`outcome`, `action`, `from`). */
export const EVENT_TRANSITION = 'switchyard.transition';
