// Gemini API shapes (https://ai.google.dev/api/generate-content), as far as the translations use them.
import type { JsonObject } from '../json.js';

export type GeminiPart =
  | { text: string; thought?: boolean }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType: string; fileUri: string } }
  | { functionCall: { name: string; args: JsonObject; id?: string }; thoughtSignature?: string }
  | { functionResponse: { name: string; response: JsonObject } };

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parameters?: JsonObject;
}

export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  responseMimeType?: 'application/json';
  responseSchema?: JsonObject;
}

/** A `generateContent` / `streamGenerateContent` body. */
export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: [{ functionDeclarations: GeminiFunctionDeclaration[] }];
  toolConfig?: { functionCallingConfig: { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] } };
  generationConfig?: GeminiGenerationConfig;
}

/** Where and what to send: the path below the provider's base URL (e.g. `…/v1beta`), and the body. */
export interface GeminiCall {
  /** `/models/{model}:generateContent`, or `/models/{model}:streamGenerateContent?alt=sse` when streaming. */
  path: string;
  body: GeminiRequest;
}

/** Gemini's error body: `{ error: { code, message, status } }`. */
export interface GeminiErrorBody {
  error: { code: number; message: string; status: string };
}
