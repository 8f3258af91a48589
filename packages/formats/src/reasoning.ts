// OpenAI's reasoning models (o1…, gpt-5…) refuse `max_tokens` with a 400 ("Use 'max_completion_tokens'
// instead"): the output cap goes to them as `max_completion_tokens`, which every other chat model takes too.
import type { JsonObject } from './json.js';

/** Options of translators and passthrough bodies for an OpenAI-format provider. */
export interface PassthroughOptions {
  /** The model is a reasoning model (the policy's `reasoning` capability): its output cap goes as `max_completion_tokens`. */
  readonly reasoning?: boolean;
}

/**
 * Moves a chat request's `max_tokens` to `max_completion_tokens`, in place; a `max_completion_tokens`
 * the request already has wins. Returns whether anything changed.
 */
export function capAsCompletionTokens(request: JsonObject): boolean {
  if (request.max_tokens === undefined) return false;
  if (request.max_completion_tokens === undefined) request.max_completion_tokens = request.max_tokens;
  delete request.max_tokens;
  return true;
}
