// Test helpers for dispatch() across wire formats: one policy with a provider of each format on one test
// upstream, and the answers an Anthropic or Gemini upstream sends.
import { parsePolicy, type Policy } from '@switchyard/core';
import { anthropicEvents, dataEvents } from '../../formats/test/sse.js';
import { json, sse, type Behaviour } from './upstream.js';

export const KEYS = { OPENAI_KEY: 'sk-openai-secret', CLAUDE_KEY: 'sk-ant-secret', GEMINI_KEY: 'gm-secret' } as const;

/**
 * Providers `openai` (`<origin>/v1`), `claude` (`<origin>`, as the Anthropic SDK takes it), `claude1`
 * (`<origin>/v1`) and `gemini` (`<origin>/v1beta`), all on the test upstream whose base URL is `baseUrl`;
 * models `gpt-test`, `claude-test` (output cap 1024), `claude1-test`, `gemini-test`; route `smart`
 * (gpt-test, falling back to claude-test). `extra` is appended (more routes, a failover section).
 */
export function wirePolicy(baseUrl: string, extra = ''): Policy {
  const origin = baseUrl.replace(/\/v1$/, '');
  const all = 'capabilities: [tools, json_schema, streaming, vision]';
  const yaml = `
version: 1
providers:
  openai: { format: openai, base_url: ${origin}/v1, credentials: [{ env: OPENAI_KEY }] }
  claude: { format: anthropic, base_url: ${origin}, credentials: [{ env: CLAUDE_KEY }] }
  claude1: { format: anthropic, base_url: ${origin}/v1, credentials: [{ env: CLAUDE_KEY }] }
  gemini: { format: gemini, base_url: ${origin}/v1beta, credentials: [{ env: GEMINI_KEY }] }
models:
  gpt-test: { provider: openai, ${all} }
  claude-test: { provider: claude, max_output_tokens: 1024, ${all} }
  claude1-test: { provider: claude1, ${all} }
  gemini-test: { provider: gemini, ${all} }
routes:
  smart: { default: gpt-test, fallbacks: [claude-test] }
${extra}`;
  return parsePolicy(yaml, 'policy.yaml', { env: KEYS });
}

/** Answers the requests in order, the last one for every request after it. */
export function sequence(...behaviours: Behaviour[]): Behaviour {
  let n = 0;
  return (req, res, body) => behaviours[Math.min(n++, behaviours.length - 1)]!(req, res, body);
}

export const ANTHROPIC_USAGE = {
  input_tokens: 10,
  cache_creation_input_tokens: 4,
  cache_read_input_tokens: 20,
  output_tokens: 5,
};

/** An Anthropic Message with `content`. */
export function anthropicMessage(
  content: unknown[],
  stopReason: string | null = 'end_turn',
  model = 'claude-test',
): Record<string, unknown> {
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: ANTHROPIC_USAGE,
  };
}

/** 200 with an Anthropic Message saying `Hello.`, plus a `request-id` header of Anthropic's own. */
export const anthropicHello: Behaviour = json(200, anthropicMessage([{ type: 'text', text: 'Hello.' }]), {
  'request-id': 'req_1',
});

/** Anthropic's stream of a text answer in `words`, its events `intervalMs` apart; `end` as `sse()` takes it. */
export function anthropicStream(
  words: readonly string[],
  intervalMs = 5,
  tail: 'complete' | 'error' | 'drop' = 'complete',
): Behaviour {
  const events: Record<string, unknown>[] = [
    { type: 'message_start', message: { ...anthropicMessage([], null), usage: { ...ANTHROPIC_USAGE, output_tokens: 1 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'ping' },
    ...words.map((text) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })),
  ];
  if (tail === 'error') events.push({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  if (tail === 'complete') {
    events.push(
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } },
      { type: 'message_stop' },
    );
  }
  return sse(
    events.map((event) => anthropicEvents([event])),
    intervalMs,
    tail === 'drop' ? 'drop' : 'end',
  );
}

export const GEMINI_USAGE = { promptTokenCount: 12, candidatesTokenCount: 3, totalTokenCount: 15, cachedContentTokenCount: 4 };

/** A Gemini GenerateContentResponse with `parts`; `finishReason` omitted for a chunk mid-stream. */
export function geminiResponse(parts: unknown[], finishReason?: string): Record<string, unknown> {
  const candidate: Record<string, unknown> = { content: { parts, role: 'model' }, index: 0 };
  if (finishReason) candidate.finishReason = finishReason;
  return { candidates: [candidate], usageMetadata: GEMINI_USAGE, modelVersion: 'gemini-test', responseId: 'resp1' };
}

/** Gemini's `alt=sse` stream of `words`, the last with `finishReason: STOP`. */
export function geminiStream(words: readonly string[], intervalMs = 5): Behaviour {
  const events = words.map((text, i) =>
    dataEvents([geminiResponse([{ text }], i === words.length - 1 ? 'STOP' : undefined)], '\r\n'),
  );
  return sse(events, intervalMs);
}

/** Data events of an OpenAI chat stream: `words`, a finish chunk, the usage chunk and `[DONE]`. */
export function openAIStream(words: readonly string[], intervalMs = 5): Behaviour {
  const chunk = (delta: object, finish: string | null = null) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-test',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const usage = { prompt_tokens: 30, completion_tokens: 5, total_tokens: 35, prompt_tokens_details: { cached_tokens: 20 } };
  const events = [
    chunk({ role: 'assistant', content: '' }),
    ...words.map((content) => chunk({ content })),
    chunk({}, 'stop'),
    { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-test', choices: [], usage },
    '[DONE]',
  ];
  return sse(
    events.map((event) => dataEvents([event])),
    intervalMs,
  );
}

/** Event names of an Anthropic-style stream, in order. */
export function eventNames(text: string): string[] {
  return [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]!);
}

/** The JSON of every `data:` line, `[DONE]` as the string. */
export function dataOf(text: string): unknown[] {
  return [...text.matchAll(/^data: (.+)$/gm)].map((m) => (m[1] === '[DONE]' ? '[DONE]' : (JSON.parse(m[1]!) as unknown)));
}
