// The OpenAI chat shapes the translations produce and read: completion, chunk, usage, error.
// Only the fields a translation writes; the client's own request is read as untyped JSON.
import type { Usage } from '@switchyard/core';

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: [
    {
      index: 0;
      message: { role: 'assistant'; content: string | null; refusal: null; tool_calls?: ChatToolCall[] };
      logprobs: null;
      finish_reason: FinishReason;
    },
  ];
  usage: ChatUsage;
}

export interface ChunkToolCall {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string;
  tool_calls?: ChunkToolCall[];
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: { index: 0; delta: ChunkDelta; logprobs: null; finish_reason: FinishReason | null }[];
  /** Present on every chunk only when the client asked for usage: `null` until the last chunk. */
  usage?: ChatUsage | null;
}

/** What an answer translated into OpenAI's shape is stamped with. */
export interface CompletionOptions {
  /** The exact model ID that served: the body's (every chunk's) `model`. */
  readonly model: string;
  /** `created`, in Unix seconds. Default: now. */
  readonly created?: number;
}

/** OpenAI's error body. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An upstream error translated into the client's format: the status and body to answer with. */
export interface TranslatedError<Body> {
  status: number;
  body: Body;
}

/** OpenAI error types by HTTP status, as the gateway's own errors use them. */
export function openAIErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** OpenAI usage → the routing record's usage (prompt tokens include cached ones, as OpenAI counts them). */
export function recordUsage(usage: ChatUsage): Usage {
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    cachedInputTokens: usage.prompt_tokens_details.cached_tokens,
  };
}
