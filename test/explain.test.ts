// `switchyard explain` (the built CLI) and POST /v1/switchyard/explain: what the gateway would do with a
// request, without calling any provider, in the same JSON.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type RunningGateway } from '@switchyard/cli';
import { startMockProvider, type MockProvider } from '@switchyard/mock-provider';
import { switchyardGateway, type Gateway } from 'switchyard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'packages/cli/dist/bin.js');

const POLICY = (baseUrl: string) => `version: 1
timezone: UTC
providers:
  openai: { format: openai, base_url: ${baseUrl}, credentials: [{ env: EX_OPENAI_KEY }] }
  anthropic: { format: anthropic, base_url: ${baseUrl.replace(/\/v1$/, '')}, credentials: [{ env: EX_OPENAI_KEY }] }
models:
  gpt-4o-2024-08-06: { provider: openai, context_window: 128000, max_output_tokens: 16384, capabilities: [tools, json_schema, streaming, vision], price: { input: 2.5, output: 10 } }
  gpt-4o-mini-2024-07-18: { provider: openai, context_window: 128000, max_output_tokens: 16384, capabilities: [tools, streaming], price: { input: 0.15, output: 0.6 } }
  claude-sonnet-4-5-20250929: { provider: anthropic, context_window: 200000, max_output_tokens: 64000, capabilities: [tools, streaming, vision], price: { input: 3, output: 15 } }
signals:
  user_tier: { from: "header:x-user-tier", type: string }
routes:
  smart:
    default: gpt-4o-mini-2024-07-18
    rules:
      - { name: long-context, if: input_tokens > 100000, use: claude-sonnet-4-5-20250929 }
      - { name: night, if: hour_local >= 22, use: gpt-4o-mini-2024-07-18 }
      - { name: enterprise, if: 'user_tier == "enterprise"', use: gpt-4o-2024-08-06 }
      - { name: burn, if: monthly_spend_pct > 0.8, use: gpt-4o-mini-2024-07-18 }
    fallbacks: [gpt-4o-2024-08-06, claude-sonnet-4-5-20250929]
budgets:
  owners:
    team-a: { monthly_usd: 10, hard_stop: true }
  admin_key: { env: EX_ADMIN_KEY }
keys:
  - { name: team-a-backend, secret: { env: EX_KEY_A }, owner: team-a, allow: [smart] }
`;

const REQUEST = {
  model: 'smart',
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this picture?' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      ],
    },
  ],
  max_tokens: 100,
};

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: {}, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

let dir: string;
let policyFile: string;
let requestFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-e2e-explain-'));
  policyFile = join(dir, 'policy.yaml');
  requestFile = join(dir, 'request.json');
  await writeFile(policyFile, POLICY('http://127.0.0.1:9/v1'));
  await writeFile(requestFile, JSON.stringify(REQUEST));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('switchyard explain (built CLI, no secrets, no provider)', () => {
  it('should print one JSON object with the route, each rule, the fallbacks and no refusal', async () => {
    const run = await cli([
      'explain',
      '--policy',
      policyFile,
      '--request',
      requestFile,
      '--key',
      'EX_KEY_A',
      '--header',
      'x-user-tier: enterprise',
      '--given',
      'hour_local=12',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const e = JSON.parse(run.stdout);
    expect(e).toMatchObject({
      route: 'smart',
      rule: 'enterprise',
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      owner: 'team-a',
      key: { name: 'team-a-backend', owner: 'team-a' },
      refusal: null,
      call: { served: 'gpt-4o-2024-08-06', status: 200 },
    });
    expect(e.rules.map((r: { name: string; outcome: string }) => [r.name, r.outcome])).toEqual([
      ['long-context', 'no_match'],
      ['night', 'no_match'],
      ['enterprise', 'matched'],
      ['burn', 'not_reached'],
    ]);
    expect(e.rules[1].signals).toEqual([{ name: 'hour_local', value: 12, given: true }]);
    expect(e.rules[2].signals).toEqual([{ name: 'user_tier', value: 'enterprise', given: false }]);
    // gpt-4o is the chosen model, so claude is the only fallback left; it can see the image.
    expect(e.fallbacks).toEqual([{ model: 'claude-sonnet-4-5-20250929', provider: 'anthropic', action: 'try' }]);
    expect(e.budget).toMatchObject({ owner: 'team-a', limit_usd: 10, hard_stop: true, spend_usd: 0 });
  });

  it('should show a skipped fallback and why', async () => {
    const run = await cli([
      'explain',
      '--policy',
      policyFile,
      '--request',
      requestFile,
      '--key',
      'team-a-backend',
      '--given',
      'hour_local=23',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('decision  smart -> rule "night" -> gpt-4o-mini-2024-07-18 on openai');
    expect(run.stdout).toContain('hour_local = 23 (given)');
    const tools = join(dir, 'tools.json');
    await writeFile(tools, JSON.stringify({ ...REQUEST, n: 2, tools: [{ type: 'function', function: { name: 'f' } }] }));
    const skipped = await cli([
      'explain',
      '--policy',
      policyFile,
      '--request',
      tools,
      '--key',
      'EX_KEY_A',
      '--given',
      'hour_local=1',
      '--json',
    ]);
    expect(JSON.parse(skipped.stdout).fallbacks).toEqual([
      { model: 'gpt-4o-2024-08-06', provider: 'openai', action: 'try' },
      { model: 'claude-sonnet-4-5-20250929', provider: 'anthropic', action: 'skip', reason: 'format_not_supported' },
    ]);
  });

  it('should say when the key refuses the call, and when the budget does', async () => {
    const noKey = JSON.parse((await cli(['explain', '--policy', policyFile, '--request', requestFile, '--json'])).stdout);
    expect(noKey.refusal).toEqual({ status: 401, code: 'missing_api_key', message: expect.any(String), by: 'keys' });
    const budget = await cli([
      'explain',
      '--policy',
      policyFile,
      '--request',
      requestFile,
      '--key',
      'EX_KEY_A',
      '--given',
      'monthly_spend_pct=0.99999',
      '--given',
      'hour_local=12',
    ]);
    expect(budget.code).toBe(0);
    expect(budget.stdout).toMatch(
      /refused {3}429 budget_exceeded \(budget\): Owner "team-a" has spent \$10\.00 of its \$10\.00 budget/,
    );
    expect(budget.stdout).toContain('limit $10.00/month (hard stop), spent $9.9999, reserved $0.00');
    expect(budget.stdout).toContain('burn -> gpt-4o-mini-2024-07-18: MATCHED');
  });

  it('should refuse a given signal the policy does not know, with exit code 2', async () => {
    const run = await cli(['explain', '--policy', policyFile, '--request', requestFile, '--given', 'hour=3']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('switchyard explain: given hour: no such signal');
    expect((await cli(['explain', '--policy', policyFile])).stderr).toContain('name the request file');
  });
});

describe('POST /v1/switchyard/explain', () => {
  let mock: MockProvider;
  let gateway: Gateway;
  let running: RunningGateway;
  const env = { EX_OPENAI_KEY: 'sk-explain-provider', EX_ADMIN_KEY: 'sk-explain-admin', EX_KEY_A: 'sk-explain-team-a' };

  beforeAll(async () => {
    mock = await startMockProvider({ apiKeys: [env.EX_OPENAI_KEY] });
    const file = join(dir, 'served.yaml');
    await writeFile(file, POLICY(mock.url));
    gateway = await switchyardGateway(file, { env });
    running = await serve(gateway, { port: 0 });
  });
  afterAll(async () => {
    await running?.close();
    await gateway?.close();
    await mock?.close();
  });

  const explain = (body: unknown, headers: Record<string, string>) =>
    fetch(`${running.url}/switchyard/explain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('should answer the admin key only', async () => {
    expect((await explain({ request: REQUEST }, {})).status).toBe(401);
    const asClient = await explain({ request: REQUEST }, { authorization: `Bearer ${env.EX_KEY_A}` });
    expect(asClient.status).toBe(403);
    expect(((await asClient.json()) as { error: { code: string } }).error.code).toBe('admin_key_required');
  });

  it('should explain the body and headers sent to it, on the live spend, without calling the provider', async () => {
    // A real call first: the owner's spend is then the store's, not zero.
    const call = await fetch(`${running.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${env.EX_KEY_A}` },
      body: JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(call.status).toBe(200);
    await call.arrayBuffer();
    const calls = mock.calls.length;

    const res = await explain(REQUEST, { authorization: `Bearer ${env.EX_ADMIN_KEY}`, 'x-user-tier': 'enterprise' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-switchyard-policy')).toBe(gateway.current.version);
    const e = (await res.json()) as Record<string, any>;
    // The admin key is the explain call's own: the explained request carries none.
    expect(e.refusal).toMatchObject({ status: 401, code: 'missing_api_key' });

    const enveloped = await explain(
      { request: REQUEST, headers: { 'x-user-tier': 'enterprise' }, key: env.EX_KEY_A, given: { hour_local: 12 } },
      { authorization: `Bearer ${env.EX_ADMIN_KEY}` },
    );
    const f = (await enveloped.json()) as Record<string, any>;
    expect(f).toMatchObject({
      rule: 'enterprise',
      model: 'gpt-4o-2024-08-06',
      refusal: null,
      policy: { version: gateway.current.version },
    });
    expect(f.budget.spend_usd).toBeGreaterThan(0);
    expect(mock.calls.length).toBe(calls);
  });

  it('should answer 400 for a given the policy does not know', async () => {
    const res = await explain({ request: REQUEST, given: { hour: 3 } }, { authorization: `Bearer ${env.EX_ADMIN_KEY}` });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'invalid_explain_input',
      message: expect.stringContaining('given hour: no such signal'),
    });
  });
});
