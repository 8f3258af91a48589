// The client's own bytes sent on to a provider of its format: only `model` changed, without re-serialising
// the prompt when that can be avoided.
import type { ParsedRequest } from '@switchyard/core';
import { capAsCompletionTokens, type PassthroughOptions } from './reasoning.js';

/**
 * The request body for `model` (the provider's ID for it: a model's `upstream_model`, else its policy ID):
 * the client's bytes untouched when they already name it, else the body
 * serialised once with `model` replaced (in place, so the key order stays). A chat or completions stream
 * also asks for usage (`stream_options.include_usage`), which prices the call; see `asksUsageForClient`.
 * A chat body for a reasoning model (`options.reasoning`) that caps its output with `max_tokens` is
 * serialised again with `max_completion_tokens`, the one such a model takes.
 */
export function requestBody(request: ParsedRequest, model: string, options: PassthroughOptions = {}): Buffer {
  const { body, raw } = request;
  const addUsage = asksUsageForClient(request);
  if (options.reasoning === true && request.endpoint === 'chat' && body.max_tokens !== undefined) {
    const out: Record<string, unknown> = { ...body, model };
    capAsCompletionTokens(out);
    if (addUsage) out.stream_options = { ...(isObject(body.stream_options) ? body.stream_options : {}), include_usage: true };
    return Buffer.from(JSON.stringify(out));
  }
  if (body.model === model && !addUsage) return raw;
  if (body.model === model && body.stream_options === undefined) {
    // Spliced in after the opening brace: cheaper than serialising the whole prompt again.
    const open = raw.indexOf(0x7b /* { */);
    return Buffer.concat([raw.subarray(0, open + 1), INCLUDE_USAGE, raw.subarray(open + 1)]);
  }
  const out: Record<string, unknown> = { ...body, model };
  if (addUsage) out.stream_options = { ...(isObject(body.stream_options) ? body.stream_options : {}), include_usage: true };
  return Buffer.from(JSON.stringify(out));
}

const INCLUDE_USAGE = Buffer.from('"stream_options":{"include_usage":true},');

/**
 * Whether the gateway adds `stream_options.include_usage` to this request: an OpenAI-format chat or
 * completions stream whose client did not ask for usage. The answer's usage-only chunk is then the
 * gateway's, and is not passed on (see `usageChunkFilter`).
 */
export function asksUsageForClient(request: ParsedRequest): boolean {
  const { body, endpoint } = request;
  if (body.stream !== true || (endpoint !== 'chat' && endpoint !== 'completions')) return false;
  return !(isObject(body.stream_options) && body.stream_options.include_usage === true);
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
