// switchyardGateway(): a reload swaps the whole stack in one step; a call in flight finishes on its version,
// a rejected policy never replaces a good one, and budget spend outlives the version that counted it.
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter, BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { switchyardGateway, type Gateway, type GatewayOptions } from './gateway.js';
import type { ReloadResult } from './reload-report.js';
import { policyVersion } from './version.js';

const ENV = { GW_KEY: 'sk-gateway-test', GW_ADMIN: 'sk-gateway-admin' };
const HI = { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] };

let dir: string;
let mock: MockProvider;
let server: Server | undefined;
let gateway: Gateway | undefined;
let base: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-gateway-'));
  mock = await startMockProvider({ apiKeys: [ENV.GW_KEY] });
});
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await gateway?.close();
  await mock.close();
  await rm(dir, { recursive: true, force: true });
  server = undefined;
  gateway = undefined;
});

/** A policy whose route `smart` picks `model` for every request. */
function policy(model: string, extra = ''): string {
  return `version: 1
providers:
  local: { format: openai, base_url: ${mock.url}, credentials: [{ env: GW_KEY }] }
models:
  model-a: { provider: local, max_output_tokens: 100, price: { input: 1, output: 2 } }
  model-b: { provider: local, max_output_tokens: 100, price: { input: 1, output: 2 } }
routes:
  smart:
    default: model-a
    rules:
      - { name: pick, if: "true", use: ${model} }
budgets:
  owners:
    default: { monthly_usd: 100, hard_stop: false }
  admin_key: { env: GW_ADMIN }
${extra}`;
}

async function start(text: string, options: GatewayOptions = {}): Promise<{ file: string; reloads: ReloadResult[] }> {
  const file = join(dir, 'policy.yaml');
  await writeFile(file, text);
  const reloads: ReloadResult[] = [];
  gateway = await switchyardGateway(file, { env: ENV, onReload: (r) => reloads.push(r), ...options });
  const app = express();
  app.use('/v1', gateway);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { file, reloads };
}

function post(body: unknown = HI): Promise<Response> {
  return fetch(`${base}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function admin(path: string): Promise<Response> {
  return fetch(`${base}${path}`, { headers: { authorization: `Bearer ${ENV.GW_ADMIN}` } });
}

async function served(res: Response): Promise<{ model: string | null; policy: string | null; status: number }> {
  await res.arrayBuffer();
  return {
    model: res.headers.get('x-switchyard-served-model'),
    policy: res.headers.get('x-switchyard-policy'),
    status: res.status,
  };
}

async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('switchyardGateway', () => {
  it('should stamp every answer with the policy version and serve a reloaded rule from the next request on', async () => {
    const first = policy('model-a');
    const { file } = await start(first);
    expect(await served(await post())).toEqual({ model: 'model-a', policy: policyVersion(first), status: 200 });
    const missing = await fetch(`${base}/nowhere`);
    expect(missing.headers.get('x-switchyard-policy')).toBe(policyVersion(first));

    const second = policy('model-b');
    await writeFile(file, second);
    const result = await gateway!.reload();
    expect(result).toEqual({
      ok: true,
      version: policyVersion(second),
      previousVersion: policyVersion(first),
      changed: true,
      trigger: 'api',
    });
    expect(await served(await post())).toEqual({ model: 'model-b', policy: policyVersion(second), status: 200 });
    expect(gateway!.current.version).toBe(policyVersion(second));
  });

  it('should keep serving the last good policy when a reload is rejected, and say why everywhere', async () => {
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const good = policy('model-a');
    const { file, reloads } = await start(good, { tracerProvider });
    const broken = policy('model-a').replace('if: "true"', 'if: "has_shema"');
    await writeFile(file, broken);

    const result = await gateway!.reload('signal');
    expect(result.ok).toBe(false);
    expect(await served(await post())).toEqual({ model: 'model-a', policy: policyVersion(good), status: 200 });
    expect(reloads).toEqual([result]);

    const status = (await (await admin('/switchyard/policy')).json()) as Record<string, any>;
    expect(status).toMatchObject({ version: policyVersion(good), source: file, last_error: { version: policyVersion(broken) } });
    expect(status.last_error.problems).toEqual([
      {
        file,
        line: 11,
        column: 28,
        message: expect.stringContaining('rule "pick": unknown signal "has_shema", did you mean "has_schema"?'),
      },
    ]);
    expect(status.last_error.message).toMatch(new RegExp(`^${file}:11:28: `));

    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('switchyard.policy.reload');
    expect(span?.status.code).toBe(2); // ERROR
    expect(span?.attributes).toMatchObject({
      'switchyard.policy.version': policyVersion(broken),
      'switchyard.policy.previous_version': policyVersion(good),
      'switchyard.policy.reload.trigger': 'signal',
      'switchyard.policy.reload.ok': false,
    });
    expect(span?.events.map((e) => [e.name, e.attributes?.line, e.attributes?.column])).toEqual([
      ['switchyard.policy.problem', 11, 28],
    ]);

    // Fixed: the next reload serves it and forgets the error.
    await writeFile(file, policy('model-b'));
    expect((await gateway!.reload()).ok).toBe(true);
    expect(((await (await admin('/switchyard/policy')).json()) as Record<string, unknown>).last_error).toBeNull();
  });

  it('should report a file it cannot read, and keep serving', async () => {
    const { file } = await start(policy('model-a'));
    await rm(file);
    const result = await gateway!.reload();
    expect(result).toMatchObject({
      ok: false,
      version: null,
      problems: [],
      message: expect.stringMatching(/cannot read policy file/),
    });
    expect((await served(await post())).model).toBe('model-a');
  });

  it('should finish a call in flight on the version it started on', async () => {
    const first = policy('model-a');
    const { file } = await start(first);
    mock.script('model-a', { latencyMs: 400 });
    const slow = post();
    await until(() => mock.calls.length === 1);
    await writeFile(file, policy('model-b'));
    expect((await gateway!.reload()).ok).toBe(true);
    const after = await served(await post());
    expect(after.model).toBe('model-b');
    // Answered after the swap, by the version it entered.
    expect(await served(await slow)).toEqual({ model: 'model-a', policy: policyVersion(first), status: 200 });
  });

  it("should keep the owner's spend across a reload", async () => {
    const { file } = await start(policy('model-a'));
    expect((await served(await post())).status).toBe(200);
    const spend = async () => {
      const report = (await (await admin('/switchyard/budget')).json()) as { owners: { owner: string; spend_usd: number }[] };
      return report.owners.find((o) => o.owner === 'default')?.spend_usd ?? 0;
    };
    await until(async () => (await spend()) > 0);
    const before = await spend();

    await writeFile(file, policy('model-b', '# a comment changes the version'));
    expect((await gateway!.reload()).ok).toBe(true);
    expect(await spend()).toBe(before);
    expect((await served(await post())).model).toBe('model-b');
    await until(async () => (await spend()) > before);
  });

  it('should keep the first-token figures across a reload, as GET /v1/switchyard/workflows shows them', async () => {
    const { file } = await start(policy('model-a'));
    expect((await served(await post())).status).toBe(200);
    const samples = async () => {
      const report = (await (await admin('/switchyard/workflows')).json()) as {
        workflows: { workflow: string; latency: { models: { model: string; samples: number }[] } }[];
      };
      return (
        report.workflows.find((w) => w.workflow === 'default')?.latency.models.find((m) => m.model === 'model-a')?.samples ?? 0
      );
    };
    await until(async () => (await samples()) === 1);
    await writeFile(file, policy('model-b', '# a comment changes the version'));
    expect((await gateway!.reload()).ok).toBe(true);
    expect(await samples()).toBe(1);
  });

  it('should write one audit line per call, a call that spans the reload included', async () => {
    const log = join(dir, 'audit.jsonl');
    const { file } = await start(policy('model-a'), { audit: { log: { path: log } } });
    mock.script('model-a', { latencyMs: 300 });
    const slow = post();
    await until(() => mock.calls.length === 1);
    await writeFile(file, policy('model-b'));
    expect((await gateway!.reload()).ok).toBe(true);
    await served(await post());
    await served(await slow);
    await gateway!.close();
    const lines = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { served_model: string });
    expect(lines.map((l) => l.served_model).sort()).toEqual(['model-a', 'model-b']);
  });

  it('should not rebuild for the content it serves already', async () => {
    await start(policy('model-a'));
    const current = gateway!.current;
    expect(await gateway!.reload()).toMatchObject({ ok: true, changed: false });
    expect(gateway!.current).toBe(current);
  });

  it('with watch, should reload a file replaced by a rename', async () => {
    const { file, reloads } = await start(policy('model-a'), { watch: { debounceMs: 20, pollMs: 0 } });
    await writeFile(join(dir, 'policy.yaml.tmp'), policy('model-b'));
    await rename(join(dir, 'policy.yaml.tmp'), file);
    await until(() => reloads.length > 0);
    expect(reloads[0]).toMatchObject({ ok: true, trigger: 'watch', changed: true });
    expect((await served(await post())).model).toBe('model-b');
  });

  it('should survive an onReload that throws, and refuse to reload once closed', async () => {
    const { file } = await start(policy('model-a'), {
      onReload: () => {
        throw new Error('listener bug');
      },
    });
    await writeFile(file, policy('model-b'));
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      expect(await gateway!.reload()).toMatchObject({ ok: true, changed: true });
    } finally {
      console.error = original;
    }
    expect(errors).toEqual([['switchyard: onReload threw', expect.objectContaining({ message: 'listener bug' })]]);
    await gateway!.close();
    await writeFile(file, policy('model-a'));
    expect(await gateway!.reload()).toMatchObject({ ok: false, message: 'switchyard: the gateway is closed' });
  });

  it('should refuse to start on a policy that does not validate', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, policy('model-c'));
    await expect(switchyardGateway(file, { env: ENV })).rejects.toThrow(/rule "pick" uses model "model-c" that is not in models/);
  });
});
