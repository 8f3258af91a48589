// explainRequest(): every built-in signal as the rules read it, given values, refusals by key, model, budget
// and format, and the fallback chain with the candidates it would skip.
import { compilePolicy, type CompiledPolicy } from '../compile.js';
import { parsePolicy } from '@switchyard/core';
import { MemoryStore, SIGNAL_ESTIMATED_COST_USD, SIGNAL_MONTHLY_SPEND_PCT } from '@switchyard/budget';
import { BUILTIN_SIGNALS } from '@switchyard/signals';
import { describe, expect, it } from 'vitest';
import { explainRequest } from './explain.js';
import { ExplainInputError } from './input-error.js';
import type { ExplainInput, Explanation } from './types.js';

const SIGNAL_RULES: Record<string, string> = {
  input_tokens: 'input_tokens > 3',
  max_tokens: 'max_tokens == 50',
  has_schema: 'has_schema',
  has_tools: 'has_tools',
  has_images: 'has_images',
  streaming: 'streaming',
  messages_count: 'messages_count == 2',
  model: 'model == "sig-model"',
  endpoint: 'endpoint == "messages"',
  workflow: 'workflow == "extract"',
  owner: 'owner == "team-a"',
  hour_local: 'hour_local == 23',
  weekday: 'weekday == "monday"',
  monthly_spend_pct: 'monthly_spend_pct > 0.8',
  estimated_cost_usd: 'estimated_cost_usd > 0.0',
  time_of_day: 'time_of_day == "23:00"',
};

const ROUTES = Object.entries(SIGNAL_RULES)
  .map(
    ([signal, rule]) =>
      `  sig-${signal.replaceAll('_', '-')}: { default: m-default, rules: [{ name: hit, if: '${rule}', use: m-rule }] }`,
  )
  .join('\n');

const POLICY = `version: 1
timezone: UTC
providers:
  openai: { format: openai, base_url: "http://127.0.0.1:9/v1", credentials: [{ env: OPENAI_KEY }] }
  anthropic: { format: anthropic, base_url: "http://127.0.0.1:9", credentials: [{ env: ANTHROPIC_KEY }] }
models:
  m-default: { provider: openai, context_window: 100000, max_output_tokens: 1000, capabilities: [tools, json_schema, streaming, vision], price: { input: 1, output: 2 } }
  m-rule: { provider: openai, context_window: 1000000, max_output_tokens: 1000, capabilities: [tools, json_schema, streaming, vision], price: { input: 1, output: 2 } }
  m-no-tools: { provider: openai, context_window: 100000, max_output_tokens: 1000, capabilities: [streaming], price: { input: 1, output: 2 } }
  m-tiny: { provider: openai, context_window: 20, max_output_tokens: 10, capabilities: [tools, streaming], price: { input: 1, output: 2 } }
  m-claude: { provider: anthropic, context_window: 100000, max_output_tokens: 1000, capabilities: [tools, streaming, vision], price: { input: 3, output: 15 } }
routes:
${ROUTES}
  chain:
    default: m-default
    rules:
      - { name: first, if: 'workflow == "a"', use: m-rule }
      - { name: second, if: 'has_tools', use: m-rule }
      - { name: third, if: 'streaming', use: m-rule }
    fallbacks: [m-no-tools, m-tiny, m-claude, m-rule, m-default]
  long: { default: m-default, rules: [{ name: long, if: 'input_tokens > 1000', use: m-rule }] }
  pricey: { default: m-claude }
budgets:
  owners:
    team-a: { monthly_usd: 10, hard_stop: true }
    team-b: { monthly_usd: 1000, hard_stop: true, max_request_usd: 0.0001 }
  routes:
    pricey: { max_request_usd: 0.001 }
keys:
  - { name: a-backend, secret: { env: KEY_A }, owner: team-a }
  - { name: b-backend, secret: { sha256: "${'0'.repeat(64)}" }, owner: team-b, allow: [chain] }
failover:
  retry: { attempts: 1 }
`;

/** The policy as CI loads it: no secrets, an empty memory store, a clock at Monday 2024-01-01 23:30 UTC. */
function compiled(env: Record<string, string> = {}): CompiledPolicy {
  return compilePolicy(parsePolicy(POLICY, 'policy.yaml', { env, secrets: 'defer' }), {
    now: () => new Date('2024-01-01T23:30:00Z'),
    budget: { store: new MemoryStore() },
  });
}

const CHAT = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: 'Hello there, how are you?' }],
  ...extra,
});

function explain(input: ExplainInput, env?: Record<string, string>): Promise<Explanation> {
  return explainRequest(compiled(env), { key: 'a-backend', ...input });
}

describe('explainRequest: built-in signals', () => {
  const IMAGE = { type: 'image_url', image_url: { url: 'https://example.com/a.png' } };
  const cases: [signal: string, input: ExplainInput, value: unknown][] = [
    ['input_tokens', { body: CHAT('sig-input-tokens') }, expect.any(Number)],
    ['max_tokens', { body: CHAT('sig-max-tokens', { max_tokens: 50 }) }, 50],
    [
      'has_schema',
      { body: CHAT('sig-has-schema', { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }) },
      true,
    ],
    ['has_tools', { body: CHAT('sig-has-tools', { tools: [{ type: 'function', function: { name: 'f' } }] }) }, true],
    ['has_images', { body: { model: 'sig-has-images', messages: [{ role: 'user', content: [IMAGE] }] } }, true],
    ['streaming', { body: CHAT('sig-streaming', { stream: true }) }, true],
    [
      'messages_count',
      {
        body: {
          model: 'sig-messages-count',
          messages: [
            { role: 'user', content: 'a' },
            { role: 'user', content: 'b' },
          ],
        },
      },
      2,
    ],
    ['model', { body: CHAT('sig-model') }, 'sig-model'],
    ['endpoint', { body: CHAT('sig-endpoint', { max_tokens: 10 }), path: '/messages' }, 'messages'],
    ['workflow', { body: CHAT('sig-workflow'), headers: { 'X-Switchyard-Workflow': 'extract' } }, 'extract'],
    ['owner', { body: CHAT('sig-owner') }, 'team-a'],
    ['hour_local', { body: CHAT('sig-hour-local') }, 23],
    ['weekday', { body: CHAT('sig-weekday') }, 'monday'],
    ['monthly_spend_pct', { body: CHAT('sig-monthly-spend-pct'), given: { monthly_spend_pct: 0.9 } }, 0.9],
  ];

  it.each(cases)('should show %s as the rule read it, and the rule matching', async (signal, input, value) => {
    const e = await explain(input);
    expect(e.refusal).toBeNull();
    expect(e.rule).toBe('hit');
    expect(e.model).toBe('m-rule');
    expect(e.rules).toEqual([
      {
        name: 'hit',
        if: SIGNAL_RULES[signal],
        use: 'm-rule',
        outcome: 'matched',
        signals: [expect.objectContaining({ name: signal, value })],
      },
    ]);
    expect(e.signals).toContainEqual(expect.objectContaining({ name: signal, value }));
  });

  it('should show estimated_cost_usd as the budget computes it', async () => {
    const e = await explain({ body: CHAT('sig-estimated-cost-usd') });
    const [reading] = e.rules[0]!.signals;
    expect(reading?.value).toBeCloseTo(e.budget!.estimate_usd!, 12);
    expect(e.rule).toBe('hit');
  });

  it('should show input_tokens decided from the byte length when that settles the rule', async () => {
    const e = await explain({ body: CHAT('long') });
    const [reading] = e.rules[0]!.signals;
    expect(e.rules[0]!.outcome).toBe('no_match');
    expect(reading).toEqual({ name: 'input_tokens', at_most: expect.any(Number), given: false });
    expect(reading!.at_most).toBeLessThanOrEqual(1000);
  });

  it("should cover every built-in signal, the budget's included", () => {
    const builtins = [...Object.keys(BUILTIN_SIGNALS), SIGNAL_MONTHLY_SPEND_PCT, SIGNAL_ESTIMATED_COST_USD];
    expect(Object.keys(SIGNAL_RULES).sort()).toEqual(builtins.sort());
  });
});

describe('explainRequest: given values', () => {
  it('should read a given value instead of computing it, and say so', async () => {
    const e = await explain({ body: CHAT('sig-hour-local'), given: { hour_local: '3' } });
    expect(e.rule).toBe('default');
    expect(e.rules[0]).toMatchObject({ outcome: 'no_match', signals: [{ name: 'hour_local', value: 3, given: true }] });
  });

  it('should take a given input_tokens over the byte length', async () => {
    const e = await explain({
      body: { model: 'sig-input-tokens', messages: [{ role: 'user', content: 'a' }] },
      given: { input_tokens: 150000 },
    });
    expect(e.rules[0]).toMatchObject({ outcome: 'matched', signals: [{ name: 'input_tokens', value: 150000, given: true }] });
    // The budget bounds what the request's bytes can bill, whatever a given signal says: a few cents at most here.
    expect(e.budget?.estimate_usd).toBeLessThan(0.01);
  });

  it('should bill a given owner', async () => {
    const e = await explain({ body: CHAT('sig-owner'), given: { owner: 'team-b' } });
    expect(e).toMatchObject({ owner: 'team-b', rule: 'default' });
    expect(e.budget?.owner).toBe('team-b');
  });

  it('should refuse a signal the policy does not know, and a value of the wrong type', async () => {
    await expect(explain({ body: CHAT('chain'), given: { hour: 3 } })).rejects.toThrow(ExplainInputError);
    await expect(explain({ body: CHAT('chain'), given: { hour_local: 'late' } })).rejects.toThrow(/hour_local is an int/);
    await expect(explain({ body: CHAT('chain'), given: { has_tools: 'yes' } })).rejects.toThrow(/has_tools is a bool/);
    await expect(explain({ body: CHAT('chain'), upstream: { 'gpt-5': [503] } })).rejects.toThrow(/"gpt-5" is not a model/);
    // As a JSON body or a YAML file can write it, past the types.
    await expect(explain({ body: CHAT('chain'), upstream: { 'm-default': ['boom' as never] } })).rejects.toThrow(
      /m-default\[0\] is "boom"/,
    );
  });
});

describe('explainRequest: rules in order', () => {
  it('should show rules before the match, the match, and the rules not reached', async () => {
    const e = await explain({ body: CHAT('chain', { tools: [{ type: 'function', function: { name: 'f' } }] }) });
    expect(e.rules.map((r) => [r.name, r.outcome])).toEqual([
      ['first', 'no_match'],
      ['second', 'matched'],
      ['third', 'not_reached'],
    ]);
    // A call naming no workflow runs as `default` (issue 14): the rule reads that, and no error.
    expect(e.rules[0]).toMatchObject({ signals: [{ name: 'workflow', value: 'default' }] });
    expect(e.rules[2]!.signals).toEqual([]);
  });

  it('should explain an exact model ID without rules', async () => {
    const e = await explain({ body: CHAT('m-claude') });
    expect(e).toMatchObject({ route: null, rule: null, model: 'm-claude', provider: 'anthropic', rules: [] });
    expect(e.fallback_note).toMatch(/exact model ID/);
  });
});

describe('explainRequest: refusals', () => {
  it('should refuse a call without a key, and one with a key the policy does not know', async () => {
    expect((await explain({ body: CHAT('chain'), key: undefined })).refusal).toMatchObject({
      status: 401,
      code: 'missing_api_key',
      by: 'keys',
    });
    const unknown = await explain({ body: CHAT('chain'), key: 'sk-nobody' });
    expect(unknown).toMatchObject({ key: null, refusal: { status: 401, code: 'invalid_api_key' }, rules: [], call: null });
  });

  it('should take a key by name, by env var, by secret, or from the headers', async () => {
    expect((await explain({ body: CHAT('chain'), key: 'KEY_A' })).key).toEqual({ name: 'a-backend', owner: 'team-a' });
    const bySecret = await explain({ body: CHAT('chain'), key: 'sk-real-secret' }, { KEY_A: 'sk-real-secret' });
    expect(bySecret.key).toEqual({ name: 'a-backend', owner: 'team-a' });
    const byHeader = await explain(
      { body: CHAT('chain'), key: undefined, headers: { Authorization: 'Bearer sk-real-secret' } },
      { KEY_A: 'sk-real-secret' },
    );
    expect(byHeader).toMatchObject({ owner: 'team-a', refusal: null });
  });

  it("should refuse a route outside the key's allow list with 403", async () => {
    const e = await explain({ body: CHAT('pricey'), key: 'b-backend' });
    expect(e.refusal).toMatchObject({ status: 403, code: 'model_not_allowed', by: 'model' });
  });

  it('should refuse family names and unknown models with 404, and a body without messages with 400', async () => {
    expect((await explain({ body: CHAT('gpt') })).refusal).toMatchObject({ status: 404, code: 'model_not_found', by: 'model' });
    expect((await explain({ body: CHAT('gpt-5') })).refusal).toMatchObject({ status: 404, code: 'model_not_found' });
    expect((await explain({ body: { model: 'chain' } })).refusal).toMatchObject({
      status: 400,
      code: 'missing_messages',
      by: 'request',
    });
  });

  it('should refuse a call past a hard-stopped budget, counting the spend given', async () => {
    const e = await explain({ body: CHAT('chain'), given: { monthly_spend_pct: 0.9999 } });
    expect(e.refusal).toMatchObject({ status: 429, code: 'budget_exceeded', by: 'budget' });
    expect(e.budget).toMatchObject({ owner: 'team-a', limit_usd: 10, hard_stop: true, spend_usd: 9.999, reserved_usd: 0 });
    expect(e.call).toBeNull();
    const room = await explain({ body: CHAT('chain'), given: { monthly_spend_pct: 0.5 } });
    expect(room.refusal).toBeNull();
  });

  it("should refuse a call over a route's or an owner's ceiling with 400", async () => {
    const route = await explain({ body: CHAT('pricey') });
    expect(route.refusal).toMatchObject({ status: 400, code: 'request_cost_exceeded' });
    expect(route.budget?.max_request_usd).toBe(0.001);
    const owner = await explain({ body: CHAT('chain'), key: 'b-backend' });
    expect(owner.refusal).toMatchObject({ status: 400, code: 'request_cost_exceeded' });
  });

  it("should refuse what the chosen provider's format cannot carry", async () => {
    const e = await explain({ body: CHAT('m-claude', { n: 2 }) });
    expect(e.refusal).toMatchObject({ status: 400, code: 'unsupported_parameter', by: 'format' });
    const embeddings = await explain({ body: { model: 'm-claude', input: 'hi' }, path: '/embeddings' });
    expect(embeddings.refusal).toMatchObject({ status: 400, code: 'format_not_supported' });
  });
});

describe('explainRequest: fallbacks', () => {
  const TOOLS = { tools: [{ type: 'function', function: { name: 'f' } }], max_tokens: 20, n: 2 };

  it('should list the candidates the plan would skip, and why, and the one it would try', async () => {
    const e = await explain({ body: CHAT('chain', TOOLS) });
    expect(e.model).toBe('m-rule');
    expect(e.fallbacks).toEqual([
      { model: 'm-no-tools', provider: 'openai', action: 'skip', reason: 'missing_capability', capability: 'tools' },
      {
        model: 'm-tiny',
        provider: 'openai',
        action: 'skip',
        reason: 'context_window',
        needed_tokens: expect.any(Number),
        context_window: 20,
      },
      { model: 'm-claude', provider: 'anthropic', action: 'skip', reason: 'format_not_supported' },
      { model: 'm-default', provider: 'openai', action: 'try' },
    ]);
    expect(e.fallbacks[1]!.needed_tokens).toBeGreaterThan(20);
  });

  it('should run the scripted upstream outcomes through the failover plan', async () => {
    const e = await explain({ body: CHAT('chain'), upstream: { 'm-default': [503] } });
    expect(e.call).toMatchObject({
      served: 'm-no-tools',
      fallback_reason: 'http_503',
      status: 200,
      attempts: [
        { model: 'm-default', outcome: 503 },
        { model: 'm-no-tools', outcome: 200 },
      ],
    });
    const failing = await explain({
      body: CHAT('chain'),
      upstream: { 'm-default': ['timeout'], 'm-no-tools': ['connect_error'], 'm-tiny': [400] },
    });
    expect(failing.call).toMatchObject({ served: null, error_model: 'm-tiny', status: 400, attempts: expect.any(Array) });
  });
});
