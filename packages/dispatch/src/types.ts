// Public options of dispatch().
import type { Policy } from '@switchyard/core';
import type { RequestHandler } from 'express';

export interface DispatchOptions {
  /** The policy whose providers are called. Required; give `pin()` the same one. */
  readonly policy: Policy;
  /**
   * Most connections open to one provider at once (a provider's `max_connections` wins); calls beyond it wait
   * up to `connectTimeoutMs` in a queue as long again, then get 503 `gateway_overloaded`. Default: 1024.
   */
  readonly maxSocketsPerProvider?: number;
  /**
   * How long an attempt may wait for a connection to its provider: a free one from the pool, or a new
   * one being opened. Exceeded: 504 `upstream_timeout`. Default: 10 000 ms.
   */
  readonly connectTimeoutMs?: number;
  /**
   * How long a connected upstream may stay silent, before its response headers or between two body
   * chunks. Before the headers the client gets 504 `upstream_timeout`; after them the stream is cut.
   * Default: 600 000 ms (10 minutes, the OpenAI SDK's own timeout: a non-streamed answer sends nothing
   * until it is complete).
   */
  readonly timeoutMs?: number;
  /**
   * The dispatch() this one replaces (a reloaded policy's predecessor): its connection pools to providers
   * whose address did not change, and its cooldowns of model/provider pairs still in the policy, carry over.
   * Default: none; everything starts fresh.
   */
  readonly previous?: DispatchHandler;
}

/** The middleware, plus a way to let go of the connections it keeps alive. */
export interface DispatchHandler extends RequestHandler {
  /**
   * Lets go of the kept-alive upstream connections: idle ones close now, busy ones once their answer has
   * passed. Pools a successor took over (`previous`) are the successor's and stay open. The handler still
   * serves, without keep-alive.
   */
  close(): void;
}
