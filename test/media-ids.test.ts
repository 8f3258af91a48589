// Provider-minted IDs come home: a video created through one gateway instance is polled through another
// (no shared state) at the provider that minted it, and keeps going there after a policy edit moves its model;
// Responses IDs carry `previous_response_id` to the provider that stored the response; the provider always sees
// its own ID; a policy that serves videos or tasks without an ID key does not load.
import { serve, type RunningGateway } from '@switchyard/cli';
import OpenAI, { type APIError } from 'openai';
import { compilePolicy, parsePolicy } from 'switchyard';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CLIENT_KEY,
  POLICY_FILE_NAME,
  providerEnv,
  providerKey,
  startHarness,
  type Harness,
  type PolicyContext,
} from './helpers/gateway.js';
import { ID_SECRET, mediaPolicy } from './helpers/media.js';

let h: Harness;
let ctx: PolicyContext;
const others: RunningGateway[] = [];
const env = (): Record<string, string> => ({
  E2E_ID_SECRET: ID_SECRET,
  [providerEnv('alpha')]: providerKey('alpha'),
  [providerEnv('beta')]: providerKey('beta'),
});

/** Another gateway instance on its own port, from its own policy text. */
async function instance(yaml: string): Promise<OpenAI> {
  const gateway = await serve(compilePolicy(parsePolicy(yaml, POLICY_FILE_NAME, { env: env() })), { port: 0, host: '127.0.0.1' });
  others.push(gateway);
  return new OpenAI({ baseURL: gateway.url, apiKey: CLIENT_KEY, maxRetries: 0, timeout: 10_000 });
}

beforeAll(async () => {
  h = await startHarness({
    mocks: ['alpha', 'beta'],
    policy: (c) => {
      ctx = c;
      return mediaPolicy(c);
    },
    env: { E2E_ID_SECRET: ID_SECRET },
  });
});
afterAll(async () => {
  await Promise.all(others.map((g) => g.close(100)));
  await h?.close();
});
beforeEach(() => h.resetMocks());

describe('video IDs', () => {
  it('a video created through one instance is polled through another at the minting provider', async () => {
    const second = await instance(h.yaml);
    const created = await h.client.videos.create({ model: 'sora-2', prompt: 'tide' });
    const polled = await second.videos.retrieve(created.id);
    expect(polled.id).toBe(created.id);
    const own = h.mocks.alpha!.calls.find((c) => c.method === 'POST')!.mintedId!;
    expect(h.mocks.alpha!.callsFor(own).map((c) => c.method)).toEqual(['POST', 'GET']);
    expect(h.mocks.alpha!.calls.find((c) => c.method === 'GET')!.path).toContain(own);
    expect(h.mocks.beta!.calls).toHaveLength(0);
  });

  it('a policy edit that moves the model moves new videos, not the ones already made', async () => {
    const created = await h.client.videos.create({ model: 'sora-2', prompt: 'tide' });
    const moved = await instance(mediaPolicy(ctx, 'beta'));
    const polled = await moved.videos.retrieve(created.id);
    expect(polled.id).toBe(created.id);
    expect(h.mocks.alpha!.calls.filter((c) => c.method === 'GET')).toHaveLength(1);
    expect(h.mocks.beta!.calls).toHaveLength(0);
    const fresh = await moved.videos.create({ model: 'sora-2', prompt: 'tide' });
    expect(h.mocks.beta!.calls).toHaveLength(1);
    await moved.videos.retrieve(fresh.id);
    expect(h.mocks.beta!.calls).toHaveLength(2);
  });

  it('an ID signed with another key is a 404', async () => {
    const created = await h.client.videos.create({ model: 'sora-2', prompt: 'tide' });
    const yaml = h.yaml;
    const gateway = await serve(
      compilePolicy(parsePolicy(yaml, POLICY_FILE_NAME, { env: { ...env(), E2E_ID_SECRET: `${ID_SECRET}-other` } })),
      { port: 0, host: '127.0.0.1' },
    );
    others.push(gateway);
    const client = new OpenAI({ baseURL: gateway.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const err = (await client.videos.retrieve(created.id).catch((e: unknown) => e)) as APIError;
    expect(err.status).toBe(404);
    expect(err.message).toMatch(/No video with ID/);
  });
});

describe('Responses IDs', () => {
  it('previous_response_id reaches the provider that stored the response, as its own ID', async () => {
    const first = await h.client.responses.create({ model: 'gpt-4o-2024-08-06', input: 'remember 7' });
    expect(first.id).toMatch(/^resp_sy1\./);
    const own = h.mocks.alpha!.calls[0]!.mintedId!;
    expect(own).toMatch(/^resp_/);
    const second = await h.client.responses.create({
      model: 'gpt-4o-2024-08-06',
      input: 'which number?',
      previous_response_id: first.id,
    });
    expect(second.id).toMatch(/^resp_sy1\./);
    const call = h.mocks.alpha!.calls[1]!;
    expect((call.body as { previous_response_id: string }).previous_response_id).toBe(own);
    const fetched = await h.client.responses.retrieve(first.id);
    expect(fetched.id).toBe(first.id);
    expect(h.mocks.alpha!.calls[2]!.path).toContain(own);
  });

  it('an altered previous_response_id is a 404 and reaches no provider', async () => {
    const first = await h.client.responses.create({ model: 'gpt-4o-2024-08-06', input: 'hi' });
    h.resetMocks();
    const altered = `${first.id.slice(0, 20)}x${first.id.slice(21)}`;
    const err = (await h.client.responses
      .create({ model: 'gpt-4o-2024-08-06', input: 'again', previous_response_id: altered })
      .catch((e: unknown) => e)) as APIError;
    expect(err.status).toBe(404);
    expect(h.mocks.alpha!.calls).toHaveLength(0);
  });
});

describe('the ID key', () => {
  it('a policy serving videos without ids: does not load, and says what to add', () => {
    const yaml = h.yaml.replace(/^ids:.*\n/m, '');
    expect(() => compilePolicy(parsePolicy(yaml, POLICY_FILE_NAME, { env: env() }))).toThrow(
      /model "sora-2" serves videos, whose IDs the gateway hands out signed: add ids: \{ secret: \{ env: SWITCHYARD_ID_SECRET \} \}/,
    );
  });

  it('a short key does not load', () => {
    expect(() => compilePolicy(parsePolicy(h.yaml, POLICY_FILE_NAME, { env: { ...env(), E2E_ID_SECRET: 'short' } }))).toThrow(
      /fewer than 32 characters/,
    );
  });
});

describe('owners', () => {
  it("another owner's key cannot use an ID: 404, as if it did not exist", async () => {
    const yaml = `${h.yaml}budgets:
  owners:
    team-a: {}
    team-b: {}
keys:
  - { name: a, secret: { env: KEY_A }, owner: team-a }
  - { name: b, secret: { env: KEY_B }, owner: team-b }
  - { name: c, secret: { env: KEY_C }, owner: team-b, allow: [clips] }
`;
    const gateway = await serve(
      compilePolicy(
        parsePolicy(yaml, POLICY_FILE_NAME, {
          env: { ...env(), KEY_A: 'sk-key-a-0123456789', KEY_B: 'sk-key-b-0123456789', KEY_C: 'sk-key-c-0123456789' },
        }),
      ),
      { port: 0, host: '127.0.0.1' },
    );
    others.push(gateway);
    const a = new OpenAI({ baseURL: gateway.url, apiKey: 'sk-key-a-0123456789', maxRetries: 0 });
    const b = new OpenAI({ baseURL: gateway.url, apiKey: 'sk-key-b-0123456789', maxRetries: 0 });
    const video = await a.videos.create({ model: 'sora-2', prompt: 'tide' });
    expect((await a.videos.retrieve(video.id)).id).toBe(video.id);
    const err = (await b.videos.retrieve(video.id).catch((e: unknown) => e)) as APIError;
    expect(err.status).toBe(404);
    expect(h.mocks.alpha!.calls.filter((c) => c.method === 'GET')).toHaveLength(1);
    // A key allowed only a route polls what it made through it: the follow-up asks for the route.
    const c = new OpenAI({ baseURL: gateway.url, apiKey: 'sk-key-c-0123456789', maxRetries: 0 });
    const clip = await c.videos.create({ model: 'clips', prompt: 'tide' });
    const polled = await c.videos.retrieve(clip.id).withResponse();
    expect(polled.data.id).toBe(clip.id);
    expect(polled.response.headers.get('x-switchyard-route')).toBe('clips/default');
  });
});

describe('bad multipart bodies', () => {
  it('no boundary is a 400; a compressed form is a 415; neither reaches a provider', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${h.url}/audio/transcriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT_KEY}`, ...headers },
        body: 'x',
      });
    const noBoundary = await post({ 'content-type': 'multipart/form-data' });
    expect(noBoundary.status).toBe(400);
    const gzip = await post({ 'content-type': 'multipart/form-data; boundary=b', 'content-encoding': 'gzip' });
    expect(gzip.status).toBe(415);
    const truncated = await post({ 'content-type': 'multipart/form-data; boundary=b' });
    expect(truncated.status).toBe(400);
    expect(h.mocks.alpha!.calls).toHaveLength(0);
  });

  it('a GET on a follow-up path with a method it does not take is a 405', async () => {
    const res = await fetch(`${h.url}/tasks/abc`, { method: 'DELETE', headers: { authorization: `Bearer ${CLIENT_KEY}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });
});

describe('streamed Responses IDs', () => {
  it('a streamed answer hands out the gateway ID in every event, and previous_response_id follows it', async () => {
    const stream = await h.client.responses.create({ model: 'gpt-4o-2024-08-06', input: 'count to three', stream: true });
    const ids = new Set<string>();
    let text = '';
    for await (const event of stream) {
      if ('response' in event) ids.add(event.response.id);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(text.length).toBeGreaterThan(0);
    expect([...ids]).toHaveLength(1);
    const [id] = [...ids];
    expect(id).toMatch(/^resp_sy1\./);
    const own = h.mocks.alpha!.calls[0]!.mintedId!;
    const next = await h.client.responses.create({ model: 'gpt-4o-2024-08-06', input: 'and on?', previous_response_id: id });
    expect(next.id).toMatch(/^resp_sy1\./);
    expect((h.mocks.alpha!.calls[1]!.body as { previous_response_id: string }).previous_response_id).toBe(own);
  });
});
