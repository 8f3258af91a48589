// The errors dispatch() answers with when no upstream answer can be passed on. Messages name the
// provider only: never its URL (it may carry secrets in its query or user info) nor a credential.
import { SwitchyardError, type Endpoint, type ProviderConfig } from '@switchyard/core';
import type { TimeoutPhase } from './upstream-call.js';

const CONNECT_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'refused the connection',
  ECONNRESET: 'reset the connection',
  EPIPE: 'closed the connection',
  ENOTFOUND: 'has a host name that does not resolve',
  EAI_AGAIN: 'has a host name that could not be resolved',
  EHOSTUNREACH: 'is unreachable',
  ENETUNREACH: 'is unreachable',
  upstream_dropped: 'closed the connection before its answer began',
};

const TIMEOUTS: Readonly<Record<TimeoutPhase | 'first_token' | 'workflow_total', (ms: number) => string>> = {
  connect: (ms) => `did not accept a connection within ${ms} ms`,
  response: (ms) => `did not answer within ${ms} ms`,
  first_byte: (ms) => `did not send a first byte within ${ms} ms (first_byte_ms)`,
  first_token: (ms) => `did not send a first token within ${ms} ms (the workflow's first_token_ms)`,
  workflow_total: (ms) => `did not answer within the call's time limit of ${ms} ms (the workflow's timeout_ms)`,
  total: (ms) => `did not answer within the call's time limit of ${ms} ms (total_ms)`,
};

/** 502: the provider could not be reached, or dropped the connection before answering. */
export function upstreamUnavailable(provider: ProviderConfig, errorClass: string, cause: unknown): SwitchyardError {
  const what = CONNECT_FAILURES[errorClass] ?? 'could not be reached';
  return new SwitchyardError({
    status: 502,
    type: 'api_error',
    code: 'upstream_unavailable',
    message: `Provider "${provider.name}" ${what} (${errorClass}).`,
    cause,
  });
}

/** 504: the provider did not accept a connection, or did not answer, in time. */
export function upstreamTimeout(
  provider: ProviderConfig,
  phase: TimeoutPhase,
  ms: number,
  setting?: 'first_byte_ms' | 'first_token_ms' | 'total_ms' | 'timeout_ms',
): SwitchyardError {
  return new SwitchyardError({
    status: 504,
    type: 'api_error',
    code: 'upstream_timeout',
    message: `Provider "${provider.name}" ${TIMEOUTS[timeoutKind(phase, setting)](ms)}.`,
  });
}

/** Which message: a workflow's first_token_ms and timeout_ms are named as the workflow's. */
function timeoutKind(phase: TimeoutPhase, setting: string | undefined): TimeoutPhase | 'first_token' | 'workflow_total' {
  if (phase === 'first_byte' && setting === 'first_token_ms') return 'first_token';
  if (phase === 'total' && setting === 'timeout_ms') return 'workflow_total';
  return phase;
}

/** 503: every connection to the provider is busy and its queue full (or the wait for one ran out); nothing was sent. */
export function gatewayOverloaded(provider: ProviderConfig): SwitchyardError {
  return new SwitchyardError({
    status: 503,
    type: 'api_error',
    code: 'gateway_overloaded',
    message: `The gateway has as many calls to provider "${provider.name}" in flight and waiting as it allows; try again shortly.`,
    headers: { 'retry-after': '1' },
  });
}

/**
 * 400: the model asked for is served by a provider whose wire format the endpoint is not translated to. The
 * client's choice of model cannot serve it (as OpenAI answers a chat model on /embeddings): not a server
 * fault an SDK should retry.
 */
export function formatNotSupported(provider: ProviderConfig, endpoint: Endpoint): SwitchyardError {
  return new SwitchyardError({
    status: 400,
    type: 'invalid_request_error',
    code: 'format_not_supported',
    message: `Provider "${provider.name}" speaks the ${provider.format} format, which this gateway calls for chat completions, messages, the Responses API and generateContent only, not for ${ENDPOINT_NAMES[endpoint]}.`,
  });
}

const ENDPOINT_NAMES: Readonly<Record<Endpoint, string>> = {
  chat: 'chat completions',
  messages: 'messages',
  completions: 'completions',
  embeddings: 'embeddings',
  responses: 'the Responses API',
  gemini: 'generateContent',
  count_tokens: 'token counting',
  images: 'images',
  audio: 'audio',
  videos: 'videos',
  tasks: 'tasks',
  other: 'this endpoint',
};
