// The one accessor for per-request Switchyard state: the routing record, the parsed request, the signal
// reader, and the ordered end of the call (answer hooks, then settle hooks, then `settled`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRecord, type RoutingRecord, type Usage } from './record.js';
import type { ClientKey } from './policy/types.js';
import type { ParsedRequest } from './request.js';
import type { SignalReader } from './signal-types.js';

/** A complete answer, as dispatch() read it: what answer hooks price and label. */
export interface CompleteAnswer {
  /** The exact model that answered. */
  readonly model: string;
  /** The usage the answer reported, if any. */
  readonly usage: Usage | undefined;
}

/**
 * Runs when the answer is complete, before its last bytes go out. What it returns is added to the answer:
 * as headers of a JSON answer (dispatch holds it until its end) or trailers of a stream.
 */
export type AnswerHook = (answer: CompleteAnswer) => Readonly<Record<string, string>> | undefined;

/** Runs once the response has closed (finished, failed or abandoned) and no middleware holds the call open. */
export type SettleHook = (closed: ClosedCall) => Promise<void> | void;

/** How the response ended. */
export interface ClosedCall {
  /** Epoch ms when the response closed. */
  readonly at: number;
  /** The client got the whole response. */
  readonly finished: boolean;
}

/**
 * Per-request state shared by the middlewares, and the end of the call in a fixed order: answer hooks
 * (when dispatch() has the complete answer), then settle hooks (once the response closed and every
 * `hold()` is released), then `settled` resolves — what audit() waits for before it writes the record.
 */
export class RoutingContext {
  readonly record: RoutingRecord;
  /** The signal reader, installed by signals() (or rules() when it runs alone). */
  signals: SignalReader | undefined;
  /**
   * The client key the call presented, set by keys(): what it may use (`allow`, `workflows`) is read from it
   * by pin(), modelList() and workflows(). `undefined` when no key was checked (an open gateway).
   */
  key: ClientKey | undefined;
  #request: ParsedRequest | undefined;
  #parsing: Promise<ParsedRequest> | undefined;
  readonly #answerHooks: AnswerHook[] = [];
  readonly #settleHooks: SettleHook[] = [];
  #holds = 0;
  #closed: ClosedCall | undefined;
  #watching = false;
  #settling = false;
  readonly settled: Promise<ClosedCall>;
  #resolveSettled!: (closed: ClosedCall) => void;

  constructor(record: RoutingRecord = createRecord()) {
    this.record = record;
    this.settled = new Promise((resolve) => (this.#resolveSettled = resolve));
  }

  /** The parsed request, once core's `readRequest()` made it. */
  get request(): ParsedRequest | undefined {
    return this.#request;
  }

  /**
   * Makes the parsed request once: concurrent callers share one parse. Used by `readRequest()`; sets the
   * record's `endpoint`, `requestedModel` and `streaming`.
   */
  parse(make: () => Promise<ParsedRequest>): Promise<ParsedRequest> {
    this.#parsing ??= make().then((request) => {
      this.#request = request;
      const { record } = this;
      record.endpoint = request.endpoint;
      record.requestedModel = request.model;
      record.streaming = request.stream;
      return request;
    });
    return this.#parsing;
  }

  /** Whether any middleware wants to add to the answer (dispatch() then holds a JSON answer to its end). */
  get hasAnswerHooks(): boolean {
    return this.#answerHooks.length > 0;
  }

  /** Adds an answer hook; they run in the order they were added. */
  onAnswer(hook: AnswerHook): void {
    this.#answerHooks.push(hook);
  }

  /** Adds a settle hook; they run together, after the response closed and every hold is released. */
  onSettle(hook: SettleHook): void {
    this.#settleHooks.push(hook);
  }

  /**
   * For dispatch(): the answer is complete. Runs the answer hooks and returns the fields they add (later
   * hooks win on a name both set). A hook that throws adds nothing.
   */
  answered(answer: CompleteAnswer): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const hook of this.#answerHooks) {
      try {
        Object.assign(fields, hook(answer));
      } catch {
        // A hook's failure must not cost the client its answer; the hook records what it can.
      }
    }
    return fields;
  }

  /**
   * Keeps the call open past the response's close (dispatch() while it completes the record, budget()
   * while its store answers): settle hooks wait for the returned release, which is idempotent.
   */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      this.#maybeSettle();
    };
  }

  /** Starts watching the response for its close; done by `routing(req, res)`, once. */
  watch(res: ServerResponse): void {
    if (this.#watching) return;
    this.#watching = true;
    const onClose = () => {
      this.#closed = { at: Date.now(), finished: res.writableFinished };
      this.#maybeSettle();
    };
    if (res.closed) onClose();
    else res.once('close', onClose);
  }

  #maybeSettle(): void {
    const closed = this.#closed;
    if (!closed || this.#holds > 0 || this.#settling) return;
    this.#settling = true;
    const hooks = this.#settleHooks.map((hook) => {
      try {
        return Promise.resolve(hook(closed)).catch(() => undefined);
      } catch {
        return undefined;
      }
    });
    void Promise.all(hooks).then(() => this.#resolveSettled(closed));
  }
}

/**
 * Where a request keeps its context: a property under a symbol no other module holds. A WeakMap keyed by
 * requests costs a hash lookup per access and an ephemeron per request in every GC, on every call.
 */
const CONTEXT: unique symbol = Symbol('switchyard.routing');

interface WithContext {
  [CONTEXT]?: RoutingContext;
}

/**
 * The request's Switchyard context, created on first use. Middlewares pass the response too, so that the
 * context can tell when the call is over (readers may leave it out).
 */
export function routing(req: IncomingMessage, res?: ServerResponse): RoutingContext {
  const holder = req as IncomingMessage & WithContext;
  let ctx = holder[CONTEXT];
  if (!ctx) {
    ctx = new RoutingContext();
    holder[CONTEXT] = ctx;
  }
  if (res) ctx.watch(res);
  return ctx;
}
