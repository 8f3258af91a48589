import { SPEECH_CONTENT_TYPES, SPEECH_FORMATS, type SpeechFormat, silentAudio } from './audio-formats.js';
import { sendBinary } from './binary-send.js';
import { estimateTokens } from './chat-reply.js';
import { INVALID_JSON } from './chat-validation.js';
import { errorBody, errorForStatus, invalidRequest, type OpenAIError } from './errors.js';
import { sendEventStream } from './event-stream.js';
import { isRecord } from './guards.js';
import { OPENAI_DATA_FRAMING } from './completions-route.js';
import { checkEnum, checkNumber, invalidType, invalidValue, missingParameter, unknownKey } from './openai-params.js';
import { openAIPrelude, type OpenAIRouteDeps } from './openai-prelude.js';
import { baseHeaders, sendError } from './respond.js';
import type { Route } from './router.js';

const FIELDS: ReadonlySet<string> = new Set([
  'model',
  'input',
  'voice',
  'response_format',
  'speed',
  'instructions',
  'stream_format',
]);
const VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer', 'verse', 'marin', 'cedar'];
const MAX_INPUT = 4096;
// About fifteen characters of text per second of speech, at least a fifth of a second, at most a minute.
const CHARS_PER_SECOND = 15;
const DEFAULT_CHUNKS = 4;

/**
 * `POST /v1/audio/speech`: valid silent audio in the asked `response_format` (mp3 by default), about a second
 * per fifteen characters of `input` (divided by `speed`), streamed chunked in `chunks` pieces; with
 * `stream_format: "sse"`, `speech.audio.delta` events of base64 audio then `speech.audio.done` with usage.
 */
export function speechRoute(deps: OpenAIRouteDeps): Route {
  return async function speech({ req, res, call, body, isJson }) {
    const problem = validate(body, isJson);
    if (problem) return sendError(res, 400, problem);
    const request = body as {
      model: string;
      input: string;
      response_format?: SpeechFormat;
      speed?: number;
      stream_format?: string;
    };
    const sse = request.stream_format === 'sse';
    call.stream = sse;
    const behaviour = await openAIPrelude(deps, { req, res }, request.model, sse);
    if (!behaviour) return;

    const seconds = Math.min(60, Math.max(0.2, request.input.length / CHARS_PER_SECOND / (request.speed ?? 1)));
    const format = request.response_format ?? 'mp3';
    const audio = silentAudio(format, seconds);
    if (!sse) {
      const headers = baseHeaders(SPEECH_CONTENT_TYPES[format], behaviour.retryAfter);
      await sendBinary(res, call, headers, audio, behaviour);
      return;
    }
    // Each delta carries whole bytes, base64-encoded on their own.
    const count = Math.max(1, Math.min(behaviour.chunks ?? DEFAULT_CHUNKS, audio.length));
    const pieces = Array.from({ length: count }, (_, i) =>
      audio.subarray(Math.floor((i * audio.length) / count), Math.floor(((i + 1) * audio.length) / count)).toString('base64'),
    );
    const input = estimateTokens(request.input);
    const output = Math.ceil(seconds * 10);
    const usage = { input_tokens: input, output_tokens: output, total_tokens: input + output };
    const headers = baseHeaders('text/event-stream; charset=utf-8', behaviour.retryAfter);
    headers['cache-control'] = 'no-cache';
    await sendEventStream(
      res,
      call,
      {
        lead: [],
        deltas: pieces.map((piece) => ({ data: JSON.stringify({ type: 'speech.audio.delta', audio: piece }) })),
        tail: [{ data: JSON.stringify({ type: 'speech.audio.done', usage }) }],
      },
      {
        status: behaviour.status ?? 200,
        headers,
        framing: OPENAI_DATA_FRAMING,
        errorEvent: (status) => ({ data: errorBody(errorForStatus(status, request.model)) }),
      },
      behaviour,
    );
  };
}

function validate(body: unknown, isJson: boolean): OpenAIError | undefined {
  if (!isJson || !isRecord(body)) return invalidRequest(INVALID_JSON);
  const unknown = unknownKey(body, FIELDS);
  if (unknown) return unknown;
  if (body.model === undefined) return missingParameter('model');
  if (typeof body.model !== 'string') return invalidType('model', 'a string', body.model);
  if (body.input === undefined) return missingParameter('input');
  if (typeof body.input !== 'string') return invalidType('input', 'a string', body.input);
  if (body.input.length > MAX_INPUT) {
    return invalidRequest(
      `Invalid 'input': string too long. Expected a string with maximum length ${MAX_INPUT}, but got a string with length ${body.input.length} instead.`,
      'input',
      'string_above_max_length',
    );
  }
  if (body.voice === undefined) return missingParameter('voice');
  const voice = body.voice;
  const customVoice = isRecord(voice) && typeof voice.id === 'string';
  if (!customVoice && (typeof voice !== 'string' || !VOICES.includes(voice))) return invalidValue('voice', voice, VOICES);
  return (
    checkEnum(body, 'response_format', SPEECH_FORMATS) ??
    checkNumber(body, 'speed', 0.25, 4) ??
    checkEnum(body, 'stream_format', ['sse', 'audio']) ??
    (body.stream_format === 'sse' && String(body.model).startsWith('tts-1')
      ? invalidRequest(`stream_format 'sse' is not supported for model ${String(body.model)}.`, 'stream_format')
      : undefined)
  );
}
