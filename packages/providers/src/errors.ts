// The errors dispatch() answers with when no upstream answer can be passed on. Messages name the
// provider only: never its URL (it may carry secrets in its query or user info) nor a credential.
import { SwitchyardError, type ProviderConfig } from '@switchyard/core';

const CONNECT_FAILURES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'refused the connection',
  ECONNRESET: 'reset the connection',
  EPIPE: 'closed the connection',
  ENOTFOUND: 'has a host name that does not resolve',
  EAI_AGAIN: 'has a host name that could not be resolved',
  EHOSTUNREACH: 'is unreachable',
  ENETUNREACH: 'is unreachable',
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
export function upstreamTimeout(provider: ProviderConfig, phase: 'connect' | 'response', ms: number): SwitchyardError {
  const what = phase === 'connect' ? 'accept a connection' : 'answer';
  return new SwitchyardError({
    status: 504,
    type: 'api_error',
    code: 'upstream_timeout',
    message: `Provider "${provider.name}" did not ${what} within ${ms} ms.`,
  });
}

/** 501: the provider speaks a wire format that dispatch() cannot translate to yet. */
export function formatNotSupported(provider: ProviderConfig): SwitchyardError {
  return new SwitchyardError({
    status: 501,
    type: 'api_error',
    code: 'format_not_supported',
    message: `Provider "${provider.name}" speaks the ${provider.format} format, which this gateway cannot call yet; only OpenAI-compatible providers are supported.`,
  });
}
