// Budget for media: an image batch (n: 4) reserves its worst case at the policy's per-image price and settles
// at it; a video settles at creation from its seconds, its polls cost nothing; a media model without a price
// for what it makes is refused as unbounded under hard_stop.
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBudgetGateway, type BudgetGateway } from './helpers/budget-gateway.js';
import { ID_SECRET } from './helpers/media.js';

const KEY = 'sk-media-budget-provider';
let mock: MockProvider;
let g: BudgetGateway;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockProvider({ port: 0, apiKeys: [KEY], jobSteps: { queuedMs: 10, runningMs: 20 } });
  g = await startBudgetGateway({
    env: { MEDIA_KEY: KEY, MEDIA_ID_SECRET: ID_SECRET },
    yaml: `version: 1
ids: { secret: { env: MEDIA_ID_SECRET } }
providers:
  media: { format: openai, base_url: ${mock.url}, credentials: [{ env: MEDIA_KEY }] }
models:
  gpt-image-2: { provider: media, endpoints: [images], price: { image: { "1024x1024/high": 0.25, "1024x1024": 0.04, default: 0.1 } } }
  sora-2: { provider: media, endpoints: [videos], price: { video_second: 0.1 } }
  tts-1: { provider: media, endpoints: [audio], price: { transcription_minute: 0.006 } }
  whisper-1: { provider: media, endpoints: [audio], price: { transcription_minute: 0.006 } }
budgets:
  owners:
    default: { monthly_usd: 100, hard_stop: true }
`,
  });
  client = new OpenAI({ baseURL: g.url, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await g?.close();
  await mock?.close();
});

describe('media budget', () => {
  it('an n: 4 image batch reserves 4 × the size/quality price and settles at it', async () => {
    const before = (await g.compiled.budget.spend('default')).spendUsd;
    const answer = await client.images
      .generate({ model: 'gpt-image-2', prompt: 'kites', n: 4, size: '1024x1024', quality: 'high' })
      .withResponse();
    expect(answer.data.data).toHaveLength(4);
    const record = await g.lastRecord();
    expect(record.budget?.estimateUsd).toBeCloseTo(1.0, 9);
    expect(record.costUsd).toBeCloseTo(1.0, 9);
    expect(Number(answer.response.headers.get('x-switchyard-cost-usd'))).toBeCloseTo(1.0, 9);
    expect(record.events.find((e) => e.name === 'switchyard.budget.settled')?.attributes).toMatchObject({
      basis: 'media_request',
    });
    const after = await g.compiled.budget.spend('default');
    expect(after.spendUsd - before).toBeCloseTo(1.0, 9);
    expect(after.reservedUsd).toBe(0);
  });

  it('a size with no price of its own falls back to default', async () => {
    await client.images.generate({ model: 'gpt-image-2', prompt: 'kites', n: 2, size: '1536x1024' });
    expect((await g.lastRecord()).costUsd).toBeCloseTo(0.2, 9);
  });

  it('a video settles at creation from its seconds; polling it costs nothing', async () => {
    const before = (await g.compiled.budget.spend('default')).spendUsd;
    const video = await client.videos.create({ model: 'sora-2', prompt: 'rain', seconds: '8' });
    expect((await g.lastRecord()).costUsd).toBeCloseTo(0.8, 9);
    await client.videos.retrieve(video.id);
    const poll = await g.lastRecord();
    expect(poll.costUsd ?? 0).toBe(0);
    expect(poll.task).toMatchObject({ id: video.id, action: 'get', provider: 'media', model: 'sora-2' });
    expect((await g.compiled.budget.spend('default')).spendUsd - before).toBeCloseTo(0.8, 9);
  });

  it('a media model without a price for what it makes is refused under hard_stop', async () => {
    const err = await client.audio.speech.create({ model: 'tts-1', input: 'hi', voice: 'alloy' }).catch((e: unknown) => e);
    expect((err as { status: number }).status).toBe(400);
    expect(mock.calls.some((c) => c.path.endsWith('/audio/speech'))).toBe(false);
  });
});

describe('transcription budget', () => {
  it('reserves from the upload size and settles at the audio length the answer reported', async () => {
    const { silentWav } = await import('@switchyard/mock-provider');
    const { toFile } = await import('openai');
    const wav = silentWav(30);
    const answer = await client.audio.transcriptions
      .create({ model: 'whisper-1', file: await toFile(wav, 'a.wav', { type: 'audio/wav' }) })
      .withResponse();
    expect(typeof answer.data.text).toBe('string');
    const record = await g.lastRecord();
    // 1.44 MB at 16 000 B/s is 90 s: two minutes reserved.
    expect(record.budget?.estimateUsd).toBeCloseTo(2 * 0.006, 9);
    expect(record.mediaUsage?.seconds).toBeCloseTo(30, 0);
    expect(record.costUsd).toBeCloseTo((record.mediaUsage!.seconds! / 60) * 0.006, 9);
    expect(Number(answer.response.headers.get('x-switchyard-cost-usd'))).toBeCloseTo(record.costUsd!, 6);
  });
});
