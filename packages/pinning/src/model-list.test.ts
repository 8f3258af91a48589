import { errorHandler, type Policy } from '@switchyard/core';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { modelList } from './model-list.js';
import type { AllowedModels } from './types.js';
import { serve, testPolicy } from '../test/server.js';

function startListApp(policy: Policy, allowedModels?: AllowedModels): Promise<string> {
  const app = express();
  app.get('/v1/models', modelList({ policy, allowedModels }));
  app.use(errorHandler());
  return serve(app);
}

function entry(id: string, created: number, owned_by: string) {
  return { id, object: 'model', created, owned_by };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('modelList()', () => {
  it('should answer GET /models in the OpenAI list shape, routes first, then exact IDs with their provider', async () => {
    const before = Math.floor(Date.now() / 1000);
    const policy = testPolicy();
    const base = await startListApp(policy);
    const after = Math.floor(Date.now() / 1000);

    const res = await fetch(`${base}/v1/models`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as { data: Array<{ created: number }> };
    const created = body.data[0]?.created ?? NaN;
    expect(Number.isInteger(created)).toBe(true);
    expect(created).toBeGreaterThanOrEqual(before);
    expect(created).toBeLessThanOrEqual(after);
    expect(body).toStrictEqual({
      object: 'list',
      data: [
        entry('smart', created, 'switchyard'),
        entry('cheap', created, 'switchyard'),
        entry('gpt-4o-2024-08-06', created, 'openai'),
        entry('claude-sonnet-4-5-20250929', created, 'anthropic'),
        entry('llama-3.3-70b-versatile', created, 'groq'),
      ],
    });
  });

  it('should keep created fixed for a policy and give a reloaded policy its own', async () => {
    const policy = testPolicy();
    const base = await startListApp(policy);
    const first = await (await fetch(`${base}/v1/models`)).text();
    const created = (JSON.parse(first) as { data: Array<{ created: number }> }).data[0]?.created ?? 0;

    vi.spyOn(Date, 'now').mockReturnValue((created + 3600) * 1000);
    expect(await (await fetch(`${base}/v1/models`)).text()).toBe(first);
    const sameAgain = await startListApp(policy);
    expect(await (await fetch(`${sameAgain}/v1/models`)).text()).toBe(first);

    const reloaded = await startListApp(testPolicy());
    const body = (await (await fetch(`${reloaded}/v1/models`)).json()) as { data: Array<{ created: number }> };
    expect(body.data.map((d) => d.created)).toStrictEqual(Array(5).fill(created + 3600));
  });

  it('should list only allowed, served names in policy order when allowedModels is given', async () => {
    const sets: Record<string, ReadonlySet<string>> = {
      search: new Set(['llama-3.3-70b-versatile', 'ghost-model', 'smart']),
      none: new Set(),
    };
    const allowed: AllowedModels = (req) => sets[req.get('x-test-key') ?? ''];
    const base = await startListApp(testPolicy(), allowed);

    const search = (await (await fetch(`${base}/v1/models`, { headers: { 'x-test-key': 'search' } })).json()) as {
      data: Array<{ id: string; owned_by: string }>;
    };
    expect(search.data.map((d) => [d.id, d.owned_by])).toStrictEqual([
      ['smart', 'switchyard'],
      ['llama-3.3-70b-versatile', 'groq'],
    ]);

    const none = await (await fetch(`${base}/v1/models`, { headers: { 'x-test-key': 'none' } })).json();
    expect(none).toStrictEqual({ object: 'list', data: [] });

    const all = (await (await fetch(`${base}/v1/models`)).json()) as { data: unknown[] };
    expect(all.data).toHaveLength(5);
  });

  it("should answer Anthropic's list shape to a request with anthropic-version, allowed names only", async () => {
    const allowed: AllowedModels = (req) =>
      req.get('x-test-key') === 'search' ? new Set(['smart', 'llama-3.3-70b-versatile']) : undefined;
    const base = await startListApp(testPolicy(), allowed);
    const anthropic = { 'anthropic-version': '2023-06-01' };

    const all = (await (await fetch(`${base}/v1/models`, { headers: anthropic })).json()) as {
      data: Array<{ created_at: string }>;
    };
    const createdAt = all.data[0]?.created_at ?? '';
    expect(createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    const model = (id: string) => ({ type: 'model', id, display_name: id, created_at: createdAt });
    expect(all).toStrictEqual({
      data: ['smart', 'cheap', 'gpt-4o-2024-08-06', 'claude-sonnet-4-5-20250929', 'llama-3.3-70b-versatile'].map(model),
      has_more: false,
      first_id: 'smart',
      last_id: 'llama-3.3-70b-versatile',
    });

    const search = await (await fetch(`${base}/v1/models`, { headers: { ...anthropic, 'x-test-key': 'search' } })).json();
    expect(search).toStrictEqual({
      data: [model('smart'), model('llama-3.3-70b-versatile')],
      has_more: false,
      first_id: 'smart',
      last_id: 'llama-3.3-70b-versatile',
    });

    const openai = (await (await fetch(`${base}/v1/models`)).json()) as { object: string };
    expect(openai.object).toBe('list');
  });

  it('should answer HEAD without a body', async () => {
    const base = await startListApp(testPolicy());
    const res = await fetch(`${base}/v1/models`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.text()).toBe('');
  });

  it('should pass other methods on when mounted with use()', async () => {
    const app = express();
    app.use('/v1/models', modelList({ policy: testPolicy() }));
    app.use((_req, res) => {
      res.status(405).end();
    });
    const base = await serve(app);
    expect((await fetch(`${base}/v1/models`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/v1/models`)).status).toBe(200);
  });
});
