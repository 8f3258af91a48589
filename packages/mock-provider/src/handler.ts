import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkApiKey } from './auth.js';
import { ScriptBook } from './behaviour.js';
import { BodyTooLargeError, readParsedBody, type ParsedBody } from './body.js';
import { resolveConfig } from './config.js';
import { errorForStatus } from './errors.js';
import { isRecord } from './guards.js';
import { sendMiss } from './misses.js';
import { MockState } from './mock-state.js';
import { PromptCache } from './prompt-cache.js';
import { CallRecorder, type CallRecord } from './recorder.js';
import { sendError } from './respond.js';
import type { RouteMatch } from './router.js';
import { mockRouter } from './routes.js';
import type { MockHandler, MockHandlerOptions } from './types.js';

const BODY_LIMIT_BYTES = 32 * 1024 * 1024;
const API_PREFIX = '/v1';

/**
 * Creates a node request handler that serves the OpenAI API (chat completions, Responses, completions,
 * embeddings, images, audio, videos, `/v1/models`), Anthropic Messages (`/v1/messages`, `/v1/messages/count_tokens`),
 * Gemini (`/v1beta/models/{model}:generateContent`, `:streamGenerateContent`, `:countTokens`) and a generic vendor
 * task API. It also answers without the `/v1` prefix, so it can be mounted under `/v1` in another server.
 * The returned function carries `calls`, `callsFor()`, `reset()` and `script()`.
 */
export function createMockHandler(options: MockHandlerOptions = {}): MockHandler {
  const config = resolveConfig(options);
  const recorder = new CallRecorder(options.recordCalls ?? true);
  const scripts = new ScriptBook(options.script);
  const promptCache = new PromptCache();
  const state = new MockState();
  const router = mockRouter(config, scripts, promptCache, state);

  function mockProvider(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const call = recorder.start(req, res, path);
    const method = req.method ?? 'GET';
    const local = path.startsWith(`${API_PREFIX}/`) ? path.slice(API_PREFIX.length) : path;
    const match = router.match(method, local);
    // Multipart uploads stream through their route; every other body is read whole first.
    if (match.kind === 'found' && match.rawBody) {
      dispatch(req, res, call, match, { value: undefined, json: false });
      return;
    }
    readParsedBody(req, BODY_LIMIT_BYTES).then(
      (body) => handle(req, res, call, match, local, body),
      (error: unknown) => {
        // Anything but an oversized body means the client went away; the recorder marks it aborted.
        if (error instanceof BodyTooLargeError) sendError(res, 413, errorForStatus(413), { connection: 'close' });
        else res.destroy();
      },
    );
  }

  function handle(
    req: IncomingMessage,
    res: ServerResponse,
    call: CallRecord,
    match: RouteMatch,
    local: string,
    body: ParsedBody,
  ): void {
    const { value } = body;
    call.body = value;
    if (isRecord(value)) {
      if (typeof value.model === 'string') call.model = value.model;
      call.stream = value.stream === true;
    }
    if (match.kind !== 'found') {
      sendMiss(res, call.method, call.path, local, match);
      return;
    }
    dispatch(req, res, call, match, body);
  }

  function dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    call: CallRecord,
    match: Extract<RouteMatch, { kind: 'found' }>,
    { value, json }: ParsedBody,
  ): void {
    const keyError = config.apiKeys && !match.ownAuth && checkApiKey(req.headers, config.apiKeys);
    if (keyError) {
      sendError(res, 401, keyError);
      return;
    }
    const fail = (): void => {
      call.outcome = 'error';
      if (res.headersSent) res.destroy();
      else sendError(res, 500, errorForStatus(500));
    };
    try {
      match.route({ req, res, call, body: value, isJson: json, param: match.param })?.catch(fail);
    } catch {
      fail();
    }
  }

  return Object.assign(mockProvider, {
    calls: recorder.calls,
    callsFor: recorder.callsFor.bind(recorder),
    reset(): void {
      recorder.reset();
      scripts.reset();
      promptCache.clear();
      state.clear();
    },
    script: scripts.set.bind(scripts),
  });
}
