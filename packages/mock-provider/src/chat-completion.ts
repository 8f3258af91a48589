import type { ChatReply, FinishReason, Usage } from './chat-reply.js';

/** The fields every completion object and chunk of one response share. */
export interface CompletionMeta {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

/** The chunks of a streamed completion, in the order they go out (`[DONE]` excluded). */
export interface StreamChunks {
  /** The role chunk: `{role: "assistant", content: ""}` (or the tool call header). */
  readonly first: string;
  /** The content (or tool-argument) deltas. */
  readonly deltas: readonly string[];
  /** The chunk that carries `finish_reason`. */
  readonly finish: string;
  /** The `choices: []` usage chunk, present only when `stream_options.include_usage` is true. */
  readonly usage: string | undefined;
}

const SYSTEM_FINGERPRINT = 'fp_mock';

/** The JSON body of a non-stream `chat.completion`. */
export function completionBody(meta: CompletionMeta, reply: ChatReply): string {
  const message = reply.toolCalls
    ? { role: 'assistant', content: null, tool_calls: reply.toolCalls, refusal: null, annotations: [] }
    : { role: 'assistant', content: reply.content, refusal: null, annotations: [] };
  return JSON.stringify({
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.finishReason }],
    usage: reply.usage,
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  });
}

/** The `chat.completion.chunk` JSON strings of a stream that sends `count` deltas. */
export function streamChunks(meta: CompletionMeta, reply: ChatReply, count: number, includeUsage: boolean): StreamChunks {
  const usage = includeUsage ? null : undefined;
  const toolCall = reply.toolCalls?.[0];
  if (toolCall) {
    const { id, type, function: fn } = toolCall;
    const header = { index: 0, id, type, function: { name: fn.name, arguments: '' } };
    return {
      first: chunk(meta, delta({ role: 'assistant', content: null, tool_calls: [header], refusal: null }), usage),
      deltas: split(fn.arguments, count).map((part) =>
        chunk(meta, delta({ tool_calls: [{ index: 0, function: { arguments: part } }] }), usage),
      ),
      finish: chunk(meta, delta({}, reply.finishReason), usage),
      usage: includeUsage ? chunk(meta, [], reply.usage) : undefined,
    };
  }
  return {
    first: chunk(meta, delta({ role: 'assistant', content: '', refusal: null }), usage),
    deltas: split(reply.content ?? '', count).map((part) => chunk(meta, delta({ content: part }), usage)),
    finish: chunk(meta, delta({}, reply.finishReason), usage),
    usage: includeUsage ? chunk(meta, [], reply.usage) : undefined,
  };
}

function delta(content: object, finishReason: FinishReason | null = null): object[] {
  return [{ index: 0, delta: content, logprobs: null, finish_reason: finishReason }];
}

// With include_usage OpenAI sends `"usage": null` on every chunk but the last; without it, no usage key.
function chunk(meta: CompletionMeta, choices: object[], usage: Usage | null | undefined): string {
  return JSON.stringify({
    id: meta.id,
    object: 'chat.completion.chunk',
    created: meta.created,
    model: meta.model,
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices,
    usage,
  });
}

/** Splits `text` into `count` consecutive pieces of near-equal length (pieces may be empty). */
export function split(text: string, count: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < count; i += 1) {
    pieces.push(text.slice(Math.floor((i * text.length) / count), Math.floor(((i + 1) * text.length) / count)));
  }
  return pieces;
}
