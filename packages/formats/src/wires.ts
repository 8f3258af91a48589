// Which client endpoint can be spoken to which provider format, and how: the request that goes up, and
// whether the answer comes back as the upstream sent it or translated. Built once, shared by every request.
import type { Endpoint, ModelConfig, ParsedRequest, ProviderConfig, ProviderFormat } from '@switchyard/core';
import { toAnthropicRequest, toChatRequestFromResponses, toGeminiRequest, toOpenAIRequest } from './index.js';
import { requestBody } from './passthrough.js';
import {
  ANTHROPIC_ANSWERS,
  ANTHROPIC_TO_OPENAI_ANSWERS,
  GEMINI_ANSWERS,
  GEMINI_TO_ANTHROPIC_ANSWERS,
  ANTHROPIC_TO_RESPONSES_ANSWERS,
  GEMINI_TO_RESPONSES_ANSWERS,
  type AnswerTranslator,
} from './answers.js';
// Gemini front door
import { GEMINI_FRONT_ANTHROPIC_ANSWERS, GEMINI_FRONT_OPENAI_ANSWERS } from './answers.js';
import { geminiCountTokensBody } from './gemini-front/count-tokens.js';
import { geminiPath, readGeminiPath, type GeminiTarget } from './gemini-front/path.js';
import { toChatRequestFromGemini } from './gemini-front/request.js';
import { invalidField, unsupportedField, type JsonObject } from './json.js';

/** What one attempt sends: the path below the provider's base URL and the body's bytes. */
export interface Outgoing {
  readonly path: string;
  readonly body: Buffer;
}

/** How a client's endpoint reaches a provider of one format. */
export interface Wire {
  /**
   * The request for `model`, in the provider's format. Throws a 400 SwitchyardError when the request
   * holds something that format cannot express.
   */
  outgoing(request: ParsedRequest, model: ModelConfig, provider: ProviderConfig): Outgoing;
  /** Turns the provider's answers into the client's format; `undefined` when they pass through as sent. */
  readonly answer: AnswerTranslator | undefined;
}

type Wires = ReadonlyMap<ProviderFormat, Wire>;

/** Same format: the client's bytes, with only `model` replaced (and a stream asked for its usage). */
const OPENAI_PASSTHROUGH: Wire = {
  outgoing: (request, model) => ({
    path: request.path,
    body: requestBody(request, upstreamId(model), { reasoning: isReasoning(model) }),
  }),
  answer: undefined,
};

const ANTHROPIC_PASSTHROUGH: Wire = {
  outgoing: (request, model, provider) => ({ path: messagesPath(provider), body: requestBody(request, upstreamId(model)) }),
  answer: undefined,
};

/** Anthropic's token counting, for an Anthropic provider: exact. Elsewhere the gateway counts itself. */
const ANTHROPIC_COUNT_PASSTHROUGH: Wire = {
  outgoing: (request, model, provider) => ({
    path: `${messagesPath(provider)}/count_tokens`,
    body: requestBody(request, model.id),
  }),
  answer: undefined,
};

const CHAT_TO_ANTHROPIC: Wire = {
  outgoing: (request, model, provider) => ({
    path: messagesPath(provider),
    body: json(toAnthropicRequest(request.body, { model: upstreamId(model), defaultMaxTokens: model.maxOutputTokens })),
  }),
  answer: ANTHROPIC_ANSWERS,
};

const CHAT_TO_GEMINI: Wire = {
  outgoing(request, model) {
    const { path, body } = toGeminiRequest(request.body, { model: upstreamId(model) });
    return { path, body: json(body) };
  },
  answer: GEMINI_ANSWERS,
};

const MESSAGES_TO_OPENAI: Wire = {
  outgoing: (request, model) => ({
    path: '/chat/completions',
    body: json(toOpenAIRequest(request.body, { model: upstreamId(model), reasoning: isReasoning(model) })),
  }),
  answer: ANTHROPIC_TO_OPENAI_ANSWERS,
};

/** Through OpenAI's chat shape, the pivot both translations share. */
const MESSAGES_TO_GEMINI: Wire = {
  outgoing(request, model) {
    const { path, body } = toGeminiRequest(toOpenAIRequest(request.body, { model: upstreamId(model) }), {
      model: upstreamId(model),
    });
    return { path, body: json(body) };
  },
  answer: GEMINI_TO_ANTHROPIC_ANSWERS,
};

/** The Responses API through OpenAI's chat shape, then as a chat request to Anthropic. */
const RESPONSES_TO_ANTHROPIC: Wire = {
  outgoing(request, model, provider) {
    const chat = toChatRequestFromResponses(request.body, { model: upstreamId(model) });
    return {
      path: messagesPath(provider),
      body: json(toAnthropicRequest(chat, { model: upstreamId(model), defaultMaxTokens: model.maxOutputTokens })),
    };
  },
  answer: ANTHROPIC_TO_RESPONSES_ANSWERS,
};

/** The Responses API through OpenAI's chat shape, then as a chat request to Gemini. */
const RESPONSES_TO_GEMINI: Wire = {
  outgoing(request, model) {
    const { path, body } = toGeminiRequest(toChatRequestFromResponses(request.body, { model: upstreamId(model) }), {
      model: upstreamId(model),
    });
    return { path, body: json(body) };
  },
  answer: GEMINI_TO_RESPONSES_ANSWERS,
};

const CHAT: Wires = new Map([
  ['openai', OPENAI_PASSTHROUGH],
  ['anthropic', CHAT_TO_ANTHROPIC],
  ['gemini', CHAT_TO_GEMINI],
]);
const MESSAGES: Wires = new Map([
  ['anthropic', ANTHROPIC_PASSTHROUGH],
  ['openai', MESSAGES_TO_OPENAI],
  ['gemini', MESSAGES_TO_GEMINI],
]);
const RESPONSES: Wires = new Map([
  ['openai', OPENAI_PASSTHROUGH],
  ['anthropic', RESPONSES_TO_ANTHROPIC],
  ['gemini', RESPONSES_TO_GEMINI],
]);
/** Completions and embeddings: OpenAI-compatible providers only. */
const OPENAI_ONLY: Wires = new Map([['openai', OPENAI_PASSTHROUGH]]);

/** The wires of one client endpoint (and, for token counting, the client's format), by provider format. */
export function wiresFor(endpoint: Endpoint, clientFormat: ProviderFormat = 'openai'): Wires {
  if (endpoint === 'chat') return CHAT;
  if (endpoint === 'messages') return MESSAGES;
  if (endpoint === 'responses') return RESPONSES;
  if (endpoint === 'gemini') return GEMINI_FRONT_WIRES;
  if (endpoint === 'count_tokens') return clientFormat === 'gemini' ? GEMINI_COUNT : ANTHROPIC_COUNT;
  return OPENAI_ONLY;
}

/**
 * Anthropic's base URL is the one its SDK takes, `https://api.anthropic.com`, below which the API
 * lives at `/v1/messages`; a base URL that already ends in `/v1` is taken as meant.
 */
function messagesPath(provider: ProviderConfig): string {
  return provider.baseUrl.endsWith('/v1') ? '/messages' : '/v1/messages';
}

/**
 * The ID the provider knows the model by: its `upstream_model`, else the policy's ID. Two policy entries
 * (`gpt-5-mini@a`, `gpt-5-mini@b`) can so name one model on two providers; records keep the entry's ID.
 */
export function upstreamId(model: ModelConfig): string {
  return model.upstreamModel ?? model.id;
}

/** A reasoning model takes its output cap as `max_completion_tokens` only (see `reasoning.ts`). */
function isReasoning(model: ModelConfig): boolean {
  return model.capabilities.has('reasoning');
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

// ── The Gemini front door: generateContent / streamGenerateContent / countTokens clients ──
// `request.path` is the client's (`/models/smart:streamGenerateContent`): it names the method, and so
// whether the answer streams; the model in it is replaced by the chosen one.

/** Same format: the client's bytes on the provider's own path for the model (countTokens names it inside too). */
const GEMINI_FRONT_PASSTHROUGH: Wire = {
  outgoing(request, model) {
    const { method } = geminiTarget(request);
    const body = method === 'countTokens' ? geminiCountTokensBody(request.body, request.raw, upstreamId(model)) : request.raw;
    return { path: geminiPath(upstreamId(model), method), body };
  },
  answer: undefined,
};

/** A Gemini client's request to an OpenAI-format provider, through OpenAI's chat shape. */
export const GEMINI_FRONT_TO_OPENAI: Wire = {
  outgoing: (request, model) => ({
    path: '/chat/completions',
    body: json(geminiChat(request, upstreamId(model), isReasoning(model))),
  }),
  answer: GEMINI_FRONT_OPENAI_ANSWERS,
};

/** A Gemini client's request to an Anthropic provider: Gemini → OpenAI chat → Anthropic Messages. */
export const GEMINI_FRONT_TO_ANTHROPIC: Wire = {
  outgoing: (request, model, provider) => ({
    path: messagesPath(provider),
    body: json(
      toAnthropicRequest(geminiChat(request, upstreamId(model)), {
        model: upstreamId(model),
        defaultMaxTokens: model.maxOutputTokens,
      }),
    ),
  }),
  answer: GEMINI_FRONT_ANTHROPIC_ANSWERS,
};

/**
 * The wires of the Gemini front door, by provider format. countTokens has a wire to Gemini providers
 * only: for the others the gateway answers it with its own estimate (see `toChatRequestFromCountTokens`).
 */
export const GEMINI_FRONT_WIRES: Wires = new Map([
  ['gemini', GEMINI_FRONT_PASSTHROUGH],
  ['openai', GEMINI_FRONT_TO_OPENAI],
  ['anthropic', GEMINI_FRONT_TO_ANTHROPIC],
]);

/** Token counting reaches a provider of the client's own format only; the gateway counts for the others. */
const ANTHROPIC_COUNT: Wires = new Map([['anthropic', ANTHROPIC_COUNT_PASSTHROUGH]]);
const GEMINI_COUNT: Wires = new Map([['gemini', GEMINI_FRONT_PASSTHROUGH]]);

function geminiTarget(request: ParsedRequest): GeminiTarget {
  const target = readGeminiPath(request.path);
  if (!target) throw invalidField('path', `\`${request.path}\` is not a Gemini method path: /models/{model}:{method}.`);
  return target;
}

function geminiChat(request: ParsedRequest, model: string, reasoning = false): JsonObject {
  const { method, stream } = geminiTarget(request);
  if (method === 'countTokens') {
    throw unsupportedField('countTokens', 'countTokens for this model is answered by the gateway, not by its provider.');
  }
  return toChatRequestFromGemini(request.body, { model, stream, reasoning });
}
