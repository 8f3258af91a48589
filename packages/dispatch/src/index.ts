// @switchyard/dispatch: the attempt loop, upstream calls, the one answer observer and the relay to the client.
export { answerObserver, type AnswerObserver, type ObserverOptions } from './answer-observer.js';
export { ESTIMATE, TOKEN_COUNT_HEADER } from './count-tokens.js';
export { Candidates, type CandidateRequest } from './candidates.js';
export { dispatch } from './dispatch.js';
export { formatNotSupported, upstreamTimeout, upstreamUnavailable } from './errors.js';
export { ATTEMPTS_HEADER, FALLBACK_REASON_HEADER } from './failover-headers.js';
export { ERROR_MODEL_HEADER, ROUTE_HEADER, routeLabel, SERVED_MODEL_HEADER } from './headers.js';
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_MAX_SOCKETS, DEFAULT_TIMEOUT_MS, type AttemptTimeouts } from './options.js';
export type * from './types.js';
