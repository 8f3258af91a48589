import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkApiKey } from './auth.js';
import { ScriptBook } from './behaviour.js';
import { BodyTooLargeError, readParsedBody, type ParsedBody } from './body.js';
import { resolveConfig } from './config.js';
import { errorForStatus } from './errors.js';
import { isRecord } from './guards.js';
import { sendMiss } from './misses.js';
import { PromptCache } from './prompt-cache.js';
import { CallRecorder, type CallRecord } from './recorder.js';
import { sendError } from './respond.js';
import { mockRouter } from './routes.js';
import type { MockHandler, MockHandlerOptions } from './types.js';

const BODY_LIMIT_BYTES = 32 * 1024 * 1024;
const API_PREFIX = '/v1';

/**
 * Creates a node request handler that serves the OpenAI API (`/v1/chat/completions`, `/v1/models`),
 * Anthropic Messages (`/v1/messages`) and Gemini (`/v1beta/models/{model}:generateContent`, `:streamGenerateContent`).
 * It also answers without the `/v1` prefix, so it can be mounted under `/v1` in another server.
 * The returned function carries `calls`, `reset()` and `script()`.
 */
export function createMockHandler(options: MockHandlerOptions = {}): MockHandler {
  const config = resolveConfig(options);
  const recorder = new CallRecorder(options.recordCalls ?? true);
  const scripts = new ScriptBook(options.script);
  const promptCache = new PromptCache();
  const router = mockRouter(config, scripts, promptCache);

  function mockProvider(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const call = recorder.start(req, res, path);
    readParsedBody(req, BODY_LIMIT_BYTES).then(
      (body) => handle(req, res, call, body),
      (error: unknown) => {
        // Anything but an oversized body means the client went away; the recorder marks it aborted.
        if (error instanceof BodyTooLargeError) sendError(res, 413, errorForStatus(413), { connection: 'close' });
        else res.destroy();
      },
    );
  }

  function handle(req: IncomingMessage, res: ServerResponse, call: CallRecord, { value, json }: ParsedBody): void {
    call.body = value;
    if (isRecord(value)) {
      if (typeof value.model === 'string') call.model = value.model;
      call.stream = value.stream === true;
    }
    const method = req.method ?? 'GET';
    const local = call.path.startsWith(`${API_PREFIX}/`) ? call.path.slice(API_PREFIX.length) : call.path;
    const match = router.match(method, local);
    if (match.kind !== 'found') {
      sendMiss(res, method, call.path, local, match);
      return;
    }
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
    reset(): void {
      recorder.reset();
      scripts.reset();
      promptCache.clear();
    },
    script: scripts.set.bind(scripts),
  });
}
