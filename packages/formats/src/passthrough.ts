// The client's own bytes sent on to a provider of its format: only `model` changed, without re-serialising
// the prompt when that can be avoided.
import type { ParsedRequest } from '@switchyard/core';
import { capAsCompletionTokens, type PassthroughOptions } from './reasoning.js';
import { spliceModel } from './splice-model.js';

/**
 * The request body for `model` (the provider's ID for it: a model's `upstream_model`, else its policy ID):
 * the client's bytes untouched when they already name it, else the same bytes with the model's value
 * spliced in (see `spliceModel`), and only when the bytes do not say the model plainly, the body serialised
 * once with `model` replaced (in place, so the key order stays). A chat or completions stream also asks for
 * usage (`stream_options.include_usage`), which prices the call; see `asksUsageForClient`.
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
  if (!addUsage || body.stream_options === undefined) {
    const named = body.model === model ? raw : spliceModel(raw, model);
    if (named) return addUsage ? withUsageAsked(named) : named;
  }
  const out: Record<string, unknown> = { ...body, model };
  if (addUsage) out.stream_options = { ...(isObject(body.stream_options) ? body.stream_options : {}), include_usage: true };
  return Buffer.from(JSON.stringify(out));
}

/** `stream_options` spliced in after the opening brace: cheaper than serialising the whole prompt again. */
function withUsageAsked(raw: Buffer): Buffer {
  const open = raw.indexOf(0x7b /* { */);
  return Buffer.concat([raw.subarray(0, open + 1), INCLUDE_USAGE, raw.subarray(open + 1)]);
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
