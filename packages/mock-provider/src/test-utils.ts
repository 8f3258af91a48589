// Helpers shared by the tests of this package; excluded from the build by tsconfig.
import type { MockProvider } from './types.js';

/** The JSON body of a response, loosely typed so tests can reach into it; assertions check the shape. */
export async function jsonOf(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}

/** A minimal valid chat completion request body. */
export function chatBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello.' }], ...extra };
}

/** POSTs a JSON body to `/chat/completions` of the mock. */
export function postChat(
  mock: MockProvider,
  body: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${mock.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  });
}

/** The `data:` payloads of an SSE body, in order. */
export function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event.length > 0)
    .map((event) => {
      if (!event.startsWith('data: ')) throw new Error(`not an SSE data event: ${event}`);
      return event.slice('data: '.length);
    });
}

/** Reads a streamed body until it ends or breaks; returns what arrived and whether it broke. */
export async function readUntilEnd(response: Response): Promise<{ text: string; broke: boolean }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, broke: false };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, broke: true };
  }
}

/** POSTs a JSON body (or raw string) to `path` under the mock's `/v1` URL. */
export function postJson(
  mock: MockProvider,
  path: string,
  body: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${mock.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal,
  });
}

/** One `event:`/`data:` pair of a named-event stream, its data parsed. */
export interface SseEvent {
  readonly event: string;
  readonly data: any;
}

/** The events of a named-event SSE body (`event: x\ndata: {…}\n\n`), in order; throws on anything else. */
export function sseEvents(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.length > 0)
    .map((block) => {
      const match = /^event: ([a-z_.]+)\ndata: (.*)$/s.exec(block);
      if (!match) throw new Error(`not a named SSE event: ${JSON.stringify(block)}`);
      return { event: match[1]!, data: JSON.parse(match[2]!) };
    });
}
