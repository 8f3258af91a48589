import type { IncomingMessage } from 'node:http';
import { sendBinary } from './binary-send.js';
import { invalidRequest } from './errors.js';
import { nextId } from './ids.js';
import type { MockState, ServedMedia } from './mock-state.js';
import type { CallRecord } from './recorder.js';
import { baseHeaders, sendError } from './respond.js';
import type { Route } from './router.js';

/** The path, relative to `/v1`, under which the mock serves the media it made. */
export const MEDIA_PATH = '/mock-media';

/**
 * Keeps `media` to serve and returns its absolute URL on this mock, as seen by the client of `req`: same host,
 * same mount prefix (an Express app's `/upstream/v1`), `/v1` when the call used it. `stem` names it (a task
 * ID, so every poll gets the same URL); default a fresh `media_…` ID.
 */
export function publishMedia(
  state: MockState,
  req: IncomingMessage,
  call: CallRecord,
  media: ServedMedia,
  extension: string,
  stem: string = nextId('media'),
): string {
  const name = `${stem}.${extension}`;
  state.media.set(name, media);
  const original = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '';
  const originalPath = original.split('?')[0] ?? '';
  const mount = originalPath.endsWith(call.path) ? originalPath.slice(0, originalPath.length - call.path.length) : '';
  const version = call.path.startsWith('/v1/') ? '/v1' : '';
  return `http://${req.headers.host ?? 'localhost'}${mount}${version}${MEDIA_PATH}/${name}`;
}

/** `GET /v1/mock-media/{name}`: a file the mock made (an image URL, a task's audio), without a key, like a signed URL. */
export function mediaRoute(state: MockState): Route {
  return async function media({ res, call, param }) {
    const name = param ?? '';
    call.referencedId = name;
    const found = state.media.get(name);
    if (!found) return sendError(res, 404, invalidRequest(`No media named '${name}'.`));
    await sendBinary(res, call, baseHeaders(found.contentType, undefined), found.bytes(), { chunks: 1 }, true);
  };
}
