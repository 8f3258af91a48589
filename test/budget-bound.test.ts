// The hard stop's invariant, against an upstream that bills every call the most the real API could: whatever the
// request's shape (n, best_of, prompts, max_tokens, images, prompt sizes, streams) and however many run at once,
// final spend never passes the owner's limit. The reservation is an upper bound of the bill, so the slack the
// invariant allows (calls billed past their reservation) is zero here.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageUrl, startBillingUpstream, type BillingUpstream } from '../packages/budget/test/billing-upstream.js';
import { startRedis, type TestRedis } from '../packages/budget/test/redis.js';
import { startBudgetGateway, type BudgetGateway } from './helpers/budget-gateway.js';

const MINI = { id: 'gpt-4o-mini', input: 0.15, output: 0.6, cap: 16_384 };
const GPT4O = { id: 'gpt-4o-2024-08-06', input: 2.5, output: 10, cap: 16_384 };
/** One owner (and key) per property run, shrinking included, so that runs never share spend. */
const OWNERS = 400;
/** Each owner's limit, USD: small enough that most runs hit it. */
const limitOf = (i: number) => [0.002, 0.01, 0.05, 0.2, 5][i % 5]!;

let upstream: BillingUpstream;
beforeAll(async () => {
  upstream = await startBillingUpstream({ outputCaps: { [MINI.id]: MINI.cap, [GPT4O.id]: GPT4O.cap } });
});
afterAll(() => upstream?.close());

function policy(store: string): string {
  const owners = Array.from({ length: OWNERS }, (_, i) => `    o${i}: { monthly_usd: ${limitOf(i)}, hard_stop: true }`);
  const keys = Array.from(
    { length: OWNERS },
    (_, i) => `  - { name: k${i}, secret: { sha256: ${sha256(`sk-${i}`)} }, owner: o${i} }`,
  );
  return `version: 1
providers:
  billing: { format: openai, base_url: ${upstream.url} }
models:
  ${MINI.id}: { provider: billing, max_output_tokens: ${MINI.cap}, capabilities: [tools, json_schema, streaming, vision], price: { input: ${MINI.input}, output: ${MINI.output} } }
  ${GPT4O.id}: { provider: billing, max_output_tokens: ${GPT4O.cap}, capabilities: [tools, json_schema, streaming, vision], price: { input: ${GPT4O.input}, output: ${GPT4O.output} } }
routes:
  smart: { default: ${MINI.id}, fallbacks: [${GPT4O.id}] }
budgets:
${store}  owners:
${owners.join('\n')}
keys:
${keys.join('\n')}
`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

async function post(g: BudgetGateway, key: string, path: string, body: unknown): Promise<{ status: number; code?: string }> {
  const res = await fetch(`${g.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    // A stream: no error code.
  }
  return { status: res.status, code };
}

const text = fc.string({ unit: 'grapheme', maxLength: 600 });
/** Often small, so that images and prompts, not the output, decide whether a call fits. */
const outputLimit = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 4096 }));
const image = fc.record({
  type: fc.constant('image_url'),
  image_url: fc.record({
    url: fc.tuple(fc.integer({ min: 1, max: 6000 }), fc.integer({ min: 1, max: 6000 })).map(([w, h]) => imageUrl(w, h)),
    detail: fc.constantFrom('low', 'high', 'auto', undefined),
  }),
});
const chatCall = fc.record({
  path: fc.constant('/chat/completions'),
  body: fc.record(
    {
      model: fc.constantFrom('smart', MINI.id, GPT4O.id),
      messages: fc.array(
        fc.record({
          role: fc.constantFrom('user', 'system', 'assistant'),
          content: fc.oneof(text, fc.array(fc.oneof(fc.record({ type: fc.constant('text'), text }), image), { maxLength: 6 })),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      n: fc.integer({ min: 1, max: 16 }),
      max_tokens: outputLimit,
      max_completion_tokens: outputLimit,
      stream: fc.boolean(),
      tools: fc.constant([{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }]),
    },
    { requiredKeys: ['model', 'messages'] },
  ),
});
const completionsCall = fc.record({
  path: fc.constant('/completions'),
  body: fc.record(
    {
      model: fc.constantFrom('smart', MINI.id, GPT4O.id),
      prompt: fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 3 })),
      n: fc.integer({ min: 1, max: 8 }),
      best_of: fc.integer({ min: 1, max: 8 }),
      max_tokens: outputLimit,
    },
    { requiredKeys: ['model', 'prompt'] },
  ),
});
const burst = fc.array(fc.oneof(chatCall, completionsCall), { minLength: 1, maxLength: 24 });

/** Runs `runs` random bursts, each from a fresh owner, and checks spend against the limit after each. */
async function spendNeverPassesTheLimit(g: BudgetGateway, runs: number): Promise<void> {
  let run = 0;
  const statuses = { served: 0, refused: 0 };
  await fc.assert(
    fc.asyncProperty(burst, async (calls) => {
      const i = run++ % OWNERS;
      const results = await Promise.all(calls.map((c) => post(g, `sk-${i}`, c.path, c.body)));
      await g.settled();
      for (const r of results) {
        expect(r.status === 200 || (r.status === 429 && r.code === 'budget_exceeded'), JSON.stringify(r)).toBe(true);
        statuses[r.status === 200 ? 'served' : 'refused']++;
      }
      const { spendUsd, reservedUsd } = await g.compiled.budget.spend(`o${i}`);
      expect(reservedUsd).toBe(0);
      expect(spendUsd).toBeLessThanOrEqual(limitOf(i));
    }),
    { numRuns: runs },
  );
  // Not vacuous: calls were served up to the limits, and refused past them.
  expect(statuses.served).toBeGreaterThan(runs);
  expect(statuses.refused).toBeGreaterThan(0);
}

describe('the hard stop against an upstream that bills the most it can', () => {
  it('should never let 40 concurrent n: 128 calls spend past $5 (they spent $12.90 when n was not counted)', async () => {
    const g = await startBudgetGateway({ yaml: policy('') });
    try {
      const owner = 4; // $5
      const results = await Promise.all(
        Array.from({ length: 40 }, () =>
          post(g, `sk-${owner}`, '/chat/completions', {
            model: MINI.id,
            n: 128,
            max_tokens: 4096,
            messages: [{ role: 'user', content: 'Write me a story.' }],
          }),
        ),
      );
      await g.settled();
      const served = results.filter((r) => r.status === 200).length;
      const { spendUsd } = await g.compiled.budget.spend(`o${owner}`);
      // Each call can bill 128 × 4096 output tokens: $0.3146. Fifteen fit in $5.
      expect(served).toBe(15);
      expect(results.filter((r) => r.status === 429 && r.code === 'budget_exceeded')).toHaveLength(25);
      expect(spendUsd).toBeLessThanOrEqual(5);
      expect(spendUsd).toBeGreaterThan(4.7);
    } finally {
      await g.close();
    }
  });

  it("should refuse with 400 cost_unbounded a hard-stopped owner's call that the upstream could bill without bound", async () => {
    const g = await startBudgetGateway({ yaml: policy('') });
    try {
      const calls: Array<[path: string, body: Record<string, unknown>, names: RegExp]> = [
        ['/responses', { model: MINI.id, input: 'and then?', previous_response_id: 'resp_1' }, /previous_response_id/],
        [
          '/chat/completions',
          {
            model: MINI.id,
            messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'UklG', format: 'wav' } }] }],
          },
          /audio input \(the policy has no audio price\)/,
        ],
        ['/responses', { model: MINI.id, input: 'news?', tools: [{ type: 'web_search' }] }, /the built-in tool "web_search"/],
      ];
      const billedBefore = upstream.billed.calls;
      for (const [path, body, names] of calls) {
        const res = await fetch(`${g.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer sk-4' },
          body: JSON.stringify(body),
        });
        const { error } = (await res.json()) as { error: { code: string; message: string } };
        expect(res.status).toBe(400);
        expect(error.code).toBe('cost_unbounded');
        expect(error.message).toMatch(names);
        expect(error.message).toMatch(
          /^The cost of this call on "gpt-4o-mini" has no upper bound: it uses .+ Its owner has a hard stop/,
        );
      }
      // Refused before any upstream call.
      expect(upstream.billed.calls).toBe(billedBefore);
    } finally {
      await g.close();
    }
  });

  it('should keep spend within the limit for random request shapes and bursts (memory store)', async () => {
    const g = await startBudgetGateway({ yaml: policy('') });
    try {
      await spendNeverPassesTheLimit(g, 25);
    } finally {
      await g.close();
    }
  });

  describe('on Redis', () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(() => redis?.close());

    it('should keep spend within the limit for random request shapes and bursts (Redis store)', async () => {
      const g = await startBudgetGateway({
        yaml: policy('  store: { redis: { url: { env: REDIS_URL } } }\n'),
        env: { REDIS_URL: redis.url },
      });
      try {
        await spendNeverPassesTheLimit(g, 8);
      } finally {
        await g.close();
      }
    });
  });
});
