// One provider address's way out: a keep-alive connection pool and the http-proxy-middleware instance using
// it. Keyed by address, not by provider, so a reloaded policy keeps the pools of providers that did not move.
import { Agent as HttpAgent, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { ProviderConfig } from '@switchyard/core';
import { createProxyMiddleware, type Plugin, type RequestHandler } from 'http-proxy-middleware';
import { ConnectionSlots } from './slots.js';
import type { UpstreamCall } from './upstream-call.js';

export interface Upstream {
  /** What the pool is for: the base URL and the pool size. */
  readonly address: string;
  /** Calls in flight to this address, and those waiting for a connection. */
  readonly slots: ConnectionSlots;
  /** Sends an UpstreamCall; its outcome arrives through the call's own methods, never through `next`. */
  readonly proxy: RequestHandler<UpstreamCall, ServerResponse>;
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
  const Agent = url.protocol === 'https:' ? HttpsAgent : HttpAgent;
  // A proxy that opens a connection per request is several times slower than one that reuses them.
  const agent = new Agent({ keepAlive: true, maxSockets });
  const proxy = createProxyMiddleware<UpstreamCall, ServerResponse>({
    // Parsed here once, instead of by http-proxy on every request.
    target: {
      protocol: url.protocol,
      host: url.host,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port,
      path: url.pathname === '/' ? '' : url.pathname,
    },
    changeOrigin: true,
    agent,
    // We look at the status before anything reaches the client, and pipe the body ourselves.
    selfHandleResponse: true,
    // The default plugins would answer errors with their own text/plain page and log each exchange.
    ejectPlugins: true,
    plugins: [callEvents],
  });
  return { address: upstreamAddress(provider, maxSockets), slots: new ConnectionSlots(maxSockets), proxy, agent };
}

/** Hands each of http-proxy's events to the UpstreamCall it belongs to. */
const callEvents: Plugin<UpstreamCall, ServerResponse> = (proxyServer) => {
  proxyServer.on('proxyReq', (proxyReq, call) => call.attach(proxyReq));
  // @types/http-proxy types the response as the request type; it is the upstream's IncomingMessage.
  proxyServer.on('proxyRes', (proxyRes, call) => call.respond(proxyRes as unknown as IncomingMessage));
  proxyServer.on('error', (error, call) => call.fail(error));
  proxyServer.on('econnreset', (error, call) => call.fail(error));
};
