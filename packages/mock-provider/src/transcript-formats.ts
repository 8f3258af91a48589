// The bodies a transcription or translation answers in, by `response_format`.
import { estimateTokens } from './chat-reply.js';

/** The `response_format` values of the transcription and translation endpoints. */
export const TRANSCRIPT_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const;

/** One of {@link TRANSCRIPT_FORMATS}. */
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/** What was heard, before it is shaped. */
export interface Transcript {
  readonly task: 'transcribe' | 'translate';
  readonly text: string;
  readonly seconds: number;
  readonly language: string;
  /** `whisper-1` bills by duration; the gpt-4o transcribers bill tokens. */
  readonly billing: 'duration' | 'tokens';
  /** Add `words` to `verbose_json` (`timestamp_granularities[]=word`). */
  readonly words: boolean;
}

/** A rendered answer: its content type and body. */
export interface TranscriptBody {
  readonly contentType: string;
  readonly body: string;
}

/** Renders `transcript` as `format`: JSON `{text, usage}`, plain text, SubRip, WebVTT or verbose JSON with segments. */
export function renderTranscript(transcript: Transcript, format: TranscriptFormat): TranscriptBody {
  const { text, seconds } = transcript;
  switch (format) {
    case 'text':
      return { contentType: 'text/plain; charset=utf-8', body: `${text}\n` };
    case 'srt':
      return { contentType: 'text/plain; charset=utf-8', body: `1\n${stamp(0, ',')} --> ${stamp(seconds, ',')}\n${text}\n\n` };
    case 'vtt':
      return {
        contentType: 'text/plain; charset=utf-8',
        body: `WEBVTT\n\n${stamp(0, '.')} --> ${stamp(seconds, '.')}\n${text}\n\n`,
      };
    case 'verbose_json':
      return json({
        task: transcript.task,
        language: transcript.language,
        duration: round(seconds),
        text,
        segments: [
          {
            id: 0,
            seek: 0,
            start: 0,
            end: round(seconds),
            text: ` ${text}`,
            tokens: [],
            temperature: 0,
            avg_logprob: -0.1,
            compression_ratio: 1,
            no_speech_prob: 0,
          },
        ],
        ...(transcript.words ? { words: words(text, seconds) } : {}),
        usage: usage(transcript),
      });
    case 'json':
      return json({ text, usage: usage(transcript) });
  }
}

/** The `usage` of an answer: seconds for `whisper-1`, tokens (about ten audio tokens a second) for the others. */
export function usage(transcript: Transcript): Record<string, unknown> {
  if (transcript.billing === 'duration') return { type: 'duration', seconds: Math.ceil(transcript.seconds) };
  const audio = Math.ceil(transcript.seconds * 10);
  const output = estimateTokens(transcript.text);
  return {
    type: 'tokens',
    input_tokens: audio,
    input_token_details: { text_tokens: 0, audio_tokens: audio },
    output_tokens: output,
    total_tokens: audio + output,
  };
}

function json(value: unknown): TranscriptBody {
  return { contentType: 'application/json', body: JSON.stringify(value) };
}

function words(text: string, seconds: number): Array<{ word: string; start: number; end: number }> {
  const list = text.split(/\s+/).filter(Boolean);
  const each = seconds / Math.max(1, list.length);
  return list.map((word, i) => ({ word, start: round(i * each), end: round((i + 1) * each) }));
}

// SubRip writes `00:00:01,500`, WebVTT `00:00:01.500`.
function stamp(seconds: number, separator: ',' | '.'): string {
  const ms = Math.round(seconds * 1000);
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
