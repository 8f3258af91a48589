import { behaviourFromHeaders, MockHeaderError } from './behaviour.js';
import { invalidRequest, modelNotFound } from './errors.js';
import { playLeadingFaults } from './faults.js';
import { sendError, sendJson } from './respond.js';
import type { Route, RouteContext } from './router.js';
import type { Behaviour } from './types.js';

// A fixed date keeps responses deterministic across runs.
const CREATED = 1_700_000_000;

/** `GET /v1/models` and `GET /v1/models/:id`, with bodies serialised once. Only `x-mock-*` headers script them. */
export function modelsRoutes(models: readonly string[]): { readonly list: Route; readonly retrieve: Route } {
  const objects = models.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'mock' }));
  const listBody = JSON.stringify({ object: 'list', data: objects });
  const bodies = new Map(objects.map((model) => [model.id, JSON.stringify(model)]));

  return {
    list: (context) => answer(context, listBody),
    retrieve: (context) => {
      const id = context.param ?? '';
      const body = bodies.get(id);
      return body === undefined ? sendError(context.res, 404, modelNotFound(id)) : answer(context, body);
    },
  };
}

async function answer({ req, res }: RouteContext, body: string): Promise<void> {
  let behaviour: Behaviour | undefined;
  try {
    behaviour = behaviourFromHeaders(req.headers);
  } catch (error) {
    if (!(error instanceof MockHeaderError)) throw error;
    sendError(res, 400, invalidRequest(error.message));
    return;
  }
  if (behaviour === undefined) {
    sendJson(res, 200, body);
    return;
  }
  if (!(await playLeadingFaults(res, behaviour, undefined, false))) return;
  const sent = behaviour.malformed ? body.slice(0, Math.floor(body.length / 2)) : body;
  sendJson(res, behaviour.status ?? 200, sent, behaviour.retryAfter);
}
