// One request to an upstream, as http-proxy sees it: http-proxy reads this in place of the client's
// request (its method, url, headers and body), so every attempt carries exactly the headers and bytes
// we chose, and the proxy's events lead straight back to the attempt they belong to.
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';

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
  /** The client's socket: http-proxy reads it to tell a client that went away from an upstream reset. */
  readonly socket: Socket;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /** Called once, when the response headers arrived or the call failed first. */
  readonly onEnd: (end: CallEnd) => void;
  /** Called when a connected upstream stays silent longer than `idleTimeoutMs` after its headers. */
  readonly onStall: () => void;
}

/** Marks the destroy() calls we make ourselves, so their echo through the proxy's error event is ignored. */
class CallCancelled extends Error {}

export class UpstreamCall extends Readable {
  readonly method: string;
  readonly url: string;
  readonly headers: OutgoingHttpHeaders;
  readonly socket: Socket;
  readonly #init: UpstreamCallInit;
  readonly #connectTimer: NodeJS.Timeout;
  #proxyReq: ClientRequest | undefined;
  #ended = false;

  constructor(init: UpstreamCallInit) {
    super();
    this.method = init.method;
    this.url = init.url;
    this.headers = init.headers;
    this.socket = init.socket;
    this.#init = init;
    if (Buffer.isBuffer(init.body)) {
      this.push(init.body);
      this.push(null);
    } else this.#source(init.body);
    // Starts before http-proxy asks the pool for a socket, so a saturated pool counts too.
    this.#connectTimer = setTimeout(() => this.#end({ kind: 'timeout', phase: 'connect' }), init.connectTimeoutMs);
  }

  #from: Readable | undefined;

  override _read(): void {
    this.#from?.resume();
  }

  /** Passes `from` on with backpressure: paused whenever the upstream connection is behind. */
  #source(from: Readable): void {
    this.#from = from;
    from.pause();
    from.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) from.pause();
    });
    from.once('end', () => this.push(null));
    from.once('error', (error) => this.#end({ kind: 'error', error }));
  }

  /** http-proxy's `proxyReq` event: the upstream request got its socket and has not been sent yet. */
  attach(proxyReq: ClientRequest): void {
    if (this.#ended) {
      proxyReq.destroy(new CallCancelled());
      return;
    }
    this.#proxyReq = proxyReq;
    // Socket inactivity; node arms it once the socket is connected and disarms it when the response ends.
    proxyReq.setTimeout(this.#init.idleTimeoutMs, () => this.#onIdle());
    const socket = proxyReq.socket;
    if (socket?.connecting) socket.once('connect', () => clearTimeout(this.#connectTimer));
    else clearTimeout(this.#connectTimer);
  }

  /** http-proxy's `proxyRes` event. */
  respond(response: IncomingMessage): void {
    if (this.#ended) response.destroy();
    else this.#end({ kind: 'response', response });
  }

  /** http-proxy's `error` and `econnreset` events. */
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
