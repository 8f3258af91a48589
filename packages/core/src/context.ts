// The one accessor for per-request Switchyard state: the routing record plus what the stack read.
import type { IncomingMessage } from 'node:http';
import { createRecord, type Endpoint, type RoutingRecord } from './record.js';

/** The request as the stack parsed it, once. Never recorded: it holds the prompt. */
export interface ParsedRequest {
  readonly endpoint: Endpoint;
  /** The path below the mount point that the upstream is called on, e.g. `/chat/completions`. */
  readonly path: string;
  /** The JSON body, an object with a string `model`. */
  readonly body: Readonly<Record<string, unknown>>;
  /** The body's bytes as received, forwarded as they are when nothing in them must change. */
  readonly raw: Buffer;
}

/** Computes signals on demand and records each one it computes. Implemented by `@switchyard/signals`. */
export interface SignalReader {
  /**
   * Computes the named signals not computed yet and writes their readings into `record.signals`.
   * Never rejects: a signal that cannot be computed is recorded as `absent` with the reason.
   */
  read(names: readonly string[]): Promise<void>;
  /**
   * A cheap upper bound for a numeric signal, without computing it: for `input_tokens`, the prompt's
   * byte length (a token is at least one byte). `undefined` for signals that have no such bound.
   */
  upperBound(name: string): number | undefined;
  /** Whether `name` is a signal this reader knows. */
  has(name: string): boolean;
}

/** Per-request state shared by the middlewares. */
export interface RoutingContext {
  readonly record: RoutingRecord;
  request?: ParsedRequest;
  signals?: SignalReader;
}

const contexts = new WeakMap<IncomingMessage, RoutingContext>();

/** The request's Switchyard context, created on first use. */
export function routing(req: IncomingMessage): RoutingContext {
  let ctx = contexts.get(req);
  if (!ctx) {
    ctx = { record: createRecord() };
    contexts.set(req, ctx);
  }
  return ctx;
}

/** The parsed request, or a configuration error naming the middleware that must run first. */
export function parsedRequest(req: IncomingMessage, middleware: string): ParsedRequest {
  const parsed = routing(req).request;
  if (!parsed) {
    throw new Error(`switchyard: ${middleware}() needs signals() mounted before it (nothing parsed the request)`);
  }
  return parsed;
}
