import type { AnthropicReplyFunction, GeminiReplyFunction, MockHandlerOptions, ReplyFunction } from './types.js';

/** Models `GET /v1/models` lists when the options name none. */
export const DEFAULT_MODELS: readonly string[] = ['gpt-4o-mini', 'gpt-4o-2024-08-06'];

/** Options with defaults filled in and lookups precomputed, built once per handler. */
export interface MockConfig {
  /** Accepted bearer keys; `undefined` means every request is let in. */
  readonly apiKeys: ReadonlySet<string> | undefined;
  readonly models: readonly string[];
  readonly modelSet: ReadonlySet<string>;
  readonly strictModels: boolean;
  readonly reply: ReplyFunction | undefined;
  readonly anthropicReply: AnthropicReplyFunction | undefined;
  readonly geminiReply: GeminiReplyFunction | undefined;
}

/** Fills in defaults and checks the option types a JavaScript caller could get wrong. */
export function resolveConfig(options: MockHandlerOptions): MockConfig {
  const models = options.models ?? DEFAULT_MODELS;
  if (!Array.isArray(models) || models.some((model) => typeof model !== 'string')) {
    throw new TypeError('mock-provider: `models` must be an array of strings.');
  }
  const apiKeys = options.apiKeys;
  if (apiKeys !== undefined && (!Array.isArray(apiKeys) || apiKeys.some((key) => typeof key !== 'string'))) {
    throw new TypeError('mock-provider: `apiKeys` must be an array of strings.');
  }
  return {
    apiKeys: apiKeys === undefined ? undefined : new Set(apiKeys),
    models,
    modelSet: new Set(models),
    strictModels: options.strictModels ?? false,
    reply: options.reply,
    anthropicReply: options.anthropicReply,
    geminiReply: options.geminiReply,
  };
}
