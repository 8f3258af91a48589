// The `/v1/messages` front door: an OpenAI chat.completion → an Anthropic Message.
import type { AnthropicBlock, AnthropicResponse, AnthropicStopReason, AnthropicUsage } from '../anthropic/types.js';
import { badUpstreamBody, count, isRecord, parseJson } from '../json.js';

export interface MessageOptions {
  /** The exact model ID that served: the Message's `model`. */
  readonly model: string;
}

/** Translates a 2xx OpenAI chat.completion body; throws a 502 SwitchyardError when it is not one. */
export function toAnthropicResponse(body: unknown, options: MessageOptions): AnthropicResponse {
  const choice = isRecord(body) && Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!isRecord(body) || !isRecord(choice) || !isRecord(choice.message)) {
    throw badUpstreamBody('OpenAI-format', 'the body is not a chat.completion');
  }
  const message = choice.message;
  const content: AnthropicBlock[] = [];
  const text =
    (typeof message.content === 'string' ? message.content : '') + (typeof message.refusal === 'string' ? message.refusal : '');
  if (text !== '') content.push({ type: 'text', text });
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isRecord(call) || !isRecord(call.function) || typeof call.function.name !== 'string') continue;
      content.push({
        type: 'tool_use',
        id: String(call.id),
        name: call.function.name,
        input: toolInput(call.function.arguments),
      });
    }
  }
  return {
    id: typeof body.id === 'string' ? body.id : '',
    type: 'message',
    role: 'assistant',
    model: options.model,
    content,
    stop_reason: stopReason(choice.finish_reason),
    stop_sequence: null,
    usage: anthropicUsage(body.usage),
  };
}

/** A tool call's arguments as Anthropic's `input` object; arguments that are not a JSON object become `{}`. */
export function toolInput(args: unknown): Record<string, unknown> {
  const parsed = typeof args === 'string' ? parseJson(args) : undefined;
  return isRecord(parsed) ? parsed : {};
}

/** OpenAI `finish_reason` → Anthropic `stop_reason`. OpenAI does not say which stop sequence matched. */
export function stopReason(finish: unknown): AnthropicStopReason {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** OpenAI usage → Anthropic usage: cached prompt tokens are reported as cache reads, apart from `input_tokens`. */
export function anthropicUsage(usage: unknown): AnthropicUsage {
  const u = isRecord(usage) ? usage : {};
  const cached = isRecord(u.prompt_tokens_details) ? (count(u.prompt_tokens_details.cached_tokens) ?? 0) : 0;
  const prompt = count(u.prompt_tokens) ?? 0;
  return {
    input_tokens: Math.max(prompt - cached, 0),
    output_tokens: count(u.completion_tokens) ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}
