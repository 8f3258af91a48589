// One provider address's way out: a keep-alive connection pool and the requests sent through it. Keyed by
// address, not by provider, so a reloaded policy keeps the pools of providers that did not move.
import { Agent as HttpAgent, request as httpRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ProviderConfig } from '@switchyard/core';
import { ConnectionSlots } from './slots.js';
import type { UpstreamCall } from './upstream-call.js';

export interface Upstream {
  /** What the pool is for: the base URL and the pool size. */
  readonly address: string;
  /** Calls in flight to this address, and those waiting for a connection. */
  readonly slots: ConnectionSlots;
  /** Sends an UpstreamCall; its outcome arrives through the call's own methods. */
  readonly send: (call: UpstreamCall) => void;
  readonly agent: HttpAgent;
}

/** The pool key of `provider` at `maxSockets`. */
export function upstreamAddress(provider: ProviderConfig, maxSockets: number): string {
  return `${provider.baseUrl} ${maxSockets}`;
}

export function createUpstream(provider: ProviderConfig, maxSockets: number): Upstream {
  const url = new URL(provider.baseUrl);
  if (url.search || url.hash || url.username || url.password) {
    throw new TypeError(
      `dispatch(): provider "${provider.name}" has a base_url with a query, fragment or user info, which dispatch() cannot forward to`,
    );
  }
  const https = url.protocol === 'https:';
  const request = https ? httpsRequest : httpRequest;
  // A proxy that opens a connection per request is several times slower than one that reuses them.
  const agent = new (https ? HttpsAgent : HttpAgent)({ keepAlive: true, maxSockets });
  // Parsed here once, not on every request. The host header is the provider's (node sets it from these).
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? undefined : Number(url.port);
  const basePath = url.pathname.replace(/\/+$/, '');
  const send = (call: UpstreamCall) => {
    const options: RequestOptions = {
      agent,
      hostname,
      port,
      method: call.method,
      path: basePath + call.url,
      headers: call.headers,
    };
    let upstreamRequest: ReturnType<typeof request>;
    try {
      upstreamRequest = request(options);
    } catch (error) {
      // A header value node refuses (a credential with a line break, say): nothing was sent.
      call.fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    upstreamRequest.on('response', (response) => call.respond(response));
    upstreamRequest.on('error', (error) => call.fail(error));
    if (!call.attach(upstreamRequest)) return;
    const { body } = call;
    if (Buffer.isBuffer(body)) {
      upstreamRequest.end(body);
      return;
    }
    // A stream (a multipart upload) is passed on as it arrives, paused whenever the upstream is behind.
    body.once('error', (error) => call.fail(error));
    body.pipe(upstreamRequest);
  };
  return { address: upstreamAddress(provider, maxSockets), slots: new ConnectionSlots(maxSockets), send, agent };
}
