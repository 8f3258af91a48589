// Helpers for the Anthropic and Gemini tests of this package; excluded from the build by tsconfig.
import type { MockProvider } from '../src/types.js';

/** The Anthropic version header every Messages test sends unless it tests its absence. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** A minimal valid Messages body. */
export function messagesBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'claude-sonnet-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Say hello.' }], ...extra };
}

/** POSTs a body to `/v1/messages` with `anthropic-version` (and `x-api-key` when given); `headers` win. */
export function postMessages(
  mock: MockProvider,
  body: unknown,
  init: { key?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION };
  if (init.key !== undefined) headers['x-api-key'] = init.key;
  return fetch(`${mock.origin}/v1/messages`, {
    method: 'POST',
    headers: { ...headers, ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  });
}

/** One parsed `event:`/`data:` pair of an Anthropic stream. */
export interface NamedEvent {
  readonly event: string;
  readonly data: any;
}

/** The events of an Anthropic SSE body, in order; throws on anything that is not `event: …\ndata: …`. */
export function namedEvents(text: string): NamedEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.length > 0)
    .map((block) => {
      const match = /^event: ([a-z_]+)\ndata: (.*)$/s.exec(block);
      if (!match) throw new Error(`not an Anthropic SSE event: ${JSON.stringify(block)}`);
      return { event: match[1]!, data: JSON.parse(match[2]!) };
    });
}

/** A minimal valid `generateContent` body. */
export function geminiBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { contents: [{ role: 'user', parts: [{ text: 'Say hello.' }] }], ...extra };
}

/** POSTs to `/v1beta/models/{model}:{method}{query}` with `x-goog-api-key` when `key` is given. */
export function postGemini(
  mock: MockProvider,
  body: unknown,
  init: { model?: string; method?: string; query?: string; key?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.key !== undefined) headers['x-goog-api-key'] = init.key;
  const target = `${init.model ?? 'gemini-2.5-pro'}:${init.method ?? 'generateContent'}`;
  return fetch(`${mock.origin}/v1beta/models/${target}${init.query ?? ''}`, {
    method: 'POST',
    headers: { ...headers, ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The JSON chunks of a Gemini `alt=sse` body; throws unless every event is `data: …\r\n\r\n`. */
export function geminiSse(text: string): any[] {
  if (text.length > 0 && !text.endsWith('\r\n\r\n'))
    throw new Error(`stream does not end an event: ${JSON.stringify(text.slice(-40))}`);
  return text
    .split('\r\n\r\n')
    .filter((event) => event.length > 0)
    .map((event) => {
      if (!event.startsWith('data: ')) throw new Error(`not a Gemini SSE event: ${JSON.stringify(event)}`);
      return JSON.parse(event.slice('data: '.length));
    });
}

/** A 1×1 transparent PNG, base64. */
export const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
