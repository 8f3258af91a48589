// What a call cost, from the usage the upstream reported, and what it could cost at worst, before it runs.
import type { Endpoint, ModelConfig, ModelPrice, Usage } from '@switchyard/core';

const PER_MILLION = 1e6;

/**
 * USD for `usage` at `price` (USD per 1M tokens). Cached input tokens are part of `inputTokens` and
 * priced at `cachedInput` (the input price when the model has none).
 */
export function costOf(usage: Usage, price: ModelPrice): number {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const fresh = usage.inputTokens - cached;
  return (fresh * price.input + cached * (price.cachedInput ?? price.input) + usage.outputTokens * price.output) / PER_MILLION;
}

/** What a request can make a model read and write, at most. */
export interface RequestSize {
  /** An upper bound of the prompt's tokens (its UTF-8 bytes: a token is at least one byte, whatever the tokenizer). */
  readonly inputTokens: number;
  /** What the request caps the answer at, if it does. */
  readonly maxOutputTokens?: number;
  /** Embeddings answer with no tokens of their own. */
  readonly endpoint: Endpoint;
}

/**
 * The most `size` can cost on `model`: every input token at the full input price, and the answer at the
 * request's cap (or the model's, if lower), else the model's `max_output_tokens`, else its context window. `undefined`
 * when the model has no price or nothing bounds the answer.
 */
export function worstCase(size: RequestSize, model: ModelConfig): number | undefined {
  const { price } = model;
  if (!price) return undefined;
  const output = size.endpoint === 'embeddings' ? 0 : outputCap(size, model);
  if (output === undefined) return undefined;
  return (size.inputTokens * price.input + output * price.output) / PER_MILLION;
}

function outputCap(size: RequestSize, model: ModelConfig): number | undefined {
  // Not the window minus the input: the input is only bounded from above, so that would not be a bound.
  const modelCap = model.maxOutputTokens ?? model.contextWindow;
  if (size.maxOutputTokens === undefined) return modelCap;
  return modelCap === undefined ? size.maxOutputTokens : Math.min(size.maxOutputTokens, modelCap);
}

/** USD as people read it: cents from $1 up, three significant digits below (`$0.0152`, `$0.001`). */
export function usdText(usd: number): string {
  if (usd >= 1 || usd <= 0) return `$${usd.toFixed(2)}`;
  const text = usd.toFixed(Math.min(12, 2 - Math.floor(Math.log10(usd))));
  return `$${text.replace(/(\.\d\d\d*?)0+$/, '$1')}`;
}

/** USD for the `x-switchyard-cost-usd` header: plain decimal, up to nine places, no exponent. */
export function usdHeader(usd: number): string {
  return usd.toFixed(9).replace(/\.?0+$/, '');
}
