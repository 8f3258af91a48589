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
