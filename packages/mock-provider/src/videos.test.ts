import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockProvider } from './index.js';
import { solidPng } from './png.js';
import { jsonOf, postJson } from '../test/utils.js';
import type { MockProvider } from './types.js';
import { wavDuration } from './wav.js';

const KEY = 'sk-video';
const auth = { authorization: `Bearer ${KEY}` };
const START = 1_700_000_000_000;

describe('OpenAI videos API', () => {
  let mock: MockProvider;
  let now = START;
  let client: OpenAI;
  beforeAll(async () => {
    mock = await startMockProvider({ apiKeys: [KEY], clock: () => now, jobSteps: { queuedMs: 1000, runningMs: 4000 } });
    client = new OpenAI({ baseURL: mock.url, apiKey: KEY, maxRetries: 0 });
  });
  afterAll(() => mock.close());
  beforeEach(() => {
    mock.reset();
    now = START;
  });
  const get = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${mock.url}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });

  it('should mint a queued video with the SDK (multipart) and record the fields and its ID', async () => {
    const video = await client.videos.create({
      prompt: 'a cat on a skateboard',
      model: 'sora-2-pro',
      seconds: '8',
      size: '1792x1024',
    });
    expect(video).toMatchObject({
      object: 'video',
      status: 'queued',
      progress: 0,
      model: 'sora-2-pro',
      seconds: '8',
      size: '1792x1024',
      prompt: 'a cat on a skateboard',
      created_at: START / 1000,
      completed_at: null,
      error: null,
      remixed_from_video_id: null,
    });
    expect(video.id).toMatch(/^video_/);
    expect(mock.calls[0]).toMatchObject({ model: 'sora-2-pro', mintedId: video.id, body: { seconds: '8' } });
  });

  it('should take a JSON body too, with defaults', async () => {
    const video = await jsonOf(postJson(mock, '/videos', { prompt: 'waves' }, { headers: auth }));
    expect(video).toMatchObject({ model: 'sora-2', seconds: '4', size: '720x1280', status: 'queued' });
  });

  it('should move queued → in_progress → completed over the phase times, then serve the content', async () => {
    const { id } = await client.videos.create({ prompt: 'p' });
    now = START + 999;
    expect(await client.videos.retrieve(id)).toMatchObject({ status: 'queued', progress: 0 });
    now = START + 3000;
    expect(await client.videos.retrieve(id)).toMatchObject({ status: 'in_progress', progress: 50 });
    const early = await get(`/videos/${id}/content`);
    expect(early.status).toBe(404);
    expect((await jsonOf(early)).error.message).toBe(`Video is not ready yet, use GET /v1/videos/${id} to check status.`);
    now = START + 5000;
    const done = await client.videos.retrieve(id);
    expect(done).toMatchObject({
      status: 'completed',
      progress: 100,
      completed_at: (START + 5000) / 1000,
      expires_at: (START + 5000) / 1000 + 86_400,
    });

    const mp4 = Buffer.from(await (await client.videos.downloadContent(id)).arrayBuffer());
    expect(mp4.toString('latin1', 4, 8)).toBe('ftyp');
    const thumbnail = await get(`/videos/${id}/content?variant=thumbnail`);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(Buffer.from(await thumbnail.arrayBuffer()).toString('latin1', 8, 12)).toBe('WEBP');
    const sprites = await get(`/videos/${id}/content?variant=spritesheet`);
    expect(
      Buffer.from(await sprites.arrayBuffer())
        .subarray(0, 2)
        .toString('hex'),
    ).toBe('ffd8');
    const bad = await get(`/videos/${id}/content?variant=gif`);
    expect((await jsonOf(bad)).error).toMatchObject({ param: 'variant', code: 'invalid_value' });

    expect(mock.callsFor(id).map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([
      'POST /v1/videos 200',
      `GET /v1/videos/${id} 200`,
      `GET /v1/videos/${id} 200`,
      `GET /v1/videos/${id}/content 404`,
      `GET /v1/videos/${id} 200`,
      `GET /v1/videos/${id}/content 200`,
      `GET /v1/videos/${id}/content 200`,
      `GET /v1/videos/${id}/content 200`,
    ]);
  });

  it('should fail a job scripted to fail, per request header or per model', async () => {
    const byHeader = await jsonOf(
      postJson(mock, '/videos', { prompt: 'p' }, { headers: { ...auth, 'x-mock-job-failure': 'moderation_blocked' } }),
    );
    mock.script('sora-2-pro', { jobFailure: 'internal_error', jobQueuedMs: 0, jobRunningMs: 10 });
    const byScript = await client.videos.create({ prompt: 'p', model: 'sora-2-pro' });
    now = START + 20;
    expect(await client.videos.retrieve(byScript.id)).toMatchObject({ status: 'failed', error: { code: 'internal_error' } });
    expect(await client.videos.retrieve(byHeader.id)).toMatchObject({ status: 'queued' });
    now = START + 5000;
    expect(await client.videos.retrieve(byHeader.id)).toMatchObject({ status: 'failed', error: { code: 'moderation_blocked' } });
    expect((await get(`/videos/${byHeader.id}/content`)).status).toBe(404);
  });

  it('should remix a completed video into a new one that names its source', async () => {
    const source = await client.videos.create({ prompt: 'a cat', seconds: '12' });
    const early = await postJson(mock, `/videos/${source.id}/remix`, { prompt: 'a dog' }, { headers: auth });
    expect(early.status).toBe(400);
    now = START + 5000;
    const remix = await client.videos.remix(source.id, { prompt: 'a dog' });
    expect(remix).toMatchObject({ status: 'queued', prompt: 'a dog', seconds: '12', remixed_from_video_id: source.id });
    expect(remix.id).not.toBe(source.id);
    expect(mock.calls.at(-1)).toMatchObject({ referencedId: source.id, mintedId: remix.id });
  });

  it('should list, delete and forget videos', async () => {
    const first = await client.videos.create({ prompt: 'one' });
    const second = await client.videos.create({ prompt: 'two' });
    const list = await jsonOf(get('/videos'));
    expect(list).toMatchObject({ object: 'list', first_id: second.id, last_id: first.id, has_more: false });
    expect(await client.videos.delete(first.id)).toEqual({ id: first.id, object: 'video.deleted', deleted: true });
    expect((await get(`/videos/${first.id}`)).status).toBe(404);
    mock.reset();
    expect((await get(`/videos/${second.id}`)).status).toBe(404);
  });

  it.each([
    ['GET', (id: string) => `/videos/${id}`],
    ['DELETE', (id: string) => `/videos/${id}`],
    ['GET', (id: string) => `/videos/${id}/content`],
  ])('should answer %s of an unknown ID with a 404 in OpenAI shape and record the ID', async (method, path) => {
    const res = await get(path('video_elsewhere'), { method });
    expect(res.status).toBe(404);
    expect((await jsonOf(res)).error).toEqual({
      message: "Video with id 'video_elsewhere' not found.",
      type: 'invalid_request_error',
      param: null,
      code: 'video_not_found',
    });
    expect(mock.calls[0]?.referencedId).toBe('video_elsewhere');
  });

  it('should play the script of the video model on follow-ups', async () => {
    mock.script('sora-2', [{}, { status: 503, retryAfter: '2' }, {}]);
    const { id } = await client.videos.create({ prompt: 'p' });
    const failed = await get(`/videos/${id}`);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('2');
    expect((await get(`/videos/${id}`)).status).toBe(200);
  });

  it.each([
    [{ prompt: 'p', seconds: '5' }, 'seconds', 'invalid_value'],
    [{ prompt: 'p', seconds: 8 }, 'seconds', 'invalid_type'],
    [{ prompt: 'p', size: '1792x1024' }, 'size', 'invalid_value'],
    [{ seconds: '4' }, 'prompt', 'missing_required_parameter'],
    [{ prompt: 'p', duration: 4 }, 'duration', 'unknown_parameter'],
  ])('should refuse %j', async (body, param, code) => {
    const res = await postJson(mock, '/videos', body, { headers: auth });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error).toMatchObject({ param, code });
  });

  it('should take an image input_reference and refuse other files', async () => {
    const ok = await client.videos.create({ prompt: 'p', input_reference: await toFile(solidPng(4, 4), 'ref.png') });
    expect(ok.status).toBe('queued');
    expect(mock.calls[0]?.upload?.files[0]).toMatchObject({ field: 'input_reference', filename: 'ref.png' });
    await expect(
      client.videos.create({ prompt: 'p', input_reference: await toFile(Buffer.from('text'), 'ref.txt') }),
    ).rejects.toThrow(/unsupported mimetype/);
  });

  it('should check the key', async () => {
    expect((await postJson(mock, '/videos', { prompt: 'p' })).status).toBe(401);
    expect((await fetch(`${mock.url}/videos/video_x`)).status).toBe(401);
  });
});

describe('generic vendor task API', () => {
  let now = START;
  const clock = (): number => now;

  it('should queue a task, then answer its audio URL and duration once done', async () => {
    const mock = await startMockProvider({ clock, jobSteps: { queuedMs: 100, runningMs: 100 } });
    try {
      now = START;
      const created = await jsonOf(postJson(mock, '/music/generate', { model: 'suno-v4', prompt: 'a jingle', duration: 3 }));
      expect(created).toEqual({ task_id: expect.stringMatching(/^task_/), status: 'queued' });
      const poll = (): Promise<any> => jsonOf(fetch(`${mock.url}/music/tasks/${created.task_id}`));
      now = START + 150;
      expect(await poll()).toMatchObject({ status: 'in_progress', progress: 50, model: 'suno-v4' });
      now = START + 200;
      const done = await poll();
      expect(done).toMatchObject({
        status: 'completed',
        duration: 3,
        audio_url: `${mock.url}/mock-media/${created.task_id}.wav`,
      });
      expect((await poll()).audio_url).toBe(done.audio_url);
      const wav = Buffer.from(await (await fetch(done.audio_url)).arrayBuffer());
      expect(wavDuration(wav, wav.length)).toBe(3);
      expect(mock.callsFor(created.task_id).map((call) => call.method)).toEqual(['POST', 'GET', 'GET', 'GET']);
      mock.reset();
      expect((await fetch(`${mock.url}/music/tasks/${created.task_id}`)).status).toBe(404);
      expect((await fetch(done.audio_url)).status).toBe(404);
    } finally {
      await mock.close();
    }
  });

  it('should serve configured paths, fail scripted tasks and 404 unknown ones', async () => {
    const mock = await startMockProvider({
      clock,
      taskPaths: { create: '/api/generate', get: '/api/tasks/{id}/status' },
      apiKeys: [KEY],
    });
    try {
      now = START;
      const headers = { ...auth, 'x-mock-job-failure': 'quota' };
      const created = await jsonOf(fetch(`${mock.origin}/api/generate`, { method: 'POST', headers, body: '{"prompt":"x"}' }));
      now = START + 1000;
      const failed = await jsonOf(fetch(`${mock.origin}/api/tasks/${created.task_id}/status`, { headers: auth }));
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'quota' } });
      const unknown = await fetch(`${mock.origin}/api/tasks/task_nope/status`, { headers: auth });
      expect(unknown.status).toBe(404);
      expect((await jsonOf(unknown)).error.code).toBe('task_not_found');
      expect((await fetch(`${mock.origin}/v1/music/generate`, { method: 'POST', headers: auth, body: '{}' })).status).toBe(404);
      const noPrompt = await fetch(`${mock.origin}/api/generate`, { method: 'POST', headers: auth, body: '{}' });
      expect((await jsonOf(noPrompt)).error.code).toBe('missing_required_parameter');
    } finally {
      await mock.close();
    }
  });

  it('should refuse task paths without {id}', async () => {
    await expect(startMockProvider({ taskPaths: { create: '/a', get: '/b' } })).rejects.toThrow(/taskPaths/);
  });
});
