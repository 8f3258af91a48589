// The response headers dispatch() adds.
import type { Selection } from '@switchyard/core';

/** The exact model ID that served the call. */
export const SERVED_MODEL_HEADER = 'x-switchyard-served-model';

/** `<route>/<rule>` (e.g. `smart/long-context`, `smart/default`) for a route, `exact` for an exact model ID. */
export const ROUTE_HEADER = 'x-switchyard-route';

export function routeLabel(selection: Selection): string {
  return selection.kind === 'route' ? `${selection.route}/${selection.rule}` : 'exact';
}
