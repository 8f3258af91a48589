// Which API surface a path below the mount point is.
import type { Endpoint } from '@switchyard/core';

const ENDPOINTS: ReadonlyMap<string, Endpoint> = new Map([
  ['/chat/completions', 'chat'],
  ['/completions', 'completions'],
  ['/embeddings', 'embeddings'],
  ['/responses', 'responses'],
  ['/messages', 'messages'],
]);

/** `chat` for `/chat/completions`, …; `other` for any path the gateway has no special knowledge of. */
export function endpointOf(path: string): Endpoint {
  const found = ENDPOINTS.get(path);
  if (found) return found;
  // Tolerate one trailing slash, as Express's default (non-strict) routing does.
  return (path.length > 1 && path.endsWith('/') && ENDPOINTS.get(path.slice(0, -1))) || 'other';
}
