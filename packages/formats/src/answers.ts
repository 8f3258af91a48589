// Answers from a provider of another format, in the client's: whole JSON bodies, error bodies, and the
// transforms an event stream goes through. One translator per pair of formats, built once.
import type { ParsedRequest } from '@switchyard/core';
import {
  anthropicToOpenAIStream,
  fromAnthropicError,
  fromAnthropicResponse,
  fromGeminiError,
  fromGeminiResponse,
  fromOpenAIError,
  geminiToOpenAIStream,
  openAIToAnthropicStream,
  toAnthropicResponse,
  chatToResponsesStream,
  toResponsesResponse,
  type TranslatingStream,
} from './index.js';
import { isRecord, parseJson } from './json.js';
// Gemini front door
import { fromOpenAIErrorToGoogle } from './gemini-front/errors.js';
import { toGeminiResponse } from './gemini-front/response.js';
import { openAIToGeminiStream } from './gemini-front/stream.js';

export interface AnswerTranslator {
  /** A 2xx JSON answer in the client's format. Throws a 502 SwitchyardError when it is not the provider's answer. */
  json(body: Buffer, model: string): Buffer;
  /** An error answer in the client's shape, with the status the client gets. */
  error(status: number, body: Buffer): { status: number; body: Buffer };
  /** The transforms a 2xx event stream goes through, the one reading the upstream's events first. */
  stream(model: string, request: ParsedRequest): TranslatingStream[];
}

/** Anthropic Messages answers for an OpenAI chat client. */
export const ANTHROPIC_ANSWERS: AnswerTranslator = {
  json: (body, model) => json(fromAnthropicResponse(parse(body), { model })),
  error: (status, body) => jsonError(fromAnthropicError(status, parse(body))),
  stream: (model, request) => [anthropicToOpenAIStream({ model, includeUsage: includeUsage(request) })],
};

/** Gemini answers for an OpenAI chat client. */
export const GEMINI_ANSWERS: AnswerTranslator = {
  json: (body, model) => json(fromGeminiResponse(parse(body), { model })),
  error: (status, body) => jsonError(fromGeminiError(status, parse(body))),
  stream: (model, request) => [geminiToOpenAIStream({ model, includeUsage: includeUsage(request) })],
};

/** OpenAI chat answers for an Anthropic Messages client. */
export const ANTHROPIC_TO_OPENAI_ANSWERS: AnswerTranslator = {
  json: (body, model) => json(toAnthropicResponse(parse(body), { model })),
  error: (status, body) => jsonError(fromOpenAIError(status, parse(body))),
  stream: (model) => [openAIToAnthropicStream({ model })],
};

/** Gemini answers for an Anthropic Messages client, through OpenAI's chat shape. */
export const GEMINI_TO_ANTHROPIC_ANSWERS: AnswerTranslator = {
  json: (body, model) => json(toAnthropicResponse(fromGeminiResponse(parse(body), { model }), { model })),
  error(status, body) {
    const openai = fromGeminiError(status, parse(body));
    return jsonError(fromOpenAIError(openai.status, openai.body));
  },
  // The middle step carries usage, which the last one reports in message_delta.
  stream: (model) => [geminiToOpenAIStream({ model, includeUsage: true }), openAIToAnthropicStream({ model })],
};

/**
 * Anthropic Messages answers for a Responses API client, through OpenAI's chat shape. Errors keep OpenAI's
 * error body, which Responses clients read as chat clients do.
 */
export const ANTHROPIC_TO_RESPONSES_ANSWERS: AnswerTranslator = {
  json: (body, model) => json(toResponsesResponse(fromAnthropicResponse(parse(body), { model }), { model })),
  error: ANTHROPIC_ANSWERS.error,
  // The middle step carries usage, which the last one reports in response.completed.
  stream: (model) => [anthropicToOpenAIStream({ model, includeUsage: true }), chatToResponsesStream({ model })],
};

/** Gemini answers for a Responses API client, through OpenAI's chat shape. */
export const GEMINI_TO_RESPONSES_ANSWERS: AnswerTranslator = {
  json: (body, model) => json(toResponsesResponse(fromGeminiResponse(parse(body), { model }), { model })),
  error: GEMINI_ANSWERS.error,
  stream: (model) => [geminiToOpenAIStream({ model, includeUsage: true }), chatToResponsesStream({ model })],
};

function parse(body: Buffer): unknown {
  return parseJson(body.toString('utf8'));
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function jsonError(translated: { status: number; body: unknown }): { status: number; body: Buffer } {
  return { status: translated.status, body: json(translated.body) };
}

/** The client's `stream_options.include_usage`: its stream ends with a usage chunk. */
function includeUsage(request: ParsedRequest): boolean {
  const options = request.body.stream_options;
  return isRecord(options) && options.include_usage === true;
}

// ── The Gemini front door: answers for generateContent / streamGenerateContent clients ──

/** OpenAI chat answers for a Gemini client: GenerateContentResponse, Google's error shape, Gemini's SSE. */
export const GEMINI_FRONT_OPENAI_ANSWERS: AnswerTranslator = {
  json: (body, model) => json(toGeminiResponse(parse(body), { model })),
  error: (status, body) => jsonError(fromOpenAIErrorToGoogle(status, parse(body))),
  stream: (model) => [openAIToGeminiStream({ model })],
};

/** Anthropic Messages answers for a Gemini client, through OpenAI's chat shape. */
export const GEMINI_FRONT_ANTHROPIC_ANSWERS: AnswerTranslator = {
  json: (body, model) => json(toGeminiResponse(fromAnthropicResponse(parse(body), { model }), { model })),
  error(status, body) {
    const openai = fromAnthropicError(status, parse(body));
    return jsonError(fromOpenAIErrorToGoogle(openai.status, openai.body));
  },
  // The middle step carries usage, which the last one reports in its last event.
  stream: (model) => [anthropicToOpenAIStream({ model, includeUsage: true }), openAIToGeminiStream({ model })],
};
