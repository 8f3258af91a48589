import { scriptedBehaviour, type ScriptBook } from './behaviour.js';
import { completionBody, streamChunks } from './chat-completion.js';
import { applyScriptedUsage, planReply } from './chat-reply.js';
import { sendCompletion, sendCompletionStream } from './chat-send.js';
import { validateChatRequest } from './chat-validation.js';
import type { MockConfig } from './config.js';
import { invalidRequest, modelNotFound } from './errors.js';
import { playLeadingFaults } from './faults.js';
import { nextId, unixSeconds } from './ids.js';
import { sendError } from './respond.js';
import type { Route } from './router.js';

const DEFAULT_CHUNKS = 4;

/** `POST /v1/chat/completions`: validates like OpenAI, plays the scripted behaviour, answers or streams. */
export function chatCompletionsRoute(config: MockConfig, scripts: ScriptBook): Route {
  return async function chatCompletions({ req, res, call, body, isJson }) {
    const validation = validateChatRequest(body, isJson);
    if (!validation.ok) {
      sendError(res, 400, validation.error);
      return;
    }
    const request = validation.request;
    if (config.strictModels && !config.modelSet.has(request.model)) {
      sendError(res, 404, modelNotFound(request.model));
      return;
    }
    const scripted = scriptedBehaviour(scripts, request.model, req.headers);
    if ('headerError' in scripted) {
      sendError(res, 400, invalidRequest(scripted.headerError));
      return;
    }
    const { behaviour } = scripted;

    const streaming = request.stream === true;
    if (!(await playLeadingFaults(res, behaviour, request.model, streaming))) return;

    const reply = applyScriptedUsage(planReply(request, req, config.reply), behaviour);
    const meta = { id: nextId('chatcmpl'), created: unixSeconds(), model: request.model };
    if (!streaming) {
      sendCompletion(res, call, completionBody(meta, reply), behaviour);
      return;
    }
    const includeUsage = request.stream_options?.include_usage === true;
    const chunks = streamChunks(meta, reply, behaviour.chunks ?? DEFAULT_CHUNKS, includeUsage);
    await sendCompletionStream(res, call, chunks, behaviour);
  };
}
