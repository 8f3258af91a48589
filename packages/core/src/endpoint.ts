// Which API surface a request is, and which wire format its client speaks: decided here, from its path
// below the mount point, and nowhere else.
import type { Endpoint, ProviderFormat } from './record.js';

const ENDPOINTS: ReadonlyMap<string, Endpoint> = new Map([
  ['/chat/completions', 'chat'],
  ['/completions', 'completions'],
  ['/embeddings', 'embeddings'],
  ['/responses', 'responses'],
  ['/messages', 'messages'],
  ['/messages/count_tokens', 'count_tokens'],
]);

/** Longest first, so that `/v1/chat/completions` is not taken for `/completions`. */
const BY_SUFFIX = [...ENDPOINTS].sort(([a], [b]) => b.length - a.length);

/** The methods of the Gemini front door, named in the URL after the model. */
export type GeminiMethod = 'generateContent' | 'streamGenerateContent' | 'countTokens';

/** What a Gemini client's URL says. */
export interface GeminiTarget {
  /** The model as the client named it, decoded: `smart`, `gemini-2.5-pro`. */
  readonly model: string;
  readonly method: GeminiMethod;
  /** `streamGenerateContent`: the answer is an event stream. */
  readonly stream: boolean;
}

const GEMINI_METHODS: ReadonlySet<string> = new Set<GeminiMethod>(['generateContent', 'streamGenerateContent', 'countTokens']);

/**
 * Reads `…/models/{model}:{method}` (any prefix such as `/v1beta`, any query string); `undefined` for
 * another path, an unknown method or an empty model. Only `models/` is served, not `tunedModels/`.
 */
export function readGeminiPath(path: string): GeminiTarget | undefined {
  const bare = path.split('?', 1)[0]!;
  const match = /\/models\/([^/]+):([A-Za-z]+)$/.exec(bare);
  if (!match || !GEMINI_METHODS.has(match[2]!)) return undefined;
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
 * `chat` for `/chat/completions`, …; `other` for any path the gateway has no special knowledge of. The
 * path is below the mount point (`/chat/completions`), or includes it when the middlewares are mounted on
 * full paths (`/v1/chat/completions`); one trailing slash is tolerated, as Express's routing does.
 */
export function endpointOf(path: string): Endpoint {
  const found = ENDPOINTS.get(path);
  if (found) return found;
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  for (const [known, endpoint] of BY_SUFFIX) if (trimmed.endsWith(known)) return endpoint;
  const gemini = readGeminiPath(trimmed);
  if (gemini) return gemini.method === 'countTokens' ? 'count_tokens' : 'gemini';
  return mediaEndpointOf(trimmed) ?? 'other';
}

/** The media families and follow-ups on an ID: matched after every text endpoint, so text calls never get here. */
const MEDIA_PATHS: readonly (readonly [RegExp, Endpoint])[] = [
  [/\/images\/(?:generations|edits|variations)$/, 'images'],
  [/\/audio\/(?:speech|transcriptions|translations)$/, 'audio'],
  [/\/videos(?:\/[^/]+(?:\/(?:content|remix))?)?$/, 'videos'],
  [/\/tasks(?:\/[^/]+)?$/, 'tasks'],
  [/\/responses\/[^/]+$/, 'responses'],
];

function mediaEndpointOf(path: string): Endpoint | undefined {
  for (const [pattern, endpoint] of MEDIA_PATHS) if (pattern.test(path)) return endpoint;
  return undefined;
}

/** The path the upstream is called on for `endpoint`; `undefined` where the path is taken as it came. */
export function endpointPath(endpoint: Endpoint): string | undefined {
  if (endpoint === 'count_tokens' || endpoint === 'gemini') return undefined;
  for (const [path, known] of ENDPOINTS) if (known === endpoint) return path;
  return undefined;
}

/** The wire format a client on `path` speaks, and reads errors in: Anthropic's on `/messages…`, Google's on Gemini's paths. */
export function clientFormatOf(path: string): ProviderFormat {
  const endpoint = endpointOf(path);
  if (endpoint === 'messages') return 'anthropic';
  if (endpoint === 'gemini') return 'gemini';
  if (endpoint === 'count_tokens') return readGeminiPath(path) ? 'gemini' : 'anthropic';
  return 'openai';
}
