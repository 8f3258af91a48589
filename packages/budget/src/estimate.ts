// A request's worst case, before it runs: what the budget reserves and what `estimated_cost_usd` reads.
import {
  allowedFallbacks,
  type ModelConfig,
  type ParsedRequest,
  type Policy,
  type RoutingContext,
  type Selection,
  type WorkflowConfig,
} from '@switchyard/core';
import { worstCase, type RequestSize } from './pricing.js';
import { requestShape } from './shape.js';

/** The request's size as far as cost goes (see `requestShape`); `undefined` before `signals()` has parsed it. */
export function requestSize(ctx: RoutingContext): RequestSize | undefined {
  const { request } = ctx;
  if (!request) return undefined;
  let size = shapes.get(request);
  if (!size) {
    size = requestShape(request);
    shapes.set(request, size);
  }
  return size;
}

/** Read once per request: the signal, the budget and the settlement ask for it. */
const shapes = new WeakMap<ParsedRequest, RequestSize>();

/**
 * Every model that may serve a selection: the chosen one, then the fallbacks its workflow allows (the
 * route's `fallbacks`, or the workflow's `fallback.allowed`, less its `blocked`: core's `allowedFallbacks`,
 * which failover reads too). Each list is built once per policy and workflow.
 */
export function servingModels(policy: Policy): (selection: Selection, workflow?: WorkflowConfig) => readonly ModelConfig[] {
  const lists = new Map<string, readonly ModelConfig[]>();
  return (selection, workflow) => {
    const route = selection.kind === 'route' ? selection.route : '';
    const key = `${workflow?.name ?? ''}\0${route}\0${selection.model}`;
    let models = lists.get(key);
    if (!models) {
      const ids = [selection.model, ...allowedFallbacks(policy, selection, workflow)];
      models = ids.map((id) => policy.models.get(id)).filter((m): m is ModelConfig => m !== undefined);
      lists.set(key, models);
    }
    return models;
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
