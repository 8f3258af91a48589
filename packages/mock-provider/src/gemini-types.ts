/** One part of a Gemini content: exactly one of `text`, `inlineData`, `fileData`, `functionCall`, `functionResponse`, …. */
export interface GeminiPart {
  readonly text?: string;
  readonly inlineData?: { readonly mimeType: string; readonly data: string };
  readonly fileData?: { readonly mimeType?: string; readonly fileUri: string };
  readonly functionCall?: { readonly name: string; readonly args?: Readonly<Record<string, unknown>>; readonly id?: string };
  readonly functionResponse?: { readonly name: string; readonly response: unknown; readonly id?: string };
  readonly [field: string]: unknown;
}

/** One turn of a Gemini conversation; `role` is `user` or `model` (may be left out on a single turn). */
export interface GeminiContent {
  readonly role?: 'user' | 'model';
  readonly parts: readonly GeminiPart[];
}

/** A function the model may call; `parameters` is Gemini's OpenAPI-subset schema. */
export interface GeminiFunctionDeclaration {
  readonly name: string;
  readonly description?: string;
  readonly parameters?: unknown;
  readonly parametersJsonSchema?: unknown;
}

/** How the model must use the functions. */
export interface GeminiToolConfig {
  readonly functionCallingConfig?: {
    readonly mode?: 'AUTO' | 'ANY' | 'NONE' | 'VALIDATED' | 'MODE_UNSPECIFIED';
    readonly allowedFunctionNames?: readonly string[];
  };
}

/** Sampling and output settings. */
export interface GeminiGenerationConfig {
  readonly maxOutputTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly stopSequences?: readonly string[];
  readonly responseMimeType?: string;
  readonly responseSchema?: unknown;
  readonly responseJsonSchema?: unknown;
  readonly [field: string]: unknown;
}

/**
 * The fields of a `generateContent` / `streamGenerateContent` body the mock reads, in camelCase. Upstream
 * also accepts snake_case names (`generation_config`, …) and so does the mock's validation; replies read
 * the camelCase ones.
 */
export interface GeminiGenerateContentRequest {
  readonly contents: readonly GeminiContent[];
  readonly systemInstruction?: GeminiContent;
  readonly tools?: ReadonlyArray<{
    readonly functionDeclarations?: readonly GeminiFunctionDeclaration[];
    readonly [field: string]: unknown;
  }>;
  readonly toolConfig?: GeminiToolConfig;
  readonly generationConfig?: GeminiGenerationConfig;
  readonly [field: string]: unknown;
}
