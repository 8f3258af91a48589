export { dispatch } from './dispatch.js';
export { formatNotSupported, upstreamTimeout, upstreamUnavailable } from './errors.js';
export {
  forwardAttempt,
  STALLED,
  type AttemptAnswered,
  type AttemptFailed,
  type AttemptOptions,
  type AttemptResult,
} from './forward-attempt.js';
export { ROUTE_HEADER, routeLabel, SERVED_MODEL_HEADER } from './headers.js';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_SOCKETS,
  DEFAULT_TIMEOUT_MS,
  type AttemptTimeouts,
} from './options.js';
export { outgoingHeaders } from './outgoing.js';
export { relayResponse, type RelayOptions, type RelayOutcome } from './relay.js';
export { createUpstream, type Upstream } from './upstream.js';
export { usageIn, usageTap, USAGE_TAP_LIMIT, type UsageTap } from './usage-tap.js';
export type * from './types.js';
