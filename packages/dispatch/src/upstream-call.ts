// One request to an upstream: exactly the headers and bytes the attempt chose, and the events of the
// request that carries them (see upstream.ts) leading straight back to the attempt they belong to.
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

/**
 * Which limit a call ran out of: `connect` (a connection), `response` (silence of a connected upstream),
 * `first_byte` (failover's `first_byte_ms`), `total` (what was left of failover's `total_ms`).
 */
export type TimeoutPhase = 'connect' | 'response' | 'first_byte' | 'total';

/** How the wait for the upstream's response headers ended. */
export type CallEnd =
  | { readonly kind: 'response'; readonly response: IncomingMessage }
  | { readonly kind: 'error'; readonly error: Error }
  | { readonly kind: 'timeout'; readonly phase: TimeoutPhase }
  | { readonly kind: 'cancelled' };

export interface UpstreamCallInit {
  readonly method: string;
  /** Path below the provider's base URL, e.g. `/chat/completions`. */
  readonly url: string;
  readonly headers: OutgoingHttpHeaders;
  /** The bytes to send, or a stream of them (a multipart upload, sent as it arrives). */
  readonly body: Buffer | Readable;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** Called once, when the response headers arrived or the call failed first. */
  readonly onEnd: (end: CallEnd) => void;
  /** Called when a connected upstream stays silent longer than `idleTimeoutMs` after its headers. */
  readonly onStall: () => void;
}

/** Marks the destroy() calls we make ourselves, so their echo through the request's error event is ignored. */
class CallCancelled extends Error {}

export class UpstreamCall {
  readonly method: string;
  readonly url: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer | Readable;
  readonly #init: UpstreamCallInit;
  readonly #connectTimer: NodeJS.Timeout;
  #proxyReq: ClientRequest | undefined;
  #ended = false;

  constructor(init: UpstreamCallInit) {
    this.method = init.method;
    this.url = init.url;
    this.headers = init.headers;
    this.body = init.body;
    this.#init = init;
    // Starts before the request asks the pool for a socket, so a saturated pool counts too.
    this.#connectTimer = setTimeout(() => this.#end({ kind: 'timeout', phase: 'connect' }), init.connectTimeoutMs);
  }

  /** The upstream request was made and has not been sent yet; false when the call already ended (it is destroyed). */
  attach(proxyReq: ClientRequest): boolean {
    if (this.#ended) {
      proxyReq.destroy(new CallCancelled());
      return false;
    }
    this.#proxyReq = proxyReq;
    // Socket inactivity; node arms it once the socket is connected and disarms it when the response ends.
    proxyReq.setTimeout(this.#init.idleTimeoutMs, () => this.#onIdle());
    const connected = () => clearTimeout(this.#connectTimer);
    proxyReq.once('socket', (socket) => (socket.connecting ? socket.once('connect', connected) : connected()));
    return true;
  }

  /** The upstream's response headers arrived. */
  respond(response: IncomingMessage): void {
    if (this.#ended) response.destroy();
    else this.#end({ kind: 'response', response });
  }

  /** The upstream request failed (connection refused or reset, a bad header, ...). */
  fail(error: Error): void {
    if (!(error instanceof CallCancelled)) this.#end({ kind: 'error', error });
  }

  /** Gives up on the call before its headers: it ends as a timeout of `phase`. No effect after the headers. */
  expire(phase: 'first_byte' | 'total'): void {
    this.#end({ kind: 'timeout', phase });
  }

  /** Stops the call: before the headers it ends as `cancelled`; after them it cuts the response. */
  cancel(): void {
    this.#end({ kind: 'cancelled' });
    this.#proxyReq?.destroy(new CallCancelled());
  }

  #onIdle(): void {
    if (this.#ended) this.#init.onStall();
    else this.#end({ kind: 'timeout', phase: 'response' });
    this.#proxyReq?.destroy(new CallCancelled());
  }

  #end(end: CallEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#connectTimer);
    if (end.kind !== 'response') this.#proxyReq?.destroy(new CallCancelled());
    this.#init.onEnd(end);
  }
}
