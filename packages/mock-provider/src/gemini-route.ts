import type { IncomingMessage, ServerResponse } from 'node:http';
import { scriptedBehaviour, type ScriptBook } from './behaviour.js';
import { sendBody } from './body-send.js';
import type { MockConfig } from './config.js';
import { sendEventStream } from './event-stream.js';
import { countGeminiTokens } from './gemini-count.js';
import {
  type GoogleError,
  googleErrorBody,
  googleErrorForStatus,
  googleInvalid,
  sendGoogleError,
  sendGoogleStatus,
} from './gemini-errors.js';
import { planGeminiReply } from './gemini-reply.js';
import { GEMINI_ARRAY_FRAMING, GEMINI_SSE_FRAMING, responseBody, responseChunks } from './gemini-response.js';
import { validateGenerateContent } from './gemini-validation.js';
import { playLeadingFaults } from './faults.js';
import { nextOpaqueId } from './ids.js';
import type { Route, RouteContext } from './router.js';
import type { Behaviour } from './types.js';

const DEFAULT_CHUNKS = 4;
const JSON_TYPE = 'application/json; charset=UTF-8';
const NO_IDENTITY =
  "Method doesn't allow unregistered callers (callers without established identity). " +
  'Please use API Key or other form of API consumer identity to call this API.';
const BAD_KEY = 'API key not valid. Please pass a valid API key.';

/**
 * `POST /v1beta/models/{model}:generateContent`, `:streamGenerateContent` (`?alt=sse` for SSE, else a
 * streamed JSON array) and `:countTokens`; `/v1/models/…` is answered alike. The key comes from `x-goog-api-key` or `?key=`.
 */
export function geminiRoute(config: MockConfig, scripts: ScriptBook): Route {
  async function countTokens({ req, res, call, body, isJson }: RouteContext, model: string): Promise<void> {
    const count = countGeminiTokens(body, isJson);
    if (!count.ok) return sendGoogleError(res, count.error);
    if (config.strictModels && !config.modelSet.has(model))
      return sendGoogleError(res, modelMissing(model, call.path, 'countTokens'));
    const scripted = scriptedBehaviour(scripts, model, req.headers);
    if ('headerError' in scripted) return sendGoogleError(res, googleInvalid(scripted.headerError));
    const { behaviour } = scripted;
    if (!(await playLeadingFaults(res, behaviour, model, false, sendGoogleStatus))) return;
    sendBody(res, call, { 'content-type': JSON_TYPE, ...retryAfter(behaviour) }, count.body, behaviour);
  }

  return async function gemini({ req, res, call, body, isJson, param }) {
    const colon = param?.lastIndexOf(':') ?? -1;
    const model = colon > 0 ? param!.slice(0, colon) : (param ?? '');
    const method = colon > 0 ? param!.slice(colon + 1) : '';
    if (method !== 'generateContent' && method !== 'streamGenerateContent' && method !== 'countTokens') {
      sendGoogleError(res, { code: 404, message: 'Method not found.', status: 'NOT_FOUND' });
      return;
    }
    const streaming = method === 'streamGenerateContent';
    call.model = model;
    call.stream = streaming;
    const query = new URLSearchParams(queryOf(req));
    if (!passKey(req, res, query, config.apiKeys)) return;
    if (method === 'countTokens') {
      await countTokens({ req, res, call, body, isJson, param }, model);
      return;
    }

    const validation = validateGenerateContent(body, isJson);
    if (!validation.ok) {
      sendGoogleError(res, validation.error);
      return;
    }
    if (config.strictModels && !config.modelSet.has(model)) {
      sendGoogleError(res, modelMissing(model, call.path, method));
      return;
    }
    const scripted = scriptedBehaviour(scripts, model, req.headers);
    if ('headerError' in scripted) {
      sendGoogleError(res, googleInvalid(scripted.headerError));
      return;
    }
    const { behaviour } = scripted;
    if (!(await playLeadingFaults(res, behaviour, model, streaming, sendGoogleStatus))) return;

    const reply = planGeminiReply(validation.request, model, req, behaviour, config.geminiReply);
    const meta = { modelVersion: model, responseId: nextOpaqueId() };
    if (!streaming) {
      const headers = { 'content-type': JSON_TYPE, ...retryAfter(behaviour) };
      sendBody(res, call, headers, responseBody(meta, reply), behaviour);
      return;
    }
    const sse = query.get('alt') === 'sse';
    const headers = { 'content-type': sse ? 'text/event-stream' : JSON_TYPE, ...retryAfter(behaviour) };
    await sendEventStream(
      res,
      call,
      responseChunks(meta, reply, behaviour.chunks ?? DEFAULT_CHUNKS),
      {
        status: behaviour.status ?? 200,
        headers,
        framing: sse ? GEMINI_SSE_FRAMING : GEMINI_ARRAY_FRAMING,
        errorEvent: (status) => ({ data: googleErrorBody(googleErrorForStatus(status)) }),
      },
      behaviour,
    );
  };
}

function modelMissing(model: string, path: string, method: string): GoogleError {
  const version = path.startsWith('/v1beta/') ? 'v1beta' : 'v1';
  const message =
    `models/${model} is not found for API version ${version}, or is not supported for ${method}. ` +
    'Call ListModels to see the list of available models and their supported methods.';
  return { code: 404, message, status: 'NOT_FOUND' };
}

function queryOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const mark = url.indexOf('?');
  return mark === -1 ? '' : url.slice(mark + 1);
}

// Gemini answers a missing key with 403 and a wrong one with 400 API_KEY_INVALID (not 401).
function passKey(
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
  keys: ReadonlySet<string> | undefined,
): boolean {
  if (!keys) return true;
  const header = req.headers['x-goog-api-key'];
  const key = typeof header === 'string' && header.length > 0 ? header : query.get('key');
  if (key === null || key.length === 0) {
    sendGoogleError(res, { code: 403, message: NO_IDENTITY, status: 'PERMISSION_DENIED' });
    return false;
  }
  if (keys.has(key)) return true;
  sendGoogleError(res, {
    code: 400,
    message: BAD_KEY,
    status: 'INVALID_ARGUMENT',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
    ],
  });
  return false;
}

function retryAfter(behaviour: Behaviour): Record<string, string> {
  return behaviour.retryAfter === undefined ? {} : { 'retry-after': behaviour.retryAfter };
}
