// Media families end to end with the official `openai` client: images (JSON and multipart), speech (binary
// streamed back), transcription (multipart), videos (create, poll, download, delete) and a vendor task API,
// each through the whole stack and to the provider its model is pinned to; a model asked on an endpoint it
// does not serve gets 400 naming its endpoints.
import { APIError, toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_KEY, startHarness, type Harness } from './helpers/gateway.js';
import { ID_SECRET, mediaPolicy } from './helpers/media.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    mocks: ['alpha', 'beta'],
    policy: (ctx) => mediaPolicy(ctx),
    env: { E2E_ID_SECRET: ID_SECRET },
    mockOptions: { alpha: { jobSteps: { queuedMs: 30, runningMs: 60 } }, beta: { jobSteps: { queuedMs: 30, runningMs: 60 } } },
  });
});
afterAll(() => h?.close());
beforeEach(() => h.resetMocks());

describe('images', () => {
  it('generates through a route: the provider gets the pinned model, the client its images', async () => {
    const answer = await h.client.images.generate({ model: 'images', prompt: 'a lighthouse', n: 2, size: '1024x1024' });
    expect(answer.data).toHaveLength(2);
    const call = h.mocks.alpha!.calls.find((c) => c.path.endsWith('/images/generations'))!;
    expect(call.model).toBe('gpt-image-2');
    expect(call.headers.authorization).not.toContain(CLIENT_KEY);
  });

  it('edits an uploaded file, streamed to the provider with the model field rewritten', async () => {
    const { solidPng } = await import('@switchyard/mock-provider');
    const png = solidPng(256, 256);
    const answer = await h.client.images.edit({
      model: 'images',
      image: await toFile(png, 'in.png', { type: 'image/png' }),
      prompt: 'add a boat',
    });
    expect(answer.data?.length).toBe(1);
    const call = h.mocks.alpha!.calls.find((c) => c.path.endsWith('/images/edits'))!;
    expect(call.model).toBe('gpt-image-2');
    expect(call.upload?.files[0]?.bytes).toBe(png.length);
  });

  it('refuses a text model on the images endpoint with 400 naming its endpoints', async () => {
    const err = await h.client.images.generate({ model: 'gpt-4o-2024-08-06', prompt: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(400);
    expect((err as APIError).message).toMatch(/does not serve the images endpoint; it serves: chat, completions/);
  });

  it('refuses an image model on chat with 400 naming its endpoints', async () => {
    const err = await h.client.chat.completions
      .create({ model: 'gpt-image-2', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect((err as APIError).status).toBe(400);
    expect((err as APIError).message).toMatch(/it serves: images/);
  });
});

describe('rules on endpoint families', () => {
  it('one route serves images by default and speech by a rule on endpoint', async () => {
    const speech = await h.client.audio.speech.create({ model: 'studio', input: 'hi', voice: 'alloy' });
    expect(speech.headers.get('x-switchyard-route')).toBe('studio/speech');
    expect(speech.headers.get('x-switchyard-served-model')).toBe('tts-1');
    const image = await h.client.images.generate({ model: 'studio', prompt: 'a kite' }).withResponse();
    expect(image.response.headers.get('x-switchyard-route')).toBe('studio/default');
  });
});

describe('audio', () => {
  it('streams the speech answer back as the provider sent it', async () => {
    const answer = await h.client.audio.speech.create({
      model: 'tts-1',
      input: 'hello there',
      voice: 'alloy',
      response_format: 'wav',
    });
    const bytes = Buffer.from(await answer.arrayBuffer());
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(answer.headers.get('x-switchyard-served-model')).toBe('tts-1');
  });

  it('transcribes an uploaded file', async () => {
    const { silentWav } = await import('@switchyard/mock-provider');
    const wav = silentWav(2);
    const answer = await h.client.audio.transcriptions.create({
      model: 'whisper-1',
      file: await toFile(wav, 'a.wav', { type: 'audio/wav' }),
    });
    expect(typeof answer.text).toBe('string');
    const call = h.mocks.alpha!.calls.find((c) => c.path.endsWith('/audio/transcriptions'))!;
    expect(call.upload?.files[0]?.bytes).toBe(wav.length);
  });

  it('a multipart body without a model field is a 400', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(100)]), 'a.wav');
    const res = await fetch(`${h.url}/audio/transcriptions`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${CLIENT_KEY}` },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('missing_model');
  });
});

describe('multipart field order', () => {
  async function transcribe(fileBytes: number, modelFirst: boolean): Promise<Response> {
    const { silentWav } = await import('@switchyard/mock-provider');
    const form = new FormData();
    const file = new Blob([silentWav(fileBytes / 48_000)], { type: 'audio/wav' });
    if (modelFirst) form.append('model', 'whisper-1');
    form.append('file', file, 'a.wav');
    if (!modelFirst) form.append('model', 'whisper-1');
    return fetch(`${h.url}/audio/transcriptions`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${CLIENT_KEY}` },
    });
  }

  it('a model field after a small file is still found (within the first MiB)', async () => {
    const res = await transcribe(200_000, false);
    expect(res.status).toBe(200);
  });

  it('a model field after a file larger than a MiB is a clear 400, not a buffered upload', async () => {
    const res = await transcribe(3 * 1024 * 1024, false);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('model_field_too_late');
    expect(error.message).toMatch(/send "model" before the file/);
    expect(h.mocks.alpha!.calls).toHaveLength(0);
  });
});

describe('videos', () => {
  it('creates, polls until completed, downloads and deletes through gateway IDs', async () => {
    const created = await h.client.videos.create({ model: 'sora-2', prompt: 'waves', seconds: '4' });
    expect(created.id).toMatch(/^video_sy1\./);
    let video = created;
    for (let i = 0; i < 50 && video.status !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      video = await h.client.videos.retrieve(created.id);
    }
    expect(video.status).toBe('completed');
    expect(video.id).toBe(created.id);
    const content = await h.client.videos.downloadContent(created.id);
    expect((await content.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const own = h.mocks.alpha!.calls.find((c) => c.path.endsWith('/videos') && c.method === 'POST')!.mintedId!;
    expect(own).not.toBe(created.id);
    // The provider saw its own ID on every follow-up.
    const followUps = h.mocks.alpha!.callsFor(own).filter((c) => c.method !== 'POST');
    expect(followUps.length).toBeGreaterThanOrEqual(2);
    for (const call of followUps) expect(call.path).toContain(own);
    const deleted = await h.client.videos.delete(created.id);
    expect(deleted.deleted).toBe(true);
    // The same gateway ID the client holds: the provider's own never leaks.
    expect(deleted.id).toBe(created.id);
  });

  it('a tampered ID is a 404 in OpenAI shape, and nothing reaches a provider', async () => {
    const created = await h.client.videos.create({ model: 'sora-2', prompt: 'waves' });
    const last = created.id.at(-1) === 'A' ? 'B' : 'A';
    const tampered = created.id.slice(0, -1) + last;
    h.resetMocks();
    const err = await h.client.videos.retrieve(tampered).catch((e: unknown) => e);
    expect((err as APIError).status).toBe(404);
    expect((err as APIError).code).toBe('not_found');
    const forged = await h.client.videos.retrieve('video_123').catch((e: unknown) => e);
    expect((forged as APIError).status).toBe(404);
    expect(h.mocks.alpha!.calls).toHaveLength(0);
  });
});

describe('tasks', () => {
  it("creates a vendor task and polls it at the provider's own task path", async () => {
    const res = await fetch(`${h.url}/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'suno', prompt: 'a sea shanty', duration: 2 }),
    });
    expect(res.status).toBe(200);
    const created = (await res.json()) as { task_id: string; status: string };
    expect(created.task_id).toMatch(/^task_sy1\./);
    const poll = await fetch(`${h.url}/tasks/${created.task_id}`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } });
    expect(poll.status).toBe(200);
    const polled = (await poll.json()) as { task_id?: string; status: string };
    expect(['queued', 'in_progress', 'completed']).toContain(polled.status);
    const gets = h.mocks.alpha!.calls.filter((c) => c.method === 'GET');
    expect(gets[0]?.path).toMatch(/\/music\/tasks\/task_/);
  });
});
