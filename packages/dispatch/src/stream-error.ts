// Ending an answer that the upstream cut after the client had its first byte: never as if it were complete.
import type { ServerResponse } from 'node:http';
import { type Endpoint, googleErrorBody } from '@switchyard/core';

/**
 * An event stream gets a last error event in the client's wire format and ends without its normal
 * terminator (`data: [DONE]`, `message_stop`, …), so SDKs throw instead of returning a truncated answer.
 * Any other body is cut: its connection is destroyed before the body could look complete. `contentType`
 * is the answer's, as the upstream sent it.
 */
export function endCutAnswer(res: ServerResponse, contentType: string | undefined, endpoint: Endpoint, message: string): void {
  if (res.destroyed || res.writableEnded || !contentType?.startsWith('text/event-stream')) {
    res.destroy();
    return;
  }
  // The leading newline ends a line the upstream may have cut short; at an event boundary it is an empty line, which SSE ignores.
  res.end(`\n${errorEvent(endpoint, message)}`);
}

function errorEvent(endpoint: Endpoint, message: string): string {
  switch (endpoint) {
    case 'responses': {
      // As the live API: fields at the top level and again under `error` (openai-node throws only on the
      // nested form), with a `sequence_number` (the AI SDK's schema requires one).
      const error = { type: 'api_error', code: 'stream_cut', message, param: null };
      return `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: 0, code: 'stream_cut', message, param: null, error })}\n\n`;
    }
    case 'messages':
      return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'api_error', message } })}\n\n`;
    case 'gemini':
      // Google's SDK throws on an error event only when it carries a numeric code.
      return `data: ${JSON.stringify(googleErrorBody(502, message))}\r\n\r\n`;
    default:
      return `data: ${JSON.stringify({ error: { message, type: 'api_error', code: 'stream_cut' } })}\n\n`;
  }
}
