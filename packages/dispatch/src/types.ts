// Public options of dispatch().
import type { Policy } from '@switchyard/core';
import type { RequestHandler } from 'express';

export interface DispatchOptions {
  /** The policy whose providers are called. Required; give `pin()` the same one. */
  readonly policy: Policy;
  /** Most connections kept open to one provider; requests beyond it wait for a free one. Default: 256. */
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
}

/** The middleware, plus a way to let go of the connections it keeps alive. */
export interface DispatchHandler extends RequestHandler {
  /**
   * Lets go of the kept-alive upstream connections: idle ones close now, busy ones once their answer has
   * passed. Call when a reloaded policy replaces this handler; it still serves, without keep-alive.
   */
  close(): void;
}
