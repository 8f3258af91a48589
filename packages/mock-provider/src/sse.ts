import type { ServerResponse } from 'node:http';
import { baseHeaders } from './respond.js';

/** Writes the headers of a server-sent-events response; they go out with the first event or `flushHeaders()`. */
export function startSse(res: ServerResponse, status: number, retryAfter: string | undefined): void {
  const headers = baseHeaders('text/event-stream; charset=utf-8', retryAfter);
  headers['cache-control'] = 'no-cache';
  res.writeHead(status, headers);
}

/** Writes one `data:` event as its own write; `flushed` runs once it has reached the socket. */
export function writeSseData(res: ServerResponse, data: string, flushed?: () => void): void {
  res.write(`data: ${data}\n\n`, flushed);
}

/** Ends the stream the way OpenAI does: `data: [DONE]`. */
export function endSse(res: ServerResponse): void {
  res.end('data: [DONE]\n\n');
}
