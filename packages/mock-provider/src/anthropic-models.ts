import { anthropicHeaders, anthropicInvalid, sendAnthropicError, sendAnthropicStatus } from './anthropic-errors.js';
import { passAnthropicGate } from './anthropic-gate.js';
import { behaviourFromHeaders, MockHeaderError } from './behaviour.js';
import type { MockConfig } from './config.js';
import { playLeadingFaults } from './faults.js';
import { nextId } from './ids.js';
import type { Route, RouteContext } from './router.js';
import type { Behaviour } from './types.js';

// A fixed date keeps responses deterministic across runs.
const CREATED_AT = '2025-01-01T00:00:00Z';

/** `GET /v1/models` and `GET /v1/models/:id` in Anthropic's shape, for requests that carry `anthropic-version`. */
export function anthropicModelsRoutes(config: MockConfig): { readonly list: Route; readonly retrieve: Route } {
  const objects = config.models.map((id) => ({ type: 'model', id, display_name: id, created_at: CREATED_AT }));
  const listBody = JSON.stringify({
    data: objects,
    has_more: false,
    first_id: objects[0]?.id ?? null,
    last_id: objects.at(-1)?.id ?? null,
  });
  const bodies = new Map(objects.map((model) => [model.id, JSON.stringify(model)]));

  return {
    list: (context) => answer(context, config, listBody),
    retrieve: (context) => {
      const id = context.param ?? '';
      return answer(context, config, bodies.get(id), id);
    },
  };
}

async function answer({ req, res }: RouteContext, config: MockConfig, body: string | undefined, id?: string): Promise<void> {
  if (!passAnthropicGate(req, res, config.apiKeys)) return;
  let behaviour: Behaviour | undefined;
  try {
    behaviour = behaviourFromHeaders(req.headers);
  } catch (error) {
    if (!(error instanceof MockHeaderError)) throw error;
    sendAnthropicError(res, 400, anthropicInvalid(error.message));
    return;
  }
  if (behaviour && !(await playLeadingFaults(res, behaviour, undefined, false, sendAnthropicStatus))) return;
  if (body === undefined) {
    sendAnthropicError(res, 404, { type: 'not_found_error', message: `model: ${id ?? ''}` });
    return;
  }
  const sent = behaviour?.malformed ? body.slice(0, Math.floor(body.length / 2)) : body;
  const headers = anthropicHeaders('application/json', nextId('req'), behaviour?.retryAfter);
  headers['content-length'] = Buffer.byteLength(sent);
  res.writeHead(behaviour?.status ?? 200, headers);
  res.end(sent);
}
