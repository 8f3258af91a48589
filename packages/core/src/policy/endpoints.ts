// Which endpoint families a model serves (`endpoints:` in its policy entry), and the check a call meets.
import type { Endpoint } from '../record.js';

/** The families a model may declare. */
export const MODEL_ENDPOINTS = [
  'chat',
  'completions',
  'embeddings',
  'responses',
  'messages',
  'images',
  'audio',
  'videos',
  'tasks',
] as const;

export type ModelEndpoint = (typeof MODEL_ENDPOINTS)[number];

/** The families whose answers are media or tasks: served only by a model that declares them. */
export const MEDIA_ENDPOINTS: ReadonlySet<Endpoint> = new Set<Endpoint>(['images', 'audio', 'videos', 'tasks']);

/** What a model serves when its entry declares no `endpoints`: every text family. */
export const TEXT_ENDPOINTS: readonly ModelEndpoint[] = ['chat', 'completions', 'embeddings', 'responses', 'messages'];

/**
 * Whether a model serving `served` (its declared families; `undefined` = the text ones) takes a call on
 * `endpoint`. Gemini's front door and token counting are text generation: a model serving chat or messages takes them.
 */
export function servesEndpoint(served: ReadonlySet<string> | undefined, endpoint: Endpoint): boolean {
  if (!served) return !MEDIA_ENDPOINTS.has(endpoint);
  if (endpoint === 'gemini' || endpoint === 'count_tokens' || endpoint === 'other')
    return served.has('chat') || served.has('messages');
  return served.has(endpoint);
}
