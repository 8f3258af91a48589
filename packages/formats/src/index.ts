// @switchyard/formats: wire-format translation, pure functions and stream transforms; no Express, no I/O.
export { readChatRequest, type ChatInput } from './chat-input.js';
export { badUpstreamBody, invalidField, unsupportedField } from './json.js';
export type * from './openai.js';
export { recordUsage } from './openai.js';
export type { ChunkStreamOptions } from './openai-chunks.js';
export { DEFAULT_MAX_EVENT_BYTES, SseEventTooLarge, SseParser, type SseEvent } from './sse.js';
export { TranslatingStream, type StreamEnd, type StreamTranslator, type TranslatingStreamOptions } from './stream.js';

export { fromAnthropicError } from './anthropic/errors.js';
export { DEFAULT_ANTHROPIC_MAX_TOKENS, toAnthropicRequest, type AnthropicRequestOptions } from './anthropic/request.js';
export { fromAnthropicResponse } from './anthropic/response.js';
export { anthropicToOpenAIStream } from './anthropic/stream.js';
export type * from './anthropic/types.js';
export { JSON_TOOL_NAME } from './anthropic/types.js';

export { fromGeminiError } from './gemini/errors.js';
export { SKIP_THOUGHT_SIGNATURE, toGeminiRequest, type GeminiRequestOptions } from './gemini/request.js';
export { fromGeminiResponse } from './gemini/response.js';
export { toGeminiSchema } from './gemini/schema.js';
export { geminiToOpenAIStream } from './gemini/stream.js';
export type * from './gemini/types.js';

export { anthropicError, anthropicErrorType, fromOpenAIError } from './anthropic-front/errors.js';
export { toOpenAIRequest, type OpenAIRequestOptions } from './anthropic-front/request.js';
export { toAnthropicResponse, type MessageOptions } from './anthropic-front/response.js';
export { openAIToAnthropicStream, type MessageStreamOptions } from './anthropic-front/stream.js';

export { PREVIOUS_RESPONSE_UNSUPPORTED, storedStateUnsupported } from './responses-front/errors.js';
export { toChatRequestFromResponses, type ChatFromResponsesOptions } from './responses-front/request.js';
export { toResponsesResponse, type ResponseOptions } from './responses-front/response.js';
export { chatToResponsesStream, type ResponsesStreamOptions } from './responses-front/stream.js';
export type * from './responses-front/types.js';

export {
  ANTHROPIC_ANSWERS,
  ANTHROPIC_TO_OPENAI_ANSWERS,
  GEMINI_ANSWERS,
  GEMINI_TO_ANTHROPIC_ANSWERS,
  ANTHROPIC_TO_RESPONSES_ANSWERS,
  GEMINI_TO_RESPONSES_ANSWERS,
  type AnswerTranslator,
} from './answers.js';
export { asksUsageForClient, requestBody } from './passthrough.js';
export { capAsCompletionTokens, type PassthroughOptions } from './reasoning.js';
export { wiresFor, type Outgoing, type Wire } from './wires.js';
export { mayCarryUsage, toUsage, usageAfterEvent, usageIn } from './usage.js';

// The Gemini front door: generateContent / streamGenerateContent / countTokens clients.
export {
  countTokensAnswer,
  geminiCountTokensBody,
  toChatRequestFromCountTokens,
  type CountTokensAnswer,
} from './gemini-front/count-tokens.js';
export {
  fromOpenAIErrorToGoogle,
  fromOpenAIStreamError,
  googleError,
  googleErrorBody,
  googleStatus,
} from './gemini-front/errors.js';
export { geminiPath, readGeminiPath, type GeminiMethod, type GeminiTarget } from './gemini-front/path.js';
export {
  readGeminiRequest,
  toChatRequestFromGemini,
  type ChatFromGeminiOptions,
  type GeminiChatTranslation,
} from './gemini-front/request.js';
export { toGeminiResponse, type GeminiAnswerOptions } from './gemini-front/response.js';
export { fromGeminiSchema } from './gemini-front/schema.js';
export { geminiEvent, openAIToGeminiStream, type GeminiStreamOptions } from './gemini-front/stream.js';
export type * from './gemini-front/types.js';
export { GEMINI_FRONT_ANTHROPIC_ANSWERS, GEMINI_FRONT_OPENAI_ANSWERS } from './answers.js';
export { GEMINI_FRONT_TO_ANTHROPIC, GEMINI_FRONT_TO_OPENAI, GEMINI_FRONT_WIRES } from './wires.js';
