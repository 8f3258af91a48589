// A request's worst case, before it runs: what the budget reserves and what `estimated_cost_usd` reads.
import type { ModelConfig, Policy, RoutingContext, Selection } from '@switchyard/core';
import { worstCase, type RequestSize } from './pricing.js';

/** The request's size as far as cost goes; `undefined` before `signals()` has parsed it. */
export function requestSize(ctx: RoutingContext): RequestSize | undefined {
  const { request, signals } = ctx;
  if (!request || !signals) return undefined;
  return {
    inputTokens: signals.upperBound('input_tokens') ?? request.raw.length,
    maxOutputTokens: request.maxOutputTokens,
    endpoint: request.endpoint,
  };
}

/** Every model that may serve a selection: the chosen one, then the route's fallbacks. Built once per policy. */
export function servingModels(policy: Policy): (selection: Selection) => readonly ModelConfig[] {
  const byRoute = new Map<string, ModelConfig[]>();
  const models = (ids: readonly string[]) =>
    ids.map((id) => policy.models.get(id)).filter((m): m is ModelConfig => m !== undefined);
  for (const route of policy.routes.values()) byRoute.set(route.name, models(route.fallbacks));
  return (selection) => {
    const chosen = policy.models.get(selection.model);
    const fallbacks = selection.kind === 'route' ? (byRoute.get(selection.route) ?? []) : [];
    return chosen ? [chosen, ...fallbacks] : fallbacks;
  };
}

/** The highest worst case among `models`, or `undefined` when any of them has no bound. */
export function highestWorstCase(size: RequestSize, models: readonly ModelConfig[]): number | undefined {
  let highest = 0;
  for (const model of models) {
    const cost = worstCase(size, model);
    if (cost === undefined) return undefined;
    highest = Math.max(highest, cost);
  }
  return models.length > 0 ? highest : undefined;
}
