// The response headers dispatch() adds.
import type { Selection } from '@switchyard/core';

/** The exact model ID whose answer the client got. */
export const SERVED_MODEL_HEADER = 'x-switchyard-served-model';

/** The exact model ID whose error answer the client got (an upstream's non-2xx answer, passed on). */
export const ERROR_MODEL_HEADER = 'x-switchyard-error-model';

/** `<route>/<rule>` (e.g. `smart/long-context`, `smart/default`) for a route, `exact` for an exact model ID. */
export const ROUTE_HEADER = 'x-switchyard-route';

export function routeLabel(selection: Selection): string {
  return selection.kind === 'route' ? `${selection.route}/${selection.rule}` : 'exact';
}
