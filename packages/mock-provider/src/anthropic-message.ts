import type { AnthropicReply } from './anthropic-reply.js';
import { split } from './chat-completion.js';
import type { PlannedStream, StreamEvent, StreamFraming } from './event-stream.js';
import { textPieces } from './text-stops.js';

/** The fields every form of one answer shares. */
export interface MessageMeta {
  readonly id: string;
  readonly model: string;
}

/** Anthropic's SSE framing: every event named, `event: <name>\ndata: <json>\n\n`, nothing after the last. */
export const ANTHROPIC_FRAMING: StreamFraming = {
  frame: (event) => `event: ${event.name}\ndata: ${event.data}\n\n`,
  end: '',
};

/** The JSON body of a non-stream `message`. */
export function messageBody(meta: MessageMeta, reply: AnthropicReply): string {
  return JSON.stringify({
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content: [reply.block],
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    usage: reply.usage,
  });
}

/**
 * The events of a streamed message, in Anthropic's order: `message_start`, `content_block_start`, `ping`,
 * up to `count` `content_block_delta`s (non-empty `text_delta`s, or `input_json_delta`s), `content_block_stop`,
 * `message_delta` (stop reason and cumulative `output_tokens`), `message_stop`.
 */
export function messageEvents(meta: MessageMeta, reply: AnthropicReply, count: number): PlannedStream {
  const { block, usage } = reply;
  // Upstream reports the output so far in message_start (a token or so), the total in message_delta.
  const startUsage = { ...usage, output_tokens: Math.min(1, usage.output_tokens) };
  const message = {
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: startUsage,
  };
  const opening = block.type === 'text' ? { type: 'text', text: '' } : { ...block, input: {} };
  const deltas =
    block.type === 'text'
      ? textPieces(block.text, count).map((text) => ({ type: 'text_delta', text }))
      : split(JSON.stringify(block.input), count).map((partial_json) => ({ type: 'input_json_delta', partial_json }));
  return {
    lead: [
      event('message_start', { type: 'message_start', message }),
      event('content_block_start', { type: 'content_block_start', index: 0, content_block: opening }),
      event('ping', { type: 'ping' }),
    ],
    deltas: deltas.map((delta) => event('content_block_delta', { type: 'content_block_delta', index: 0, delta })),
    tail: [
      event('content_block_stop', { type: 'content_block_stop', index: 0 }),
      event('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence },
        usage: { output_tokens: usage.output_tokens },
      }),
      event('message_stop', { type: 'message_stop' }),
    ],
  };
}

function event(name: string, data: object): StreamEvent {
  return { name, data: JSON.stringify(data) };
}
