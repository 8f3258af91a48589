// The Gemini API names the model and the method in the URL: `/v1beta/models/{model}:{method}`.

/** The methods of the Gemini front door. */
export type GeminiMethod = 'generateContent' | 'streamGenerateContent' | 'countTokens';

/** What a Gemini client's URL says. */
export interface GeminiTarget {
  /** The model as the client named it, decoded: `smart`, `gemini-2.5-pro`. */
  readonly model: string;
  readonly method: GeminiMethod;
  /** `streamGenerateContent`: the answer is an event stream. */
  readonly stream: boolean;
}

const METHODS: ReadonlySet<string> = new Set<GeminiMethod>(['generateContent', 'streamGenerateContent', 'countTokens']);

/**
 * Reads `…/models/{model}:{method}` (any prefix such as `/v1beta`, any query string); `undefined` for
 * another path, an unknown method or an empty model. The SDKs also accept `models/` inside the model
 * name and `tunedModels/…`; only `models/` is served here.
 */
export function readGeminiPath(path: string): GeminiTarget | undefined {
  const bare = path.split('?', 1)[0]!;
  const match = /\/models\/([^/]+):([A-Za-z]+)$/.exec(bare);
  if (!match || !METHODS.has(match[2]!)) return undefined;
  let model: string;
  try {
    model = decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
  if (model === '') return undefined;
  const method = match[2] as GeminiMethod;
  return { model, method, stream: method === 'streamGenerateContent' };
}

/**
 * The path below a Gemini provider's base URL (e.g. `https://generativelanguage.googleapis.com/v1beta`)
 * for `model`: the one `toGeminiRequest` also builds. Streams are always asked for as SSE.
 */
export function geminiPath(model: string, method: GeminiMethod): string {
  const path = `/models/${encodeURIComponent(model)}:${method}`;
  return method === 'streamGenerateContent' ? `${path}?alt=sse` : path;
}
