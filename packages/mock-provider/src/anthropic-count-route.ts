import { anthropicHeaders, anthropicInvalid, sendAnthropicError, sendAnthropicStatus } from './anthropic-errors.js';
import { passAnthropicGate } from './anthropic-gate.js';
import { promptSegments, promptTokens } from './anthropic-prompt.js';
import { validateCountTokensRequest } from './anthropic-validation.js';
import { scriptedBehaviour, type ScriptBook } from './behaviour.js';
import { sendBody } from './body-send.js';
import type { MockConfig } from './config.js';
import { playLeadingFaults } from './faults.js';
import { nextId } from './ids.js';
import type { Route } from './router.js';

/**
 * `POST /v1/messages/count_tokens`: the same gate (key, `anthropic-version`) and checks as `/v1/messages`
 * (without `max_tokens`), then `{input_tokens}`: what a Messages call with this prompt reports as input
 * before any caching.
 */
export function anthropicCountTokensRoute(config: MockConfig, scripts: ScriptBook): Route {
  return async function anthropicCountTokens({ req, res, call, body, isJson }) {
    if (!passAnthropicGate(req, res, config.apiKeys)) return;
    const validation = validateCountTokensRequest(body, isJson);
    if (!validation.ok) return sendAnthropicError(res, 400, validation.error);
    const request = validation.request;
    if (config.strictModels && !config.modelSet.has(request.model)) {
      return sendAnthropicError(res, 404, { type: 'not_found_error', message: `model: ${request.model}` });
    }
    const scripted = scriptedBehaviour(scripts, request.model, req.headers);
    if ('headerError' in scripted) return sendAnthropicError(res, 400, anthropicInvalid(scripted.headerError));
    const { behaviour } = scripted;
    if (!(await playLeadingFaults(res, behaviour, request.model, false, sendAnthropicStatus))) return;

    const tokens = promptTokens(promptSegments(request), request.messages.length);
    const headers = anthropicHeaders('application/json', nextId('req'), behaviour.retryAfter);
    sendBody(res, call, headers, JSON.stringify({ input_tokens: tokens }), behaviour);
  };
}
