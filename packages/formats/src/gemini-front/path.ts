// The Gemini API names the model and the method in the URL: `/v1beta/models/{model}:{method}`. Core reads
// the client's (`readGeminiPath`); this builds the provider's.
import type { GeminiMethod } from '@switchyard/core';

export { readGeminiPath, type GeminiMethod, type GeminiTarget } from '@switchyard/core';

/**
 * The path below a Gemini provider's base URL (e.g. `https://generativelanguage.googleapis.com/v1beta`)
 * for `model`: the one `toGeminiRequest` also builds. Streams are always asked for as SSE.
 */
export function geminiPath(model: string, method: GeminiMethod): string {
  const path = `/models/${encodeURIComponent(model)}:${method}`;
  return method === 'streamGenerateContent' ? `${path}?alt=sse` : path;
}
