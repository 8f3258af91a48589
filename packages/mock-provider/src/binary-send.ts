import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { CallRecord } from './recorder.js';
import { sleep } from './timing.js';
import type { Behaviour } from './types.js';

const DEFAULT_CHUNKS = 4;

/**
 * Streams a binary answer in `chunks` writes (default 4), chunked unless `withLength`. Honours first-byte
 * delay and chunk interval; `malformed` sends only the first half as the whole body; `dropAfterChunks` (and
 * `streamError`, which a binary body cannot carry in-band) sends that many pieces (default 1), then cuts the socket.
 */
export async function sendBinary(
  res: ServerResponse,
  call: CallRecord,
  headers: OutgoingHttpHeaders,
  payload: Buffer,
  behaviour: Behaviour,
  withLength = false,
): Promise<void> {
  const body = behaviour.malformed ? payload.subarray(0, Math.floor(payload.length / 2)) : payload;
  const count = Math.max(1, Math.min(behaviour.chunks ?? DEFAULT_CHUNKS, body.length || 1));
  const pieces = Array.from({ length: count }, (_, i) =>
    body.subarray(Math.floor((i * body.length) / count), Math.floor(((i + 1) * body.length) / count)),
  );
  const drop = behaviour.dropAfterChunks ?? (behaviour.streamError === undefined ? undefined : 1);
  // A cut body announces its full length, so the client sees it end early.
  if (drop !== undefined) headers['content-length'] = payload.length;
  else if (withLength) headers['content-length'] = body.length;
  res.writeHead(behaviour.status ?? 200, headers);
  const firstByteDelay = behaviour.firstByteDelayMs ?? 0;
  if (firstByteDelay > 0) {
    res.flushHeaders();
    if (!(await sleep(res, firstByteDelay))) return;
  }
  const interval = behaviour.chunkIntervalMs ?? 0;
  const sent = drop === undefined ? pieces.length : Math.min(drop, pieces.length);
  for (let i = 0; i < sent; i += 1) {
    if (i > 0 && interval > 0 && !(await sleep(res, interval))) return;
    res.write(pieces[i]!);
  }
  if (drop === undefined) {
    res.end();
    return;
  }
  res.write('', () => {
    call.outcome = 'error';
    res.destroy();
  });
}
