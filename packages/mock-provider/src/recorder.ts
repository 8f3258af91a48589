import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RecordedCall } from './types.js';

/** The mutable record behind a {@link RecordedCall}; only the mock writes to it. */
export type CallRecord = { -readonly [K in keyof RecordedCall]: RecordedCall[K] };

/** Keeps the calls the mock received and settles each one's outcome when its connection closes. */
export class CallRecorder {
  readonly calls: CallRecord[] = [];
  readonly #enabled: boolean;

  constructor(enabled: boolean) {
    this.#enabled = enabled;
  }

  /** Starts a record for `req` and watches `res` to settle it. */
  start(req: IncomingMessage, res: ServerResponse, path: string): CallRecord {
    const call: CallRecord = {
      model: undefined,
      path,
      method: req.method ?? 'GET',
      headers: { ...req.headers },
      body: undefined,
      upload: undefined,
      mintedId: undefined,
      referencedId: undefined,
      stream: false,
      startedAt: Date.now(),
      endedAt: undefined,
      status: undefined,
      outcome: 'pending',
    };
    // 'close' also fires after a normal finish, so one listener settles every case.
    res.once('close', () => {
      call.endedAt = Date.now();
      if (res.headersSent) call.status = res.statusCode;
      if (call.outcome === 'pending') call.outcome = res.writableFinished ? 'completed' : 'aborted';
    });
    if (this.#enabled) this.calls.push(call);
    return call;
  }

  /** The calls that minted or named `id`, oldest first. */
  callsFor(id: string): CallRecord[] {
    return this.calls.filter((call) => call.mintedId === id || call.referencedId === id);
  }

  /** Forgets every recorded call. The array stays the same object so references to it stay live. */
  reset(): void {
    this.calls.length = 0;
  }
}
