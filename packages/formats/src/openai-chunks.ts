// Writes an OpenAI chat.completion.chunk stream: the translations into OpenAI share it.
import type { ChatCompletionChunk, ChatUsage, ChunkDelta, CompletionOptions, FinishReason, OpenAIErrorBody } from './openai.js';
import { SSE_DONE, sseData } from './sse.js';
import type { TranslatingStreamOptions } from './stream.js';

/** Options of the streams that translate into OpenAI chunks. */
export interface ChunkStreamOptions extends CompletionOptions, TranslatingStreamOptions {
  /** The client's `stream_options.include_usage`: `usage: null` on every chunk and a usage chunk before `[DONE]`. */
  readonly includeUsage: boolean;
}

export class ChunkWriter {
  /** The completion id every chunk carries; set once the upstream names its answer. */
  id = '';
  readonly #model: string;
  readonly #created: number;
  readonly #includeUsage: boolean;

  constructor(options: ChunkStreamOptions) {
    this.#model = options.model;
    this.#created = options.created ?? Math.floor(Date.now() / 1000);
    this.#includeUsage = options.includeUsage;
  }

  delta(delta: ChunkDelta): string {
    return sseData(this.#chunk(delta, null));
  }

  finish(reason: FinishReason): string {
    return sseData(this.#chunk({}, reason));
  }

  /** The usage chunk (when the client asked for it, as OpenAI does: empty `choices`) and `[DONE]`. */
  done(usage: ChatUsage): string {
    if (!this.#includeUsage) return SSE_DONE;
    const chunk: ChatCompletionChunk = { ...this.#head(), choices: [], usage };
    return sseData(chunk) + SSE_DONE;
  }

  /** An error event: the official clients throw on it. No `[DONE]` follows. */
  error(body: OpenAIErrorBody): string {
    return sseData(body);
  }

  #chunk(delta: ChunkDelta, reason: FinishReason | null): ChatCompletionChunk {
    const chunk: ChatCompletionChunk = {
      ...this.#head(),
      choices: [{ index: 0, delta, logprobs: null, finish_reason: reason }],
    };
    if (this.#includeUsage) chunk.usage = null;
    return chunk;
  }

  #head(): Pick<ChatCompletionChunk, 'id' | 'object' | 'created' | 'model'> {
    return { id: this.id, object: 'chat.completion.chunk', created: this.#created, model: this.#model };
  }
}

/** The error event a stream ends with when the upstream stopped before its answer was complete. */
export function incompleteStreamError(provider: string): OpenAIErrorBody {
  return {
    error: {
      message: `The ${provider} stream ended before the answer was complete.`,
      type: 'api_error',
      param: null,
      code: 'upstream_stream_incomplete',
    },
  };
}

/** The error event a stream ends with when the upstream's events cannot be read. */
export function unreadableStreamError(provider: string, why: string): OpenAIErrorBody {
  return {
    error: {
      message: `The ${provider} stream could not be translated: ${why}`,
      type: 'api_error',
      param: null,
      code: 'upstream_bad_response',
    },
  };
}
