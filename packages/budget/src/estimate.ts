// A request's worst case, before it runs: what the budget reserves and what `estimated_cost_usd` reads.
import type { ModelConfig, ParsedRequest, RoutingContext } from '@switchyard/core';
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
