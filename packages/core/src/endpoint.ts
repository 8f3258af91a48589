// Which API surface a request is: decided here, from its path below the mount point, and nowhere else.
import type { Endpoint, ProviderFormat } from './record.js';

const ENDPOINTS: ReadonlyMap<string, Endpoint> = new Map([
  ['/chat/completions', 'chat'],
  ['/completions', 'completions'],
  ['/embeddings', 'embeddings'],
  ['/responses', 'responses'],
  ['/messages', 'messages'],
]);

/** Longest first, so that `/v1/chat/completions` is not taken for `/completions`. */
const BY_SUFFIX = [...ENDPOINTS].sort(([a], [b]) => b.length - a.length);

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
  return 'other';
}

/** The path the upstream is called on for `endpoint`; `undefined` for `other`, whose path is taken as it came. */
export function endpointPath(endpoint: Endpoint): string | undefined {
  for (const [path, known] of ENDPOINTS) if (known === endpoint) return path;
  return undefined;
}

/** The wire format a client of `endpoint` speaks, and reads errors in. */
export function clientFormatOf(endpoint: Endpoint): ProviderFormat {
  return endpoint === 'messages' ? 'anthropic' : 'openai';
}
