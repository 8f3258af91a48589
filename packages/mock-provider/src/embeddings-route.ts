import { sendBody } from './body-send.js';
import { estimateTokens } from './chat-reply.js';
import { INVALID_JSON } from './chat-validation.js';
import { invalidRequest, type OpenAIError } from './errors.js';
import { embeddingBase64, embeddingVector } from './embedding-vectors.js';
import { isRecord } from './guards.js';
import { checkEnum, checkNumber, missingParameter } from './openai-params.js';
import { openAIPrelude, type OpenAIRouteDeps } from './openai-prelude.js';
import { baseHeaders, sendError } from './respond.js';
import type { Route } from './router.js';

const FIELDS: ReadonlySet<string> = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user']);
const DEFAULT_DIMENSIONS = 8;
const MAX_DIMENSIONS = 3072;
const MAX_INPUTS = 2048;
// Upstream's message for any input it cannot embed (wrong type, empty string, empty list).
const INVALID_INPUT = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.";

/**
 * `POST /v1/embeddings`: one deterministic unit vector per input (8 floats unless `dimensions` says otherwise),
 * as floats or base64 float32 (`encoding_format`), with `usage.prompt_tokens`.
 */
export function embeddingsRoute(deps: OpenAIRouteDeps): Route {
  return async function embeddings({ req, res, call, body, isJson }) {
    const problem = validate(body, isJson);
    if (problem) return sendError(res, 400, problem);
    const request = body as { model: string; input: unknown; encoding_format?: string; dimensions?: number };
    const behaviour = await openAIPrelude(deps, { req, res }, request.model, false);
    if (!behaviour) return;

    const texts = inputTexts(request.input);
    const dimensions = request.dimensions ?? DEFAULT_DIMENSIONS;
    const base64 = request.encoding_format === 'base64';
    const data = texts.map((text, index) => {
      const vector = embeddingVector(request.model, text, dimensions);
      return { object: 'embedding', index, embedding: base64 ? embeddingBase64(vector) : vector };
    });
    const tokens = texts.reduce((sum, text) => sum + Math.max(1, estimateTokens(text)), 0);
    const answer = JSON.stringify({
      object: 'list',
      data,
      model: request.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
    sendBody(res, call, baseHeaders('application/json', behaviour.retryAfter), answer, behaviour);
  };
}

function validate(body: unknown, isJson: boolean): OpenAIError | undefined {
  if (!isJson || !isRecord(body)) return invalidRequest(INVALID_JSON);
  for (const key of Object.keys(body)) {
    if (!FIELDS.has(key)) return invalidRequest(`Unrecognized request argument supplied: ${key}`);
  }
  if (typeof body.model !== 'string' || body.model.length === 0)
    return invalidRequest('you must provide a model parameter', 'model');
  if (body.input === undefined || body.input === null) return missingParameter('input');
  if (!isInput(body.input)) return invalidRequest(INVALID_INPUT);
  if (body.dimensions !== undefined && body.dimensions !== null && body.model === 'text-embedding-ada-002') {
    return invalidRequest('This model does not support specifying dimensions.', 'dimensions');
  }
  return checkEnum(body, 'encoding_format', ['float', 'base64']) ?? checkNumber(body, 'dimensions', 1, MAX_DIMENSIONS, true);
}

function isInput(input: unknown): boolean {
  if (typeof input === 'string') return input.length > 0;
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_INPUTS) return false;
  if (input.every((item) => Number.isInteger(item))) return true;
  return input.every(
    (item) =>
      (typeof item === 'string' && item.length > 0) ||
      (Array.isArray(item) && item.length > 0 && item.every((token) => Number.isInteger(token))),
  );
}

// One list of token IDs is one input; the tokens themselves stand for words of the text.
function inputTexts(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  const items = input as readonly unknown[];
  if (items.every((item) => typeof item === 'number')) return [items.join(' ')];
  return items.map((item) => (typeof item === 'string' ? item : (item as unknown[]).join(' ')));
}
