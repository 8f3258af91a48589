import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendBody } from './body-send.js';
import { errorForStatus } from './errors.js';
import { sendEventStream, type StreamEvent } from './event-stream.js';
import { unixSeconds } from './ids.js';
import { dimensions, imageUsage, type ImageSettings } from './image-models.js';
import { publishMedia } from './media-route.js';
import type { MockState } from './mock-state.js';
import { solidPng } from './png.js';
import type { CallRecord } from './recorder.js';
import { baseHeaders } from './respond.js';
import { RESPONSES_FRAMING } from './responses-object.js';
import type { Behaviour } from './types.js';

/** What an image answer is made from. */
export interface ImageJob {
  readonly settings: ImageSettings;
  readonly prompt: string;
  /** Images the request uploaded (edits, variations), billed as input. */
  readonly inputImages: number;
  /** `image_generation` or `image_edit`: the prefix of stream event types. */
  readonly streamPrefix: 'image_generation' | 'image_edit';
  /** How many partial images a stream sends before the final one (0 to 3). */
  readonly partialImages: number;
}

/**
 * Answers an image request: `{created, data, usage?}` with `n` PNGs of the requested size as `b64_json` or as
 * URLs this mock serves; token-billed models add `usage`, `size`, `quality`, `background`, `output_format`.
 * With `stream`, a token-billed model sends `…partial_image` events then `…completed` (named SSE events).
 */
export async function sendImages(
  req: IncomingMessage,
  res: ServerResponse,
  call: CallRecord,
  state: MockState,
  job: ImageJob,
  behaviour: Behaviour,
  stream: boolean,
): Promise<void> {
  const { settings } = job;
  const { width, height } = dimensions(settings.size);
  const png = solidPng(width, height);
  const tokenBilled = settings.family === 'gpt-image';
  const extra = tokenBilled
    ? {
        background: 'opaque',
        output_format: 'png',
        quality: settings.quality,
        size: settings.size,
        usage: imageUsage(settings, job.prompt, job.inputImages),
      }
    : {};
  if (stream && tokenBilled) {
    await sendImageStream(res, call, job, png.toString('base64'), extra, behaviour);
    return;
  }
  const data = Array.from({ length: settings.n }, () => {
    const image =
      settings.responseFormat === 'url'
        ? { url: publishMedia(state, req, call, { contentType: 'image/png', bytes: () => png }, 'png') }
        : { b64_json: png.toString('base64') };
    return settings.family === 'dall-e-3' ? { ...image, revised_prompt: job.prompt } : image;
  });
  const body = JSON.stringify({ created: unixSeconds(), data, ...extra });
  sendBody(res, call, baseHeaders('application/json', behaviour.retryAfter), body, behaviour);
}

async function sendImageStream(
  res: ServerResponse,
  call: CallRecord,
  job: ImageJob,
  b64: string,
  extra: Record<string, unknown>,
  behaviour: Behaviour,
): Promise<void> {
  const { usage, ...shape } = extra;
  const created = unixSeconds();
  const event = (type: string, fields: Record<string, unknown>): StreamEvent => ({
    name: type,
    data: JSON.stringify({ type, b64_json: b64, created_at: created, ...shape, ...fields }),
  });
  const partials = Array.from({ length: job.partialImages }, (_, index) =>
    event(`${job.streamPrefix}.partial_image`, { partial_image_index: index }),
  );
  const headers = baseHeaders('text/event-stream; charset=utf-8', behaviour.retryAfter);
  headers['cache-control'] = 'no-cache';
  await sendEventStream(
    res,
    call,
    { lead: [], deltas: partials, tail: [event(`${job.streamPrefix}.completed`, { usage })] },
    {
      status: behaviour.status ?? 200,
      headers,
      framing: RESPONSES_FRAMING,
      errorEvent: (status) => {
        const error = errorForStatus(status);
        return { name: 'error', data: JSON.stringify({ type: 'error', error }) };
      },
    },
    behaviour,
  );
}
