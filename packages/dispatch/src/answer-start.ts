// Waits for a 2xx answer's body to begin (or end) without passing anything on: until then it can fail over.
import type { IncomingMessage } from 'node:http';

/**
 * Calls `done` once: with `true` when the body's first byte is readable (nothing consumed; the stream is
 * left paused for whoever pipes it next), with the whole body once it ended (when `whole` is set, or the
 * body was empty), or with `false` when the response closed first.
 */
export function answerStart(response: IncomingMessage, whole: boolean, done: (started: Buffer | boolean) => void): void {
  const chunks: Buffer[] = [];
  const onReadable = () => {
    if (!whole) {
      cleanup();
      // Readable with nothing buffered is the end of an empty body, whose 'end' nobody will hear.
      done(response.readableLength > 0 ? true : Buffer.alloc(0));
      return;
    }
    for (let chunk = response.read() as Buffer | null; chunk !== null; chunk = response.read() as Buffer | null)
      chunks.push(chunk);
  };
  // An empty body that ended before anyone listened gets 'end' and no 'readable'.
  const onEnd = () => {
    cleanup();
    done(Buffer.concat(chunks));
  };
  const onClose = () => {
    cleanup();
    done(false);
  };
  const cleanup = () => {
    response.off('readable', onReadable);
    response.off('end', onEnd);
    response.off('close', onClose);
  };
  // A destroyed response only closes.
  response.on('readable', onReadable);
  response.on('end', onEnd);
  response.on('close', onClose);
}
