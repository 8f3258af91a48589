// Anthropic Message → OpenAI chat.completion, and the pieces the stream translator shares.
import { badUpstreamBody, count, isRecord } from '../json.js';
import type { ChatCompletion, ChatToolCall, ChatUsage, CompletionOptions, FinishReason } from '../openai.js';
import { JSON_TOOL_NAME } from './types.js';

/** Translates a 2xx Anthropic Message body; throws a 502 SwitchyardError when it is not one. */
export function fromAnthropicResponse(body: unknown, options: CompletionOptions): ChatCompletion {
  if (!isRecord(body) || !Array.isArray(body.content) || typeof body.id !== 'string') {
    throw badUpstreamBody('Anthropic', 'the body is not a Message');
  }
  let text: string | null = null;
  const toolCalls: ChatToolCall[] = [];
  let jsonAnswer = false;
  for (const block of body.content) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') text = (text ?? '') + block.text;
    else if (block.type === 'tool_use' && typeof block.name === 'string') {
      const args = JSON.stringify(block.input ?? {});
      if (block.name === JSON_TOOL_NAME) {
        // The forced JSON tool's input is the answer; any preamble the model wrote is not part of it.
        text = args;
        jsonAnswer = true;
      } else {
        toolCalls.push({ id: String(block.id), type: 'function', function: { name: block.name, arguments: args } });
      }
    }
    // thinking, redacted_thinking and server-tool blocks have no OpenAI chat equivalent.
  }
  const message: ChatCompletion['choices'][0]['message'] = { role: 'assistant', content: text, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: body.id,
    object: 'chat.completion',
    created: options.created ?? Math.floor(Date.now() / 1000),
    model: options.model,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: finishReason(body.stop_reason, jsonAnswer && toolCalls.length === 0),
      },
    ],
    usage: chatUsage(body.usage),
  };
}

/** Anthropic `stop_reason` → OpenAI `finish_reason`; a forced JSON tool's `tool_use` is a plain stop. */
export function finishReason(stopReason: unknown, jsonAnswer: boolean): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return jsonAnswer ? 'stop' : 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default: // end_turn, stop_sequence, pause_turn
      return 'stop';
  }
}

/** Anthropic usage → OpenAI usage: every input token (cached or not) counts as a prompt token. */
export function chatUsage(usage: unknown): ChatUsage {
  const u = isRecord(usage) ? usage : {};
  const cacheRead = count(u.cache_read_input_tokens) ?? 0;
  const prompt = (count(u.input_tokens) ?? 0) + cacheRead + (count(u.cache_creation_input_tokens) ?? 0);
  const completion = count(u.output_tokens) ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
}
