// What a 2xx answer passing through unread must at least look like: the endpoint's JSON or event stream.
// A provider that answers 200 with an HTML page, an empty body or anything else has failed; checking the
// content type and the first bytes costs nothing, and turns the failure into a 502 failover can act on.
import type { ParsedRequest } from '@switchyard/core';
import { SwitchyardError } from '@switchyard/core';
import type { AttemptAnswered } from './forward-attempt.js';

/** Endpoints whose answers are JSON (or, streamed, an event stream). */
const JSON_ENDPOINTS: ReadonlySet<string> = new Set([
  'chat',
  'completions',
  'embeddings',
  'responses',
  'messages',
  'gemini',
  'count_tokens',
]);

const SSE_STARTS = ['data:', 'event:', 'id:', 'retry:', ':'];

/**
 * Why a 2xx answer that passes through is not the endpoint's answer (`undefined` when it looks right):
 * a content type that is neither JSON nor an event stream, an empty body, or first bytes that do not
 * begin one. Reads nothing the client will not get: the first bytes are looked at and put back.
 */
export function badAnswerStart(answered: AttemptAnswered, request: ParsedRequest): string | undefined {
  if (!JSON_ENDPOINTS.has(request.endpoint)) return undefined;
  const { response } = answered;
  const type = response.headers['content-type']?.toLowerCase() ?? '';
  const json = type.startsWith('application/json') || /^application\/[\w.+-]*\+json/.test(type);
  const stream = type.startsWith('text/event-stream');
  if (!json && !stream) return `a 2xx answer of type "${type || 'none'}"`;
  const head = answered.body ?? peek(answered);
  const text = head.toString('latin1', 0, Math.min(head.length, 64)).trimStart();
  if (text === '') return head.length === 0 ? 'an empty 2xx answer' : undefined;
  if (json && text[0] !== '{' && text[0] !== '[') return 'a 2xx answer that is not JSON';
  if (stream && !SSE_STARTS.some((start) => text.startsWith(start))) return 'a 2xx answer that is not an event stream';
  return undefined;
}

/** The bytes the answer has buffered, left where they were. */
function peek(answered: AttemptAnswered): Buffer {
  const { response } = answered;
  const chunk = response.read() as Buffer | null;
  if (chunk === null) return Buffer.alloc(0);
  response.unshift(chunk);
  return chunk;
}

/** The 502 the client gets for an answer that is not one, whatever its provider sent. */
export function badResponseError(provider: string, why: string): SwitchyardError {
  return new SwitchyardError({
    status: 502,
    type: 'api_error',
    code: 'upstream_bad_response',
    message: `Provider "${provider}" sent ${why}, not an answer of this endpoint.`,
  });
}
