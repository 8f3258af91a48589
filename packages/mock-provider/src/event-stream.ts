import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { CallRecord } from './recorder.js';
import { sleep } from './timing.js';
import type { Behaviour } from './types.js';

/** One event of a stream before framing: an SSE event name (when the API names its events) and its JSON. */
export interface StreamEvent {
  readonly name?: string;
  readonly data: string;
}

/** How one API puts events on the wire. */
export interface StreamFraming {
  /** The framed text of the `index`-th event written. */
  frame(event: StreamEvent, index: number): string;
  /** Written after the last event when the stream ends normally or with a mid-stream error ('' for nothing). */
  readonly end: string;
}

/** The events of one streamed answer: those before the content deltas, the deltas, and those after. */
export interface PlannedStream {
  readonly lead: readonly StreamEvent[];
  readonly deltas: readonly StreamEvent[];
  readonly tail: readonly StreamEvent[];
}

/** What a stream needs besides its events: status line, headers, framing, and the mid-stream error event. */
export interface StreamResponse {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly framing: StreamFraming;
  /** The error event for a scripted `streamError` status, sent after `sent` events. */
  errorEvent(status: number, sent: number): StreamEvent;
}

/**
 * Streams `planned` one write per event. Honours first-byte delay, chunk interval, a corrupt copy of the
 * first event (`malformed`), a mid-stream socket drop (`dropAfterChunks`) and a mid-stream error event
 * (`streamError`, placed after `dropAfterChunks` deltas, default 1).
 */
export async function sendEventStream(
  res: ServerResponse,
  call: CallRecord,
  planned: PlannedStream,
  response: StreamResponse,
  behaviour: Behaviour,
): Promise<void> {
  const events = [...planned.lead, ...planned.deltas, ...planned.tail];
  const first = events[0];
  const corrupt = behaviour.malformed === true && first !== undefined;
  if (corrupt) events.splice(1, 0, { name: first.name, data: first.data.slice(0, Math.floor(first.data.length / 2)) });

  const streamError = behaviour.streamError;
  const drop = behaviour.dropAfterChunks ?? (streamError === undefined ? undefined : 1);
  let count = events.length;
  if (drop !== undefined) {
    const upTo = planned.lead.length + Math.min(drop, planned.deltas.length);
    count = upTo + (corrupt && upTo >= 1 ? 1 : 0);
  }
  const interval = behaviour.chunkIntervalMs ?? 0;
  const { framing } = response;

  res.writeHead(response.status, response.headers);
  const firstByteDelay = behaviour.firstByteDelayMs ?? 0;
  if (firstByteDelay > 0) {
    res.flushHeaders();
    if (!(await sleep(res, firstByteDelay))) return;
  }
  for (let i = 0; i < count; i += 1) {
    if (i > 0 && interval > 0 && !(await sleep(res, interval))) return;
    const text = framing.frame(events[i]!, i);
    if (drop !== undefined && streamError === undefined && i === count - 1) {
      res.write(text, () => destroyOnPurpose(res, call));
      return;
    }
    res.write(text);
  }
  if (drop !== undefined && streamError === undefined) {
    // Nothing was due before the cut (dropAfterChunks 0 with no lead events): cut at once.
    if (count === 0) res.write('', () => destroyOnPurpose(res, call));
    return;
  }
  if (streamError !== undefined) {
    if (interval > 0 && count > 0 && !(await sleep(res, interval))) return;
    call.outcome = 'error';
    res.end(framing.frame(response.errorEvent(streamError, count), count) + framing.end);
    return;
  }
  res.end(framing.end);
}

function destroyOnPurpose(res: ServerResponse, call: CallRecord): void {
  call.outcome = 'error';
  res.destroy();
}
