// The parsed request: the one account of what a client asked for, made once, read by every middleware.
import type { IncomingHttpHeaders } from 'node:http';
import { clientFormatOf, endpointOf, endpointPath, readGeminiPath } from './endpoint.js';
import { badRequest } from './errors.js';
import { MEDIA_ENDPOINTS } from './policy/endpoints.js';
import { mistypedField } from './request-shape.js';
import type { Endpoint, ProviderFormat } from './record.js';

/** The header that names the caller's workflow (else `metadata.workflow` in the body). */
export const WORKFLOW_HEADER = 'x-switchyard-workflow';

/**
 * The request as the stack parsed it, once. Facts are derived from the body on first use and kept; no
 * middleware derives them again. Never recorded whole: it holds the prompt.
 */
export interface ParsedRequest {
  readonly endpoint: Endpoint;
  /** The wire format the client speaks (`anthropic` on `/messages`, else `openai`). */
  readonly format: ProviderFormat;
  /** The path below the mount point that the upstream is called on, e.g. `/chat/completions`. */
  readonly path: string;
  /** The JSON body, an object with a non-empty string `model`. */
  readonly body: Readonly<Record<string, unknown>>;
  /** The body's bytes as received, forwarded as they are when nothing in them must change. */
  readonly raw: Buffer;
  readonly headers: IncomingHttpHeaders;
  /**
   * The first value of header `lowerName` (lower-case) as the client sent it, or `undefined`. Node joins
   * repeated custom headers with ", " in `headers`, which would blur them.
   */
  header(lowerName: string): string | undefined;
  /** The `model` the client sent. */
  readonly model: string;
  /** The client asked for a streamed answer (`stream: true`). */
  readonly stream: boolean;
  /**
   * The most output tokens the client allows: `max_completion_tokens ?? max_tokens` on chat,
   * `max_output_tokens` on the Responses API, `max_tokens` elsewhere; `undefined` when unset or not a
   * non-negative integer.
   */
  readonly maxOutputTokens: number | undefined;
  /**
   * Answers the call asks for, each up to the output cap: `n` on chat and completions, at least `best_of` on
   * completions (generated and billed server-side), times the prompts of a completions call; 1 elsewhere.
   */
  readonly completions: number;
  /** A JSON-schema structured output is asked for (chat `response_format`, Responses `text.format`, Messages `output_config.format`). */
  readonly hasSchema: boolean;
  /** Tools are offered (`tools`, or the legacy `functions`). */
  readonly hasTools: boolean;
  /** Some message or input item carries an image, tool results included. */
  readonly hasImages: boolean;
  /** Header `x-switchyard-workflow`, else a string `metadata.workflow`; `undefined` when neither is set. */
  readonly workflow: string | undefined;
  /** A multipart/form-data body, streamed to the provider (then `raw` is empty and `body` holds the form's first text fields). */
  readonly upload?: MultipartUpload;
  /** A call on an ID the gateway handed out (a video, a task, a stored response): where it goes. */
  readonly followUp?: FollowUp;
}

/** A multipart body read only as far as its `model` field; the rest is still on its way from the client. */
export interface MultipartUpload {
  /**
   * The body to send, the `model` field's value replaced by `model`, and its length when the client declared
   * one (else it goes chunked). Once only: the body streams through.
   */
  take(model: string): { readonly body: import('node:stream').Readable; readonly length: number | undefined };
}

/** What a follow-up call on a gateway ID does, and to what. */
export interface FollowUp {
  readonly minted: import('./gateway-id.js').MintedId;
  /** The gateway ID as the client sent it. */
  readonly gatewayId: string;
  /**
   * `get` (GET {id}), `content` (GET {id}/content), `delete` (DELETE {id}), `remix` (POST {id}/remix),
   * `continue` (POST /responses with `previous_response_id`).
   */
  readonly action: 'get' | 'content' | 'delete' | 'remix' | 'continue';
}

/** What `parseRequest` needs: the bytes and where they came from. */
export interface RequestInit {
  /** Path below the mount point, e.g. `/chat/completions`. */
  readonly path: string;
  /** The decoded JSON body (anything: it is checked here). */
  readonly body: unknown;
  readonly raw: Buffer;
  readonly headers: IncomingHttpHeaders;
  /** Node's `rawHeaders`: names and values alternating, as sent. */
  readonly rawHeaders: readonly string[];
}

/**
 * Checks the body's shape and makes the ParsedRequest. Throws a 400 SwitchyardError when the body is not
 * an object (`invalid_body`), has no non-empty string `model` (`missing_model`), or is a chat or messages
 * request without a non-empty `messages` array (`missing_messages`).
 */
export function parseRequest(init: RequestInit): ParsedRequest {
  const { body } = init;
  if (!isObject(body)) throw badRequest('The request body must be a JSON object.', 'invalid_body');
  const endpoint = endpointOf(init.path);
  // Google's API names the model in the URL, not the body.
  const gemini = readGeminiPath(init.path);
  const model = gemini ? gemini.model : body.model;
  if (typeof model !== 'string' || model.length === 0) {
    throw badRequest('The request body must name a model: "model" must be a non-empty string.', 'missing_model', 'model');
  }
  // Media bodies use the same names for other things (a speech `response_format` is a string).
  const mistyped = MEDIA_ENDPOINTS.has(endpoint) ? undefined : mistypedField(body, endpoint);
  if (mistyped) throw mistyped;
  const needs = REQUIRED_LIST[endpoint];
  if (
    needs &&
    !(gemini && endpoint === 'count_tokens') &&
    !(Array.isArray(body[needs]) && (body[needs] as unknown[]).length > 0)
  ) {
    throw badRequest(`"${needs}" must be a non-empty array.`, `missing_${needs}`, needs);
  }
  return new Request(init, body, endpoint, model, gemini?.stream);
}

/** The list each endpoint cannot do without. */
const REQUIRED_LIST: Partial<Record<Endpoint, string>> = {
  chat: 'messages',
  messages: 'messages',
  count_tokens: 'messages',
  gemini: 'contents',
};

const UNSET = Symbol('unset');

class Request implements ParsedRequest {
  readonly endpoint: Endpoint;
  readonly format: ProviderFormat;
  readonly path: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly raw: Buffer;
  readonly headers: IncomingHttpHeaders;
  readonly model: string;
  readonly stream: boolean;
  readonly #rawHeaders: readonly string[];
  #maxOutputTokens: number | undefined | typeof UNSET = UNSET;
  #completions: number | undefined;
  #hasSchema: boolean | undefined;
  #hasTools: boolean | undefined;
  #hasImages: boolean | undefined;
  #workflow: string | undefined | typeof UNSET = UNSET;

  constructor(init: RequestInit, body: Readonly<Record<string, unknown>>, endpoint: Endpoint, model: string, stream?: boolean) {
    this.endpoint = endpoint;
    this.format = clientFormatOf(init.path);
    this.path = endpointPath(endpoint) ?? belowMount(init.path);
    this.body = body;
    this.raw = init.raw;
    this.headers = init.headers;
    this.#rawHeaders = init.rawHeaders;
    this.model = model;
    this.stream = stream ?? body.stream === true;
  }

  header(lowerName: string): string | undefined {
    return firstHeader(this.#rawHeaders, lowerName);
  }

  get maxOutputTokens(): number | undefined {
    if (this.#maxOutputTokens === UNSET) this.#maxOutputTokens = maxOutputTokensOf(this.endpoint, this.body);
    return this.#maxOutputTokens;
  }

  get completions(): number {
    this.#completions ??= completionsOf(this.endpoint, this.body);
    return this.#completions;
  }

  get hasSchema(): boolean {
    this.#hasSchema ??= asksForSchema(this.body);
    return this.#hasSchema;
  }

  get hasTools(): boolean {
    this.#hasTools ??= isNonEmptyArray(this.body.tools) || isNonEmptyArray(this.body.functions);
    return this.#hasTools;
  }

  get hasImages(): boolean {
    this.#hasImages ??= hasImage(this.body.messages) || hasImage(this.body.input) || hasGeminiImage(this.body.contents);
    return this.#hasImages;
  }

  get workflow(): string | undefined {
    if (this.#workflow === UNSET) this.#workflow = this.header(WORKFLOW_HEADER) || stringWorkflow(this.body);
    return this.#workflow;
  }
}

/** A Gemini path from its `/models/` on (whatever prefix the front door is mounted under); other paths as they are. */
function belowMount(path: string): string {
  const at = readGeminiPath(path) ? path.lastIndexOf('/models/') : -1;
  return at > 0 ? path.slice(at) : path;
}

function maxOutputTokensOf(endpoint: Endpoint, body: Readonly<Record<string, unknown>>): number | undefined {
  const max =
    endpoint === 'responses'
      ? body.max_output_tokens
      : endpoint === 'chat'
        ? (body.max_completion_tokens ?? body.max_tokens)
        : endpoint === 'gemini'
          ? generationConfig(body).maxOutputTokens
          : body.max_tokens;
  return typeof max === 'number' && Number.isSafeInteger(max) && max >= 0 ? max : undefined;
}

function completionsOf(endpoint: Endpoint, body: Readonly<Record<string, unknown>>): number {
  // n and best_of are whole numbers, 1 or more, when set: parseRequest refused anything else.
  const n = typeof body.n === 'number' ? body.n : 1;
  if (endpoint === 'chat') return n;
  if (endpoint !== 'completions') return 1;
  const bestOf = typeof body.best_of === 'number' ? body.best_of : 1;
  const prompts = Array.isArray(body.prompt) && !body.prompt.every((entry) => typeof entry === 'number') ? body.prompt.length : 1;
  return Math.max(n, bestOf) * prompts;
}

/**
 * Chat's `response_format`, the Responses API's `text.format`, Messages' `output_config.format`
 * (`output_format` in its beta), Gemini's `generationConfig.responseSchema` / `responseJsonSchema`.
 */
function asksForSchema(body: Readonly<Record<string, unknown>>): boolean {
  const gemini = generationConfig(body);
  return (
    isJsonSchema(body.response_format) ||
    (isObject(body.text) && isJsonSchema(body.text.format)) ||
    (isObject(body.output_config) && isJsonSchema(body.output_config.format)) ||
    isJsonSchema(body.output_format) ||
    isObject(gemini.responseSchema) ||
    isObject(gemini.responseJsonSchema)
  );
}

function generationConfig(body: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  return isObject(body.generationConfig) ? body.generationConfig : {};
}

function isJsonSchema(format: unknown): boolean {
  return isObject(format) && format.type === 'json_schema';
}

function isNonEmptyArray(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}

const IMAGE_PARTS: ReadonlySet<unknown> = new Set(['image_url', 'input_image', 'image']);

/** Any image part in messages/input items, including inside Anthropic tool_result blocks. */
function hasImage(items: unknown): boolean {
  if (!Array.isArray(items)) return false;
  for (const item of items) {
    if (isObject(item) && (IMAGE_PARTS.has(item.type) || hasImagePart(item.content, 0))) return true;
  }
  return false;
}

/** Gemini contents with an image part (`inlineData` or `fileData` of an `image/` type). */
function hasGeminiImage(contents: unknown): boolean {
  if (!Array.isArray(contents)) return false;
  for (const content of contents) {
    if (!isObject(content) || !Array.isArray(content.parts)) continue;
    for (const part of content.parts) {
      if (!isObject(part)) continue;
      const data = isObject(part.inlineData) ? part.inlineData : isObject(part.fileData) ? part.fileData : undefined;
      if (data && typeof data.mimeType === 'string' && data.mimeType.startsWith('image/')) return true;
    }
  }
  return false;
}

function hasImagePart(content: unknown, depth: number): boolean {
  if (!Array.isArray(content)) return false;
  for (const part of content) {
    if (!isObject(part)) continue;
    if (IMAGE_PARTS.has(part.type)) return true;
    if (part.type === 'tool_result' && depth === 0 && hasImagePart(part.content, 1)) return true;
  }
  return false;
}

function stringWorkflow(body: Readonly<Record<string, unknown>>): string | undefined {
  const workflow = isObject(body.metadata) ? body.metadata.workflow : undefined;
  return typeof workflow === 'string' && workflow !== '' ? workflow : undefined;
}

/** The first value of header `lowerName` in Node's `rawHeaders`. */
export function firstHeader(rawHeaders: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i] as string;
    if (key.length === lowerName.length && key.toLowerCase() === lowerName) return rawHeaders[i + 1];
  }
  return undefined;
}

export function isObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
