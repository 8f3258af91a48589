// The Gemini answer shapes the front door writes (https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse),
// as far as a translated answer fills them.
import type { JsonObject } from '../json.js';

/** The finish reasons a translated answer can have. */
export type GeminiFinishReason = 'STOP' | 'MAX_TOKENS' | 'SAFETY' | 'OTHER';

export type GeminiAnswerPart = { text: string } | { functionCall: { id?: string; name: string; args: JsonObject } };

export interface GeminiUsageMetadata {
  /** Prompt tokens, cached ones included. */
  promptTokenCount: number;
  /** Answer tokens, thinking excluded. */
  candidatesTokenCount: number;
  totalTokenCount: number;
  /** Present when above 0, as Google omits zero counts. */
  cachedContentTokenCount?: number;
  /** Present when above 0: the upstream's reasoning tokens. */
  thoughtsTokenCount?: number;
}

export interface GeminiCandidate {
  content: { parts: GeminiAnswerPart[]; role: 'model' };
  /** Absent on the events of a stream before its last. */
  finishReason?: GeminiFinishReason;
  index: 0;
}

/** A `GenerateContentResponse`: a whole answer, or one event of a stream. */
export interface GeminiResponse {
  candidates: [GeminiCandidate];
  /** Absent on the events of a stream before its last, and when the upstream reported none. */
  usageMetadata?: GeminiUsageMetadata;
  /** The exact model ID that served. */
  modelVersion: string;
  responseId: string;
}
