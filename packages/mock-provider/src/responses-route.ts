import { sendBody } from './body-send.js';
import { errorForStatus, invalidRequest } from './errors.js';
import { sendEventStream } from './event-stream.js';
import { isRecord } from './guards.js';
import { nextId, unixSeconds } from './ids.js';
import type { StoredResponse } from './mock-state.js';
import { openAIPrelude, type StatefulRouteDeps } from './openai-prelude.js';
import { baseHeaders, sendError } from './respond.js';
import { RESPONSES_FRAMING, responseErrorEvent, responseEvents, responseObject } from './responses-object.js';
import { planResponsesReply } from './responses-reply.js';
import { validateResponsesRequest } from './responses-validation.js';
import type { Route, RouteContext } from './router.js';
import type { Behaviour, ResponsesRequest } from './types.js';

const DEFAULT_CHUNKS = 4;

/**
 * `POST /v1/responses` (answer or stream; stored unless `store: false`), `GET /v1/responses/{id}` and
 * `DELETE /v1/responses/{id}`. `previous_response_id` must name a response this mock stored.
 */
export function responsesRoutes(deps: StatefulRouteDeps): {
  readonly create: Route;
  readonly retrieve: Route;
  readonly remove: Route;
} {
  const { state } = deps;

  async function create({ req, res, call, body, isJson }: RouteContext): Promise<void> {
    const validation = validateResponsesRequest(body, isJson);
    if (!validation.ok) return sendError(res, 400, validation.error);
    const request = validation.request;
    const previousId = request.previous_response_id ?? undefined;
    call.referencedId = previousId;
    const previous = previousId === undefined ? undefined : state.responses.get(previousId);
    if (previousId !== undefined && !previous) {
      const message = `Previous response with id '${previousId}' not found.`;
      return sendError(res, 400, invalidRequest(message, 'previous_response_id', 'previous_response_not_found'));
    }
    const unanswerable = unknownCallId(request, previous);
    if (unanswerable !== undefined) {
      const message = `No tool call found for function call output with call_id ${unanswerable}.`;
      return sendError(res, 400, invalidRequest(message, 'input', null));
    }
    const streaming = request.stream === true;
    const behaviour = await openAIPrelude(deps, { req, res }, request.model, streaming);
    if (!behaviour) return;

    const reply = planResponsesReply(request, req, behaviour, previous?.totalTokens ?? 0, deps.config.responsesReply);
    const meta = { id: nextId('resp'), createdAt: unixSeconds(), model: request.model };
    call.mintedId = meta.id;
    const object = responseObject(meta, request, reply);
    if (request.store !== false) {
      const callIds = new Set(previous?.callIds);
      if (reply.item.type === 'function_call') callIds.add(reply.item.call_id);
      state.responses.set(meta.id, { object, model: request.model, totalTokens: reply.usage.total_tokens, callIds });
    }
    if (!streaming) {
      sendBody(res, call, baseHeaders('application/json', behaviour.retryAfter), JSON.stringify(object), behaviour);
      return;
    }
    const headers = baseHeaders('text/event-stream; charset=utf-8', behaviour.retryAfter);
    headers['cache-control'] = 'no-cache';
    await sendEventStream(
      res,
      call,
      responseEvents(meta, request, reply, behaviour.chunks ?? DEFAULT_CHUNKS),
      {
        status: behaviour.status ?? 200,
        headers,
        framing: RESPONSES_FRAMING,
        errorEvent: (status, sent) => {
          const error = errorForStatus(status, request.model);
          return responseErrorEvent(error.type, error.code ?? error.type, error.message, sent);
        },
      },
      behaviour,
    );
  }

  /** Finds the stored response the path names, or answers 404; plays the scripted faults of its model. */
  async function stored(
    context: RouteContext,
  ): Promise<{ id: string; response: StoredResponse; behaviour: Behaviour } | undefined> {
    const { req, res, call, param } = context;
    const id = param ?? '';
    if (id.includes('/')) {
      sendError(res, 404, invalidRequest(`Invalid URL (${call.method} ${call.path})`));
      return undefined;
    }
    call.referencedId = id;
    const response = state.responses.get(id);
    if (!response) {
      sendError(res, 404, invalidRequest(`Response with id '${id}' not found.`));
      return undefined;
    }
    call.model = response.model;
    const behaviour = await openAIPrelude(deps, { req, res }, response.model, false, false);
    return behaviour && { id, response, behaviour };
  }

  function answer({ res, call }: RouteContext, body: unknown, behaviour: Behaviour): void {
    sendBody(res, call, baseHeaders('application/json', behaviour.retryAfter), JSON.stringify(body), behaviour);
  }

  return {
    create,
    async retrieve(context) {
      const found = await stored(context);
      if (found) answer(context, found.response.object, found.behaviour);
    },
    async remove(context) {
      const found = await stored(context);
      if (!found) return;
      state.responses.delete(found.id);
      answer(context, { id: found.id, object: 'response', deleted: true }, found.behaviour);
    },
  };
}

// A function_call_output must answer a call of this input or of the previous responses.
function unknownCallId(request: ResponsesRequest, previous: StoredResponse | undefined): string | undefined {
  if (!Array.isArray(request.input)) return undefined;
  const known = new Set(previous?.callIds);
  for (const item of request.input) {
    if (!isRecord(item)) continue;
    if (item.type === 'function_call' && typeof item.call_id === 'string') known.add(item.call_id);
    if (item.type === 'function_call_output' && typeof item.call_id === 'string' && !known.has(item.call_id)) return item.call_id;
  }
  return undefined;
}
