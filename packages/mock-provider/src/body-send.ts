import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { CallRecord } from './recorder.js';
import type { Behaviour } from './types.js';

/**
 * Sends a complete JSON answer with `headers`, cut in half when the behaviour says so: `malformed` sends
 * the first half as the whole (invalid JSON) body; `dropAfterChunks` announces the full length, sends half,
 * then destroys the socket.
 */
export function sendBody(
  res: ServerResponse,
  call: CallRecord,
  headers: OutgoingHttpHeaders,
  body: string,
  behaviour: Behaviour,
): void {
  const status = behaviour.status ?? 200;
  const half = body.slice(0, Math.floor(body.length / 2));
  const sent = behaviour.malformed ? half : body;
  headers['content-length'] = Buffer.byteLength(sent);
  if (behaviour.dropAfterChunks !== undefined && !behaviour.malformed) {
    res.writeHead(status, headers);
    res.write(half, () => {
      call.outcome = 'error';
      res.destroy();
    });
    return;
  }
  res.writeHead(status, headers);
  res.end(sent);
}
