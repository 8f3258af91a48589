import { sendBody } from './body-send.js';
import { estimateTokens } from './chat-reply.js';
import { split } from './chat-completion.js';
import { INVALID_JSON } from './chat-validation.js';
import { errorBody, errorForStatus, invalidRequest, type OpenAIError } from './errors.js';
import { sendEventStream, type StreamEvent, type StreamFraming } from './event-stream.js';
import { isRecord } from './guards.js';
import { nextId, unixSeconds } from './ids.js';
import { checkNumber, checkType, invalidType, missingParameter } from './openai-params.js';
import { openAIPrelude, type OpenAIRouteDeps } from './openai-prelude.js';
import { baseHeaders, sendError } from './respond.js';
import type { Route } from './router.js';
import { cutText } from './text-stops.js';

// Legacy completions answer unknown arguments in this older style.
const FIELDS: ReadonlySet<string> = new Set([
  'model',
  'prompt',
  'suffix',
  'max_tokens',
  'temperature',
  'top_p',
  'n',
  'stream',
  'stream_options',
  'logprobs',
  'echo',
  'stop',
  'presence_penalty',
  'frequency_penalty',
  'best_of',
  'logit_bias',
  'user',
  'seed',
]);
// The API's own default, unlike chat completions which have none.
const DEFAULT_MAX_TOKENS = 16;
const DEFAULT_CHUNKS = 4;
const FINGERPRINT = 'fp_mock';

/** OpenAI's plain SSE framing: `data: <json>\n\n`; `[DONE]` is planned as the last event so a cut stream lacks it. */
export const OPENAI_DATA_FRAMING: StreamFraming = { frame: (event) => `data: ${event.data}\n\n`, end: '' };

interface Choice {
  readonly text: string;
  /** Tokens generated; an echoed prompt is not among them. */
  readonly tokens: number;
  readonly index: number;
  readonly finishReason: 'stop' | 'length';
}

/**
 * `POST /v1/completions` (legacy `text_completion`): one choice per prompt and `n`, text cut at `max_tokens`
 * (default 16) or `stop`, `echo` prepends the prompt; streams `text_completion` chunks and `data: [DONE]`.
 */
export function completionsRoute(deps: OpenAIRouteDeps): Route {
  return async function completions({ req, res, call, body, isJson }) {
    const problem = validate(body, isJson);
    if (problem) return sendError(res, 400, problem);
    const request = body as Record<string, unknown> & { model: string };
    const streaming = request.stream === true;
    const behaviour = await openAIPrelude(deps, { req, res }, request.model, streaming);
    if (!behaviour) return;

    const prompts = promptTexts(request.prompt);
    const n = typeof request.n === 'number' ? request.n : 1;
    const max = typeof request.max_tokens === 'number' ? request.max_tokens : DEFAULT_MAX_TOKENS;
    const stops = typeof request.stop === 'string' ? [request.stop] : Array.isArray(request.stop) ? request.stop.map(String) : [];
    const choices: Choice[] = [];
    for (const [p, prompt] of prompts.entries()) {
      for (let k = 0; k < n; k += 1) {
        const cut = cutText(`Mock reply from ${request.model}.`, stops, max);
        const text = request.echo === true ? `${prompt}${cut.text}` : cut.text;
        const finishReason = cut.cut === 'limit' ? 'length' : 'stop';
        choices.push({ text, tokens: estimateTokens(cut.text), index: p * n + k, finishReason });
      }
    }
    const promptTokens = prompts.reduce((sum, prompt) => sum + estimateTokens(prompt), 0);
    const completionTokens = choices.reduce((sum, choice) => sum + choice.tokens, 0);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    const meta = { id: nextId('cmpl'), object: 'text_completion', created: unixSeconds(), model: request.model };
    const finish = (choice: Choice): string => behaviour.finishReason ?? choice.finishReason;

    if (!streaming) {
      const body = JSON.stringify({
        ...meta,
        system_fingerprint: FINGERPRINT,
        choices: choices.map((choice) => ({
          text: choice.text,
          index: choice.index,
          logprobs: null,
          finish_reason: finish(choice),
        })),
        usage,
      });
      sendBody(res, call, baseHeaders('application/json', behaviour.retryAfter), body, behaviour);
      return;
    }
    const chunk = (choice: Choice, text: string, reason: string | null): StreamEvent => ({
      data: JSON.stringify({
        ...meta,
        system_fingerprint: FINGERPRINT,
        choices: [{ text, index: choice.index, logprobs: null, finish_reason: reason }],
      }),
    });
    const count = behaviour.chunks ?? DEFAULT_CHUNKS;
    const deltas = choices.flatMap((choice) => {
      const pieces = split(choice.text, count);
      return pieces.map((piece, i) => chunk(choice, piece, i === pieces.length - 1 ? finish(choice) : null));
    });
    const tail: StreamEvent[] = [];
    if (isRecord(request.stream_options) && request.stream_options.include_usage === true) {
      tail.push({ data: JSON.stringify({ ...meta, system_fingerprint: FINGERPRINT, choices: [], usage }) });
    }
    tail.push({ data: '[DONE]' });
    const headers = baseHeaders('text/event-stream; charset=utf-8', behaviour.retryAfter);
    headers['cache-control'] = 'no-cache';
    await sendEventStream(
      res,
      call,
      { lead: [], deltas, tail },
      {
        status: behaviour.status ?? 200,
        headers,
        framing: OPENAI_DATA_FRAMING,
        errorEvent: (status) => ({ data: errorBody(errorForStatus(status, request.model)) }),
      },
      behaviour,
    );
  };
}

function validate(body: unknown, isJson: boolean): OpenAIError | undefined {
  if (!isJson || !isRecord(body)) return invalidRequest(INVALID_JSON);
  for (const key of Object.keys(body)) {
    if (!FIELDS.has(key)) return invalidRequest(`Unrecognized request argument supplied: ${key}`);
  }
  if (typeof body.model !== 'string' || body.model.length === 0)
    return invalidRequest('you must provide a model parameter', 'model');
  if (body.prompt === undefined || body.prompt === null) return missingParameter('prompt');
  if (!isPrompt(body.prompt)) return invalidType('prompt', 'a string or an array of strings or tokens', body.prompt);
  return (
    checkNumber(body, 'max_tokens', 0, Number.MAX_SAFE_INTEGER, true) ??
    checkNumber(body, 'n', 1, 128, true) ??
    checkNumber(body, 'temperature', 0, 2) ??
    checkNumber(body, 'top_p', 0, 1) ??
    checkType(body, 'stream', 'boolean') ??
    checkType(body, 'echo', 'boolean') ??
    checkStop(body.stop)
  );
}

function isPrompt(prompt: unknown): boolean {
  if (typeof prompt === 'string') return true;
  if (!Array.isArray(prompt) || prompt.length === 0) return false;
  return prompt.every(
    (item) =>
      typeof item === 'string' ||
      Number.isInteger(item) ||
      (Array.isArray(item) && item.length > 0 && item.every((token) => Number.isInteger(token))),
  );
}

function checkStop(stop: unknown): OpenAIError | undefined {
  if (stop === undefined || stop === null || typeof stop === 'string') return undefined;
  if (!Array.isArray(stop) || stop.some((item) => typeof item !== 'string'))
    return invalidType('stop', 'a string or an array', stop);
  return stop.length > 4
    ? invalidRequest(`Invalid 'stop': array too long. Expected an array with maximum length 4.`, 'stop')
    : undefined;
}

// A list of token IDs is one prompt; a list of strings or of token lists is many. Token IDs read as words here.
function promptTexts(prompt: unknown): string[] {
  if (typeof prompt === 'string') return [prompt];
  const items = prompt as readonly unknown[];
  if (items.every((item) => typeof item === 'number')) return [items.map(() => 'tok').join(' ')];
  return items.map((item) => (typeof item === 'string' ? item : (item as unknown[]).map(() => 'tok').join(' ')));
}
