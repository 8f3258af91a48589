import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SPEECH_FORMATS, silentAudio } from './audio-formats.js';
import { startMockProvider } from './index.js';
import { jsonOf, postJson, postMultipartStream, sseData } from '../test/utils.js';
import type { MockProvider } from './types.js';
import { silentWav, wavDuration } from './wav.js';

const KEY = 'sk-audio';
const auth = { authorization: `Bearer ${KEY}` };
const speech = { model: 'gpt-4o-mini-tts', input: 'The quick brown fox jumps over the lazy dog.', voice: 'alloy' };

describe('POST /v1/audio/speech', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ apiKeys: [KEY] });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());

  it('should answer a valid WAV of about a second per fifteen characters, in several chunks', async () => {
    const res = await postJson(
      mock,
      '/audio/speech',
      { ...speech, response_format: 'wav' },
      { headers: { ...auth, 'x-mock-chunks': '5' } },
    );
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const reader = res.body!.getReader();
    const pieces: Uint8Array[] = [];
    for (let read = await reader.read(); !read.done; read = await reader.read()) pieces.push(read.value);
    const wav = Buffer.concat(pieces);
    expect(wavDuration(wav, wav.length)).toBeCloseTo(speech.input.length / 15, 3);
    expect(mock.calls[0]).toMatchObject({ model: 'gpt-4o-mini-tts', status: 200, outcome: 'completed' });
  });

  it.each(SPEECH_FORMATS.map((format) => [format]))('should answer %s with its content type and signature', async (format) => {
    const res = await postJson(mock, '/audio/speech', { ...speech, response_format: format }, { headers: auth });
    const bytes = Buffer.from(await res.arrayBuffer());
    const signatures: Record<string, string> = { mp3: 'fffb', opus: '4f676753', aac: 'fff1', flac: '664c6143', wav: '52494646' };
    expect(res.headers.get('content-type')).toMatch(/^audio\//);
    if (signatures[format]) expect(bytes.toString('hex').startsWith(signatures[format])).toBe(true);
    expect(bytes).toEqual(silentAudio(format, speech.input.length / 15));
  });

  it('should default to mp3 and honour speed', async () => {
    const slow = Buffer.from(
      await (await postJson(mock, '/audio/speech', { ...speech, speed: 0.5 }, { headers: auth })).arrayBuffer(),
    );
    const normal = Buffer.from(await (await postJson(mock, '/audio/speech', speech, { headers: auth })).arrayBuffer());
    expect(normal.subarray(0, 2).toString('hex')).toBe('fffb');
    expect(slow.length).toBeGreaterThan(normal.length * 1.9);
  });

  it('should stream speech.audio.delta events and speech.audio.done with usage for stream_format sse', async () => {
    const res = await postJson(
      mock,
      '/audio/speech',
      { ...speech, response_format: 'pcm', stream_format: 'sse' },
      { headers: auth },
    );
    const events = sseData(await res.text()).map((line) => JSON.parse(line));
    expect(events.at(-1)).toMatchObject({ type: 'speech.audio.done', usage: { input_tokens: 11 } });
    const audio = Buffer.concat(events.slice(0, -1).map((event) => Buffer.from(event.audio, 'base64')));
    expect(audio).toEqual(silentAudio('pcm', speech.input.length / 15));
  });

  it('should cut the audio after n chunks on a drop', async () => {
    const res = await postJson(mock, '/audio/speech', speech, { headers: { ...auth, 'x-mock-drop-after-chunks': '2' } });
    await expect(res.arrayBuffer()).rejects.toThrow();
    await vi.waitFor(() => expect(mock.calls[0]?.outcome).toBe('error'));
  });

  it.each([
    [{ ...speech, voice: 'robot' }, 'voice', 'invalid_value'],
    [{ ...speech, voice: undefined }, 'voice', 'missing_required_parameter'],
    [{ ...speech, input: 'x'.repeat(4097) }, 'input', 'string_above_max_length'],
    [{ ...speech, response_format: 'ogg' }, 'response_format', 'invalid_value'],
    [{ ...speech, speed: 5 }, 'speed', 'integer_above_max_value'],
    [{ ...speech, messages: [] }, 'messages', 'unknown_parameter'],
  ])('should refuse %j', async (body, param, code) => {
    const res = await postJson(mock, '/audio/speech', body, { headers: auth });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error).toMatchObject({ param, code });
  });

  it('should work with the openai client', async () => {
    const client = new OpenAI({ baseURL: mock.url, apiKey: KEY, maxRetries: 0 });
    const res = await client.audio.speech.create({
      model: 'tts-1',
      input: 'hello there',
      voice: 'nova',
      response_format: 'flac',
    });
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(0, 4)
        .toString('latin1'),
    ).toBe('fLaC');
  });
});

describe('POST /v1/audio/transcriptions and /translations', () => {
  let mock: MockProvider;
  beforeAll(async () => {
    mock = await startMockProvider({ apiKeys: [KEY] });
  });
  afterAll(() => mock.close());
  beforeEach(() => mock.reset());
  const client = (): OpenAI => new OpenAI({ baseURL: mock.url, apiKey: KEY, maxRetries: 0 });

  it('should transcribe a WAV, bill whisper-1 by the seconds in its header and record the upload', async () => {
    const wav = silentWav(3.2, 16_000);
    const result = await client().audio.transcriptions.create({ model: 'whisper-1', file: await toFile(wav, 'talk.wav') });
    expect(result).toEqual({ text: 'Mock transcription of talk.wav.', usage: { type: 'duration', seconds: 4 } });
    expect(mock.calls[0]?.upload).toMatchObject({
      fields: { model: 'whisper-1' },
      files: [{ field: 'file', filename: 'talk.wav', bytes: wav.length }],
    });
  });

  it('should estimate the duration of other audio from its size, and bill gpt-4o transcribers in tokens', async () => {
    const mp3 = Buffer.alloc(48_000, 0);
    const result = await client().audio.transcriptions.create({ model: 'gpt-4o-transcribe', file: await toFile(mp3, 'a.mp3') });
    expect(result.usage).toEqual({
      type: 'tokens',
      input_tokens: 30,
      input_token_details: { text_tokens: 0, audio_tokens: 30 },
      output_tokens: 7,
      total_tokens: 37,
    });
  });

  it('should answer verbose_json with the duration, segments and words', async () => {
    const result = await client().audio.transcriptions.create({
      model: 'whisper-1',
      file: await toFile(silentWav(2.5), 'x.wav'),
      response_format: 'verbose_json',
      timestamp_granularities: ['word', 'segment'],
    });
    expect(result).toMatchObject({ task: 'transcribe', language: 'english', duration: 2.5, segments: [{ start: 0, end: 2.5 }] });
    expect(result.words?.at(-1)?.end).toBe(2.5);
  });

  it.each([
    ['text', 'Mock transcription of x.wav.\n'],
    ['srt', '1\n00:00:00,000 --> 00:00:01,500\nMock transcription of x.wav.\n\n'],
    ['vtt', 'WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nMock transcription of x.wav.\n\n'],
  ])('should answer %s as text', async (format, expected) => {
    const data = new FormData();
    data.append('model', 'whisper-1');
    data.append('response_format', format);
    data.append('file', new Blob([silentWav(1.5)]), 'x.wav');
    const res = await fetch(`${mock.url}/audio/transcriptions`, { method: 'POST', headers: auth, body: data });
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe(expected);
  });

  it('should stream transcript.text.delta events for a gpt-4o transcriber', async () => {
    const stream = await client().audio.transcriptions.create({
      model: 'gpt-4o-mini-transcribe',
      file: await toFile(silentWav(1), 'x.wav'),
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'transcript.text.delta') text += event.delta;
    }
    expect(types.at(-1)).toBe('transcript.text.done');
    expect(text).toBe('Mock transcription of x.wav.');
  });

  it('should translate with whisper-1 only', async () => {
    const result = await client().audio.translations.create({ model: 'whisper-1', file: await toFile(silentWav(1), 'fr.wav') });
    expect(result.text).toBe('Mock translation of fr.wav.');
    await expect(
      client().audio.translations.create({ model: 'gpt-4o-transcribe', file: await toFile(silentWav(1), 'fr.wav') }),
    ).rejects.toThrow(/Supported values are: 'whisper-1'/);
  });

  it.each([
    [
      'a file of an unknown format',
      { model: 'whisper-1' },
      'notes.txt',
      "Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']",
    ],
    ['no model', {}, 'a.wav', "Missing required parameter: 'model'."],
    [
      'srt from a gpt-4o transcriber',
      { model: 'gpt-4o-transcribe', response_format: 'srt' },
      'a.wav',
      "Invalid value: 'srt'. Supported values are: 'json' and 'text'.",
    ],
  ])('should refuse %s', async (_name, fields, filename, message) => {
    const data = new FormData();
    for (const [name, value] of Object.entries(fields)) data.append(name, value);
    data.append('file', new Blob([silentWav(1)]), filename);
    const res = await fetch(`${mock.url}/audio/transcriptions`, { method: 'POST', headers: auth, body: data });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error.message).toBe(message);
  });

  it('should take a 25 MiB file and refuse one byte more with 413', async () => {
    const limit = 25 * 1024 * 1024;
    const head = Buffer.from(silentWav(0.01, 16_000).subarray(0, 44));
    head.writeUInt32LE(0xffffffff, 40); // a streaming writer's "unknown" data size
    const file = { field: 'file', filename: 'long.wav', contentType: 'audio/wav', head, size: limit };
    const ok = await postMultipartStream(`${mock.url}/audio/transcriptions`, { model: 'whisper-1' }, file, auth);
    expect(ok.status).toBe(200);
    // The header's data size is a placeholder; the duration comes from the bytes that followed it.
    expect(JSON.parse(ok.text).usage.seconds).toBe(Math.ceil((limit - 44) / 32_000));
    const over = await postMultipartStream(
      `${mock.url}/audio/transcriptions`,
      { model: 'whisper-1' },
      { ...file, size: limit + 1 },
      auth,
    );
    expect(over.status).toBe(413);
  });
});

describe('audio payloads', () => {
  it('should read back the duration of any silent WAV it makes', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        fc.constantFrom(8000, 16_000, 24_000, 44_100),
        (seconds, rate) => {
          const wav = silentWav(seconds, rate);
          expect(wavDuration(wav, wav.length)).toBeCloseTo(Math.max(1, Math.round(seconds * rate)) / rate, 9);
          expect(wavDuration(wav.subarray(0, 44), wav.length)).toBe(wavDuration(wav, wav.length));
        },
      ),
    );
  });

  it('should find no duration in bytes that are not a WAV', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => wavDuration(Buffer.from(bytes), bytes.length) === undefined),
    );
  });

  const ffmpeg = (() => {
    try {
      execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!ffmpeg).each(SPEECH_FORMATS.filter((format) => format !== 'pcm'))(
    'should decode %s without errors (ffmpeg, when installed)',
    (format) => {
      const dir = mkdtempSync(join(tmpdir(), 'mock-audio-'));
      const path = join(dir, `speech.${format === 'opus' ? 'ogg' : format}`);
      writeFileSync(path, silentAudio(format, 1.2));
      const errors = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(errors).toBe('');
    },
  );
});
