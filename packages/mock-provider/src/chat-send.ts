import type { ServerResponse } from 'node:http';
import type { StreamChunks } from './chat-completion.js';
import { errorBody, errorForStatus } from './errors.js';
import type { CallRecord } from './recorder.js';
import { baseHeaders, sendJson } from './respond.js';
import { endSse, startSse, writeSseData } from './sse.js';
import { sleep } from './timing.js';
import type { Behaviour } from './types.js';

/** Sends a non-stream completion body, truncated or cut off when the behaviour says so. */
export function sendCompletion(res: ServerResponse, call: CallRecord, body: string, behaviour: Behaviour): void {
  const status = behaviour.status ?? 200;
  const half = body.slice(0, Math.floor(body.length / 2));
  if (behaviour.malformed) {
    sendJson(res, status, half, behaviour.retryAfter);
    return;
  }
  if (behaviour.dropAfterChunks !== undefined) {
    // Announce the full length, send half, then cut: the client sees a premature close mid-body.
    const headers = baseHeaders('application/json', behaviour.retryAfter);
    headers['content-length'] = Buffer.byteLength(body);
    res.writeHead(status, headers);
    res.write(half, () => destroyOnPurpose(res, call));
    return;
  }
  sendJson(res, status, body, behaviour.retryAfter);
}

/**
 * Streams the chunks as server-sent events, one write each, then `data: [DONE]`.
 * Honours first-byte delay, chunk interval, a corrupt line (`malformed`), a mid-stream drop and a
 * mid-stream error event (`streamError`, after `dropAfterChunks` deltas, default 1).
 */
export async function sendCompletionStream(
  res: ServerResponse,
  call: CallRecord,
  chunks: StreamChunks,
  behaviour: Behaviour,
): Promise<void> {
  const events = [chunks.first];
  if (behaviour.malformed) events.push(chunks.first.slice(0, Math.floor(chunks.first.length / 2)));
  const beforeDeltas = events.length;
  events.push(...chunks.deltas, chunks.finish);
  if (chunks.usage !== undefined) events.push(chunks.usage);

  const streamError = behaviour.streamError;
  const drop = behaviour.dropAfterChunks ?? (streamError === undefined ? undefined : 1);
  const count = drop === undefined ? events.length : beforeDeltas + Math.min(drop, chunks.deltas.length);
  const interval = behaviour.chunkIntervalMs ?? 0;

  startSse(res, behaviour.status ?? 200, behaviour.retryAfter);
  const firstByteDelay = behaviour.firstByteDelayMs ?? 0;
  if (firstByteDelay > 0) {
    res.flushHeaders();
    if (!(await sleep(res, firstByteDelay))) return;
  }
  for (let i = 0; i < count; i += 1) {
    if (i > 0 && interval > 0 && !(await sleep(res, interval))) return;
    const data = events[i]!;
    if (drop !== undefined && streamError === undefined && i === count - 1) {
      writeSseData(res, data, () => destroyOnPurpose(res, call));
      return;
    }
    writeSseData(res, data);
  }
  if (streamError !== undefined) {
    // OpenAI reports a failure mid-stream as a data event holding an error object, then closes without [DONE].
    if (interval > 0 && !(await sleep(res, interval))) return;
    call.outcome = 'error';
    res.end(`data: ${errorBody(errorForStatus(streamError))}\n\n`);
    return;
  }
  endSse(res);
}

function destroyOnPurpose(res: ServerResponse, call: CallRecord): void {
  call.outcome = 'error';
  res.destroy();
}
