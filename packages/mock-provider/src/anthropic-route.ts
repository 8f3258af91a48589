import {
  anthropicErrorBody,
  anthropicErrorForStatus,
  anthropicHeaders,
  anthropicInvalid,
  sendAnthropicError,
  sendAnthropicStatus,
} from './anthropic-errors.js';
import { passAnthropicGate } from './anthropic-gate.js';
import { ANTHROPIC_FRAMING, messageBody, messageEvents } from './anthropic-message.js';
import { planAnthropicReply } from './anthropic-reply.js';
import { validateMessagesRequest } from './anthropic-validation.js';
import { scriptedBehaviour, type ScriptBook } from './behaviour.js';
import { sendBody } from './body-send.js';
import type { MockConfig } from './config.js';
import { sendEventStream } from './event-stream.js';
import { playLeadingFaults } from './faults.js';
import { nextId } from './ids.js';
import type { PromptCache } from './prompt-cache.js';
import type { Route } from './router.js';

const DEFAULT_CHUNKS = 4;

/**
 * `POST /v1/messages`: checks `x-api-key` and `anthropic-version`, validates like the Messages API, plays
 * the scripted behaviour, then answers a `message` or streams its events.
 */
export function anthropicMessagesRoute(config: MockConfig, scripts: ScriptBook, cache: PromptCache): Route {
  return async function anthropicMessages({ req, res, call, body, isJson }) {
    if (!passAnthropicGate(req, res, config.apiKeys)) return;
    const validation = validateMessagesRequest(body, isJson);
    if (!validation.ok) {
      sendAnthropicError(res, 400, validation.error);
      return;
    }
    const request = validation.request;
    if (config.strictModels && !config.modelSet.has(request.model)) {
      sendAnthropicError(res, 404, { type: 'not_found_error', message: `model: ${request.model}` });
      return;
    }
    const scripted = scriptedBehaviour(scripts, request.model, req.headers);
    if ('headerError' in scripted) {
      sendAnthropicError(res, 400, anthropicInvalid(scripted.headerError));
      return;
    }
    const { behaviour } = scripted;

    const streaming = request.stream === true;
    if (!(await playLeadingFaults(res, behaviour, request.model, streaming, sendAnthropicStatus))) return;

    const reply = planAnthropicReply(request, req, behaviour, cache, config.anthropicReply);
    const meta = { id: nextId('msg'), model: request.model };
    const requestId = nextId('req');
    if (!streaming) {
      const headers = anthropicHeaders('application/json', requestId, behaviour.retryAfter);
      sendBody(res, call, headers, messageBody(meta, reply), behaviour);
      return;
    }
    const headers = anthropicHeaders('text/event-stream; charset=utf-8', requestId, behaviour.retryAfter);
    headers['cache-control'] = 'no-cache';
    await sendEventStream(
      res,
      call,
      messageEvents(meta, reply, behaviour.chunks ?? DEFAULT_CHUNKS),
      {
        status: behaviour.status ?? 200,
        headers,
        framing: ANTHROPIC_FRAMING,
        errorEvent: (status) => ({ name: 'error', data: anthropicErrorBody(anthropicErrorForStatus(status), requestId) }),
      },
      behaviour,
    );
  };
}
