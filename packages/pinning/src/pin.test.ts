import { errorHandler, type Policy, type Selection } from '@switchyard/core';
import express, { type RequestHandler } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { pin } from './pin.js';
import type { AllowedModels } from './types.js';
import { ALL_NAMES, echoRecord, fakeRules, fakeSignals, postModel, serve, testPolicy } from '../test/server.js';

interface AppOptions {
  readonly policy?: Policy;
  readonly allowedModels?: AllowedModels;
  /** What fakeRules() selects; none = rules() not mounted. */
  readonly selection?: Selection;
  /** false = signals() not mounted. */
  readonly signals?: boolean;
  readonly onInternalError?: (err: unknown) => void;
}

function startPinApp(options: AppOptions = {}): Promise<string> {
  const chain: RequestHandler[] = options.signals === false ? [express.json()] : [...fakeSignals];
  if (options.selection) chain.push(fakeRules(options.selection));
  const app = express();
  app.post(
    '/v1/chat/completions',
    ...chain,
    pin({ policy: options.policy ?? testPolicy(), allowedModels: options.allowedModels }),
    echoRecord,
  );
  app.use(errorHandler({ onInternalError: options.onInternalError ?? (() => {}) }));
  return serve(app);
}

function modelNotFound(message: string) {
  return { error: { message, type: 'invalid_request_error', param: 'model', code: 'model_not_found' } };
}

function modelNotAllowed(message: string) {
  return { error: { message, type: 'permission_error', param: 'model', code: 'model_not_allowed' } };
}

describe('pin() with an exact model ID', () => {
  it.each([
    ['gpt-4o-2024-08-06', 'openai', 'openai'],
    ['claude-sonnet-4-5-20250929', 'anthropic', 'anthropic'],
    ['llama-3.3-70b-versatile', 'groq', 'openai'],
  ])('should pin %s to its provider %s (format %s)', async (model, provider, format) => {
    const base = await startPinApp();
    const res = await postModel(base, model);
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual({ selection: { kind: 'exact', model }, target: { model, provider, format } });
  });

  it('should treat exact IDs case-sensitively, as the policy writes them', async () => {
    const base = await startPinApp();
    const res = await postModel(base, 'GPT-4o-2024-08-06');
    expect(res.status).toBe(404);
    expect(await res.json()).toStrictEqual(
      modelNotFound(`The model "GPT-4o-2024-08-06" is not served by this gateway. Use one of: ${ALL_NAMES}.`),
    );
  });

  it('should serve a name from the family list when the policy defines it as a model', async () => {
    const policy = testPolicy(`
version: 1
providers: { openai: { format: openai, base_url: https://api.openai.com/v1 } }
models: { gpt-4o: { provider: openai } }
`);
    const base = await startPinApp({ policy });
    const res = await postModel(base, 'gpt-4o');
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual({
      selection: { kind: 'exact', model: 'gpt-4o' },
      target: { model: 'gpt-4o', provider: 'openai', format: 'openai' },
    });
  });
});

describe('pin() with a route', () => {
  it('should target the model that rules() selected and keep the selection', async () => {
    const selection: Selection = { kind: 'route', route: 'smart', rule: 'schema', model: 'gpt-4o-2024-08-06' };
    const base = await startPinApp({ selection });
    const res = await postModel(base, 'smart');
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual({
      selection,
      target: { model: 'gpt-4o-2024-08-06', provider: 'openai', format: 'openai' },
    });
  });

  it('should target the route default through its own provider', async () => {
    const selection: Selection = { kind: 'route', route: 'cheap', rule: 'default', model: 'llama-3.3-70b-versatile' };
    const base = await startPinApp({ selection });
    const res = await postModel(base, 'cheap');
    expect(await res.json()).toStrictEqual({
      selection,
      target: { model: 'llama-3.3-70b-versatile', provider: 'groq', format: 'openai' },
    });
  });
});

describe('pin() with a family shortcut', () => {
  it.each([
    'gpt',
    'GPT',
    'claude',
    'Claude',
    'gemini',
    'GEMINI',
    'gpt-latest',
    'claude-LATEST',
    'Gemini-Latest',
    'gpt-4',
    'gpt-4o',
    'GPT-4o-latest',
    'claude-3',
    'gemini-pro',
    'llama',
    'mistral',
    'o1',
    'O3',
  ])('should answer %s with 404 model_not_found listing routes, then exact IDs', async (name) => {
    const base = await startPinApp();
    const res = await postModel(base, name);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toStrictEqual(
      modelNotFound(
        `"${name}" is a model family, not a model: this gateway pins exact, versioned model IDs. Use one of: ${ALL_NAMES}.`,
      ),
    );
  });

  it('should reject a family shortcut even when a rules() selection is absent, without a config error', async () => {
    const onInternalError = vi.fn();
    const base = await startPinApp({ onInternalError });
    expect((await postModel(base, 'claude')).status).toBe(404);
    expect(onInternalError).not.toHaveBeenCalled();
  });
});

describe('pin() with an unknown model', () => {
  it.each([
    'foo',
    'gpt4',
    'gpt-4o-2024-08-06-latest',
    'latest',
    'smart-latest',
    '',
  ])('should answer %j with 404 model_not_found listing what is served', async (name) => {
    const base = await startPinApp();
    const res = await postModel(base, name);
    expect(res.status).toBe(404);
    expect(await res.json()).toStrictEqual(
      modelNotFound(`The model ${JSON.stringify(name)} is not served by this gateway. Use one of: ${ALL_NAMES}.`),
    );
  });

  it('should cap the list at 20 names and count the rest, routes first', async () => {
    const models = Array.from({ length: 30 }, (_, i) => `m-${String(i + 1).padStart(2, '0')}`);
    const policy = testPolicy(`
version: 1
providers: { openai: { format: openai, base_url: https://api.openai.com/v1 } }
models:
${models.map((m) => `  ${m}: { provider: openai }`).join('\n')}
routes:
  r1: { default: m-30 }
  r2: { default: m-01 }
`);
    const base = await startPinApp({ policy });
    const res = await postModel(base, 'foo');
    const listed = ['r1', 'r2', ...models.slice(0, 18)].join(', ');
    expect(await res.json()).toStrictEqual(
      modelNotFound(`The model "foo" is not served by this gateway. Use one of: ${listed} … and 12 more.`),
    );
  });

  it('should escape and shorten the requested name it echoes', async () => {
    const base = await startPinApp();
    const hostile = `evil\nINFO fake log line ${'x'.repeat(5000)}`;
    const res = await postModel(base, hostile);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(res.status).toBe(404);
    expect(error.message).not.toContain('\n');
    expect(error.message.startsWith('The model "evil\\nINFO fake log line xxx')).toBe(true);
    expect(error.message).toContain('x…" is not served');
    expect(error.message.length).toBeLessThan(400);
  });
});

describe('pin() with allowedModels', () => {
  const keys: Record<string, ReadonlySet<string>> = {
    // Out of policy order, with a name the policy does not serve.
    search: new Set(['gpt-4o-2024-08-06', 'ghost-model', 'smart']),
    none: new Set(),
  };
  const allowedModels: AllowedModels = (req) => keys[req.get('x-test-key') ?? ''];
  const limited = 'Use one of: smart, gpt-4o-2024-08-06.';

  it('should pin an allowed exact ID', async () => {
    const base = await startPinApp({ allowedModels });
    const res = await postModel(base, 'gpt-4o-2024-08-06', { 'x-test-key': 'search' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ target: { model: 'gpt-4o-2024-08-06', provider: 'openai' } });
  });

  it('should answer 403 model_not_allowed for an exact ID outside the set, listing only allowed names', async () => {
    const base = await startPinApp({ allowedModels });
    const res = await postModel(base, 'claude-sonnet-4-5-20250929', { 'x-test-key': 'search' });
    expect(res.status).toBe(403);
    expect(await res.json()).toStrictEqual(
      modelNotAllowed(`The model "claude-sonnet-4-5-20250929" is not available to this client. ${limited}`),
    );
  });

  it('should allow a route by its name, whatever model its rules picked', async () => {
    const selection: Selection = { kind: 'route', route: 'smart', rule: 'default', model: 'claude-sonnet-4-5-20250929' };
    const base = await startPinApp({ allowedModels, selection });
    const res = await postModel(base, 'smart', { 'x-test-key': 'search' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ target: { model: 'claude-sonnet-4-5-20250929', provider: 'anthropic' } });
  });

  it('should answer 403 for a route outside the set even though its model is allowed', async () => {
    const selection: Selection = { kind: 'route', route: 'cheap', rule: 'default', model: 'gpt-4o-2024-08-06' };
    const base = await startPinApp({ allowedModels, selection });
    const res = await postModel(base, 'cheap', { 'x-test-key': 'search' });
    expect(res.status).toBe(403);
    expect(await res.json()).toStrictEqual(modelNotAllowed(`The model "cheap" is not available to this client. ${limited}`));
  });

  it('should list only allowed, served names in 404s', async () => {
    const base = await startPinApp({ allowedModels });
    const family = await postModel(base, 'gpt', { 'x-test-key': 'search' });
    expect(family.status).toBe(404);
    expect(await family.json()).toStrictEqual(
      modelNotFound(`"gpt" is a model family, not a model: this gateway pins exact, versioned model IDs. ${limited}`),
    );
    const unknown = await postModel(base, 'ghost-model', { 'x-test-key': 'search' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toStrictEqual(
      modelNotFound(`The model "ghost-model" is not served by this gateway. ${limited}`),
    );
  });

  it('should say so when the caller may use nothing', async () => {
    const base = await startPinApp({ allowedModels });
    const res = await postModel(base, 'gpt-4o-2024-08-06', { 'x-test-key': 'none' });
    expect(res.status).toBe(403);
    expect(await res.json()).toStrictEqual(
      modelNotAllowed('The model "gpt-4o-2024-08-06" is not available to this client. No model is available to this client.'),
    );
  });

  it('should allow and list everything when it returns undefined', async () => {
    const base = await startPinApp({ allowedModels });
    expect((await postModel(base, 'claude-sonnet-4-5-20250929')).status).toBe(200);
    expect(await (await postModel(base, 'foo')).json()).toStrictEqual(
      modelNotFound(`The model "foo" is not served by this gateway. Use one of: ${ALL_NAMES}.`),
    );
  });
});

describe('pin() misconfigured', () => {
  it('should fail with a config error when signals() did not run', async () => {
    const onInternalError = vi.fn();
    const base = await startPinApp({ signals: false, onInternalError });
    const res = await postModel(base, 'gpt-4o-2024-08-06');
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { type: 'api_error', code: 'internal_error' } });
    expect(onInternalError).toHaveBeenCalledOnce();
    expect(onInternalError.mock.calls[0]?.[0]).toStrictEqual(new Error('switchyard: pin() needs signals() mounted before it'));
  });

  it('should fail with a config error naming rules() when a route has no selection', async () => {
    const onInternalError = vi.fn();
    const base = await startPinApp({ onInternalError });
    const res = await postModel(base, 'smart');
    expect(res.status).toBe(500);
    expect(onInternalError).toHaveBeenCalledOnce();
    expect((onInternalError.mock.calls[0]?.[0] as Error).message).toBe(
      'switchyard: pin() needs rules() mounted before it: "smart" is a route and no rule selected a model for it',
    );
  });

  it('should fail with a config error when the selected model is not in its policy', async () => {
    const onInternalError = vi.fn();
    const selection: Selection = { kind: 'route', route: 'smart', rule: 'x', model: 'gemini-2.5-pro' };
    const base = await startPinApp({ selection, onInternalError });
    const res = await postModel(base, 'smart');
    expect(res.status).toBe(500);
    expect((onInternalError.mock.calls[0]?.[0] as Error).message).toMatch(
      /^switchyard: pin\(\) got a selection of model "gemini-2.5-pro" that its policy does not define/,
    );
  });
});
