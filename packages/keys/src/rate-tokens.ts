// How many tokens a call is counted for before it runs: the prompt's bound and the output the call may ask for.
import type { ModelConfig, RoutingContext } from '@switchyard/core';

/**
 * The most tokens a call can use: its prompt's bound (UTF-8 bytes plus framing, what the `input_tokens` rules
 * read), plus its output cap (the request's, no higher than the serving models' own cap; the models' cap when
 * the request has none) times the completions it asks for (`n`, `best_of`, one per prompt of a completions
 * call). When neither the request nor every serving model caps the output, only the prompt is counted up front;
 * the usage corrects it when the call is over.
 */
export function tokenBound(ctx: RoutingContext, models: readonly ModelConfig[]): number {
  const { request } = ctx;
  if (!request) return 0;
  const input = promptBound(ctx) ?? request.raw.length;
  if (request.endpoint === 'embeddings') return input;
  const modelCap = highestCap(models);
  const asked = request.maxOutputTokens;
  const output = asked === undefined ? (modelCap ?? 0) : modelCap === undefined ? asked : Math.min(asked, modelCap);
  return Math.min(Number.MAX_SAFE_INTEGER, input + output * request.completions);
}

/** The `input_tokens` bound; `undefined` when there is no reader, or it cannot walk the body (nested past the stack). */
function promptBound(ctx: RoutingContext): number | undefined {
  try {
    return ctx.signals?.upperBound('input_tokens');
  } catch {
    return undefined;
  }
}

/** The highest output cap among `models`; `undefined` when one of them has none. */
function highestCap(models: readonly ModelConfig[]): number | undefined {
  let highest = 0;
  for (const model of models) {
    const cap = model.maxOutputTokens ?? model.contextWindow;
    if (cap === undefined) return undefined;
    highest = Math.max(highest, cap);
  }
  return models.length > 0 ? highest : undefined;
}
