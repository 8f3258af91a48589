// What a media call costs: per image (by size and quality), per second of video, per 1M characters of speech,
// per minute of transcription, as the model's `price` says. The request bounds it before the call (the worst
// case reserved); the call is settled at the same figure unless the provider reported token usage for a model
// priced by tokens. Follow-ups on a gateway ID (polls, downloads, deletes) cost nothing.
import type { ModelConfig, ModelPrice, ParsedRequest } from '@switchyard/core';

const PER_MILLION = 1e6;
/** A video create without `seconds` gets the provider's default length (OpenAI's: 4 s). */
export const DEFAULT_VIDEO_SECONDS = 4;
/** A remix's length is its source's, which the gateway does not know: the longest OpenAI renders. */
export const MAX_VIDEO_SECONDS = 12;
/**
 * Audio bytes per second assumed to bound a transcription's minutes from its upload's size: 128 kb/s, the
 * usual rate of an MP3 or an M4A. A file at a lower rate holds more minutes than this bounds (see docs/media.md).
 */
export const TRANSCRIPTION_BYTES_PER_SECOND = 16_000;

/** Whether the gateway prices `request` as a media call (its family, or a follow-up on a gateway ID). */
export function isMediaPriced(request: ParsedRequest | undefined): request is ParsedRequest {
  if (!request) return false;
  if (request.followUp) return request.followUp.action !== 'continue';
  const { endpoint } = request;
  return endpoint === 'images' || endpoint === 'audio' || endpoint === 'videos' || endpoint === 'tasks';
}

/**
 * The most `request` can cost on `model`, in USD; `undefined` when the model has no price for what the request
 * makes (an image model without `price.image`, …), so that an owner with `hard_stop` refuses it as unbounded.
 */
export function mediaWorstCase(request: ParsedRequest, model: ModelConfig): number | undefined {
  const { price } = model;
  const followUp = request.followUp;
  if (followUp && followUp.action !== 'remix') return 0;
  if (!price) return undefined;
  const body = request.body;
  const path = request.path;
  switch (request.endpoint) {
    case 'images':
      return price.image && count(body.n, 1) * imagePrice(price.image, body.size, body.quality);
    case 'videos': {
      if (price.videoSecond === undefined) return undefined;
      // Unsaid (or after the file, unread): the longest, for a reservation must bound the cost.
      const seconds = count(body.seconds, followUp || request.upload ? MAX_VIDEO_SECONDS : DEFAULT_VIDEO_SECONDS);
      return seconds * price.videoSecond;
    }
    case 'audio':
      if (path.endsWith('/speech')) {
        if (price.speechCharacters === undefined) return undefined;
        const input = typeof body.input === 'string' ? body.input.length : 0;
        return (input * price.speechCharacters) / PER_MILLION;
      }
      return transcription(request, price);
    default:
      // A vendor task has no price model of its own yet: free when the model is priced at all.
      return 0;
  }
}

/**
 * What a completed media call cost: the token price of the usage its provider reported when the model is
 * priced by tokens (an image model billed like gpt-image-1), else the request's own figure (the images, seconds
 * and characters it asked for are what is billed).
 */
export function mediaCost(
  request: ParsedRequest,
  model: ModelConfig,
  usage: import('@switchyard/core').Usage | undefined,
): number | undefined {
  const { price } = model;
  if (usage && price && (price.input > 0 || price.output > 0)) {
    return (usage.inputTokens * price.input + usage.outputTokens * price.output) / PER_MILLION;
  }
  return mediaWorstCase(request, model);
}

/** USD per image: `SIZE/QUALITY`, then `SIZE`, then `QUALITY`, then `default`, else the highest listed. */
export function imagePrice(table: Readonly<Record<string, number>>, size: unknown, quality: unknown): number {
  const s = typeof size === 'string' ? size : undefined;
  const q = typeof quality === 'string' ? quality : undefined;
  const keys = [s && q ? `${s}/${q}` : undefined, s, q, 'default'];
  for (const key of keys) if (key !== undefined && table[key] !== undefined) return table[key];
  return Math.max(0, ...Object.values(table));
}

function transcription(request: ParsedRequest, price: ModelPrice): number | undefined {
  if (price.transcriptionMinute === undefined) return undefined;
  const bytes = Number(request.headers['content-length']);
  if (!Number.isFinite(bytes) || bytes <= 0) return undefined;
  return (Math.ceil(bytes / TRANSCRIPTION_BYTES_PER_SECOND / 60) || 1) * price.transcriptionMinute;
}

function count(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * What a media call cost by what its answer reported: a video at the `seconds` its create answer gave, a
 * transcription at the audio length its answer gave, else `mediaCost`.
 */
export function mediaCostOfRecord(
  request: ParsedRequest,
  model: ModelConfig,
  record: import('@switchyard/core').RoutingRecord,
): number | undefined {
  const price = model.price;
  const seconds = request.endpoint === 'videos' ? record.task?.seconds : undefined;
  if (seconds !== undefined && price?.videoSecond !== undefined) return seconds * price.videoSecond;
  const heard = request.endpoint === 'audio' ? record.mediaUsage?.seconds : undefined;
  if (heard !== undefined && price?.transcriptionMinute !== undefined) return (heard / 60) * price.transcriptionMinute;
  return mediaCost(request, model, record.usage);
}

/** How a media call settles: nothing without a 2xx answer, else `mediaCostOfRecord`. */
export function mediaSettlement(
  request: ParsedRequest,
  model: ModelConfig,
  record: import('@switchyard/core').RoutingRecord,
): { cost?: number; basis: 'no_answer' | 'usage' | 'media_request' | 'unpriced' } {
  const last = record.attempts.at(-1);
  if (!(last?.status !== undefined && last.status >= 200 && last.status <= 299)) return { cost: 0, basis: 'no_answer' };
  const cost = mediaCostOfRecord(request, model, record);
  if (cost === undefined) return { basis: 'unpriced' };
  const reported = record.task?.seconds !== undefined || record.mediaUsage?.seconds !== undefined;
  const byTokens = record.usage !== undefined && model.price !== undefined && (model.price.input > 0 || model.price.output > 0);
  return { cost, basis: reported || byTokens ? 'usage' : 'media_request' };
}
