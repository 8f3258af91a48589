// What a call cost, from the usage the upstream reported, and what it could cost at worst, before it runs.
import type { Endpoint, ModelConfig, ModelPrice, Usage } from '@switchyard/core';
import { imageTokens } from './images.js';

const PER_MILLION = 1e6;

/**
 * USD for `usage` at `price` (USD per 1M tokens). Cached input tokens and tokens written to the cache are
 * part of `inputTokens`, priced at `cachedInput` and `cacheWrite` (the input price when the model has none).
 */
export function costOf(usage: Usage, price: ModelPrice): number {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const written = Math.min(usage.cacheCreationInputTokens ?? 0, usage.inputTokens - cached);
  const fresh = usage.inputTokens - cached - written;
  const input = fresh * price.input + cached * (price.cachedInput ?? price.input) + written * (price.cacheWrite ?? price.input);
  return (input + usage.outputTokens * price.output) / PER_MILLION;
}

/** The most one input token can cost: a cache write may cost more than a plain read. */
function dearestInput(price: ModelPrice): number {
  return Math.max(price.input, price.cacheWrite ?? 0);
}

/** What a request can make a model read and write, at most. */
export interface RequestSize {
  /**
   * An upper bound of the prompt's text tokens, framing and tool overheads included (a token is at least one
   * byte, whatever the tokenizer). Images are not in it: they are counted in `images`.
   */
  readonly inputTokens: number;
  /** What the request caps each answer at, if it does. */
  readonly maxOutputTokens?: number;
  /** Embeddings answer with no tokens of their own. */
  readonly endpoint: Endpoint;
  /** Answers the call asks for, each up to the output cap (`n`, `best_of`, prompts of a completions call). Default 1. */
  readonly completions?: number;
  /** Image inputs, by detail level (`high` includes `auto` and unset). Default none. */
  readonly images?: { readonly low: number; readonly high: number };
  /** Output tokens billed besides the answers (predicted outputs' rejected tokens). Default 0. */
  readonly extraOutputTokens?: number;
  /** Why the upstream may bill what the request does not bound (it names the field); `undefined` when it is bounded. */
  readonly unbounded?: string;
}

/**
 * The most `size` can cost on `model`: every input token and every image at the full input price (images at
 * `imageTokens(model)` each), and each answer at the request's cap (or the model's, if lower), else the
 * model's `max_output_tokens`, else its context window. `undefined` when the model has no price, nothing
 * bounds the answer, or the request is `unbounded`.
 */
export function worstCase(size: RequestSize, model: ModelConfig): number | undefined {
  const { price } = model;
  if (!price || size.unbounded !== undefined) return undefined;
  const cap = size.endpoint === 'embeddings' ? 0 : outputCap(size, model);
  if (cap === undefined) return undefined;
  const perImage = imageTokens(model);
  const images = (size.images?.low ?? 0) * perImage.low + (size.images?.high ?? 0) * perImage.high;
  const output = cap * (size.completions ?? 1) + (size.extraOutputTokens ?? 0);
  return ((size.inputTokens + images) * dearestInput(price) + output * price.output) / PER_MILLION;
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
