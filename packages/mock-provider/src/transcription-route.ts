import { sendBody } from './body-send.js';
import { OPENAI_DATA_FRAMING } from './completions-route.js';
import { errorBody, errorForStatus, invalidRequest, type OpenAIError } from './errors.js';
import { sendEventStream } from './event-stream.js';
import { field, type FilePart, type MultipartForm, readMultipart, recordUpload } from './multipart.js';
import { invalidValue, missingParameter, unknownParameter } from './openai-params.js';
import { openAIPrelude, type OpenAIRouteDeps } from './openai-prelude.js';
import { baseHeaders, sendError } from './respond.js';
import type { Route } from './router.js';
import { renderTranscript, TRANSCRIPT_FORMATS, type Transcript, type TranscriptFormat, usage } from './transcript-formats.js';
import { wavDuration } from './wav.js';

const TRANSCRIBE_FIELDS: ReadonlySet<string> = new Set([
  'file',
  'model',
  'language',
  'prompt',
  'response_format',
  'temperature',
  'timestamp_granularities[]',
  'include[]',
  'stream',
  'chunking_strategy',
  'known_speaker_names[]',
  'known_speaker_references[]',
]);
const TRANSLATE_FIELDS: ReadonlySet<string> = new Set(['file', 'model', 'prompt', 'response_format', 'temperature']);
const EXTENSIONS = ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm'];
// Whisper's limit: 25 MiB.
const AUDIO_LIMIT_BYTES = 25 * 1024 * 1024;
// Without a readable WAV header, the duration is read from the size as if the audio were 128 kb/s.
const ASSUMED_BYTES_PER_SECOND = 16_000;
const DEFAULT_CHUNKS = 4;

/**
 * `POST /v1/audio/transcriptions` and `/v1/audio/translations` (multipart with `file` and `model`). The duration
 * comes from a WAV header when the file has one, else from its size at 128 kb/s; it sets `usage` (seconds for
 * `whisper-1`, tokens for the gpt-4o transcribers) and the timestamps of `srt`, `vtt` and `verbose_json`.
 */
export function transcriptionRoute(deps: OpenAIRouteDeps, task: 'transcribe' | 'translate'): Route {
  return async function transcription({ req, res, call }) {
    const read = await readMultipart(req, { fileBytes: deps.config.uploadLimitBytes ?? AUDIO_LIMIT_BYTES });
    if (!read.ok) return sendError(res, read.status, invalidRequest(read.message));
    const { form } = read;
    recordUpload(call, form);
    const checked = check(form, task);
    if ('message' in checked) return sendError(res, 400, checked);
    const { file, model, format } = checked;
    const streaming = task === 'transcribe' && field(form, 'stream') === 'true' && model !== 'whisper-1';
    const behaviour = await openAIPrelude(deps, { req, res }, model, streaming);
    if (!behaviour) return;

    const seconds = wavDuration(file.head, file.bytes) ?? file.bytes / ASSUMED_BYTES_PER_SECOND;
    const verb = task === 'transcribe' ? 'transcription' : 'translation';
    const granularities = form.fields['timestamp_granularities[]'];
    const transcript: Transcript = {
      task,
      text: `Mock ${verb} of ${file.filename ?? 'audio'}.`,
      seconds,
      language: task === 'translate' ? 'english' : (field(form, 'language') ?? 'english'),
      billing: model === 'whisper-1' ? 'duration' : 'tokens',
      words: granularities === 'word' || (Array.isArray(granularities) && granularities.includes('word')),
    };
    if (!streaming) {
      const rendered = renderTranscript(transcript, format);
      sendBody(res, call, baseHeaders(rendered.contentType, behaviour.retryAfter), rendered.body, behaviour);
      return;
    }
    const words = transcript.text.split(' ');
    const count = Math.min(behaviour.chunks ?? DEFAULT_CHUNKS, words.length);
    const deltas = Array.from({ length: count }, (_, i) => {
      const piece = words.slice(Math.floor((i * words.length) / count), Math.floor(((i + 1) * words.length) / count)).join(' ');
      return { data: JSON.stringify({ type: 'transcript.text.delta', delta: i === 0 ? piece : ` ${piece}` }) };
    });
    const done = { data: JSON.stringify({ type: 'transcript.text.done', text: transcript.text, usage: usage(transcript) }) };
    const headers = baseHeaders('text/event-stream; charset=utf-8', behaviour.retryAfter);
    headers['cache-control'] = 'no-cache';
    await sendEventStream(
      res,
      call,
      { lead: [], deltas, tail: [done] },
      {
        status: behaviour.status ?? 200,
        headers,
        framing: OPENAI_DATA_FRAMING,
        errorEvent: (status) => ({ data: errorBody(errorForStatus(status, model)) }),
      },
      behaviour,
    );
  };
}

function check(
  form: MultipartForm,
  task: 'transcribe' | 'translate',
): { file: FilePart; model: string; format: TranscriptFormat } | OpenAIError {
  const known = task === 'transcribe' ? TRANSCRIBE_FIELDS : TRANSLATE_FIELDS;
  const names = [...Object.keys(form.fields), ...form.files.map((file) => file.field)];
  const unknown = names.find((name) => !known.has(name));
  if (unknown !== undefined) return unknownParameter(unknown);
  const file = form.files.find((part) => part.field === 'file');
  if (!file) return missingParameter('file');
  const model = field(form, 'model');
  if (model === undefined) return missingParameter('model');
  if (task === 'translate' && model !== 'whisper-1') return invalidValue('model', model, ['whisper-1']);
  const extension = file.filename?.split('.').pop()?.toLowerCase() ?? '';
  if (!EXTENSIONS.includes(extension)) {
    return invalidRequest(
      `Invalid file format. Supported formats: [${EXTENSIONS.map((name) => `'${name}'`).join(', ')}]`,
      'file',
    );
  }
  const format = field(form, 'response_format') ?? 'json';
  const allowed: readonly string[] = model === 'whisper-1' ? TRANSCRIPT_FORMATS : ['json', 'text'];
  if (!allowed.includes(format)) return invalidValue('response_format', format, allowed);
  return { file, model, format: format as TranscriptFormat };
}
