// servingModels: what the budget prices before a call is every model that may serve it, the workflow's
// allowed fallbacks in place of the route's.
import { parsePolicy, servingModels } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { highestWorstCase } from './estimate.js';
import { requestShape } from './shape.js';

const POLICY = parsePolicy(
  `version: 1
providers:
  a: { format: openai, base_url: https://a.test/v1 }
models:
  main: { provider: a, max_output_tokens: 1000, price: { input: 1, output: 1 } }
  cheap: { provider: a, max_output_tokens: 1000, price: { input: 1, output: 1 } }
  pricey: { provider: a, max_output_tokens: 1000, price: { input: 100, output: 100 } }
routes:
  chat: { default: main, fallbacks: [cheap] }
  strict: { default: main }
workflows:
  widened: { fallback: { allowed: [pricey] } }
  guarded: { fallback: { blocked: [cheap] } }
`,
  'policy.yaml',
  { env: {} },
);

const ids = (models: readonly { id: string }[]) => models.map((m) => m.id);

describe('servingModels', () => {
  const serving = servingModels(POLICY);
  const chat = { kind: 'route', route: 'chat', rule: 'default', model: 'main' } as const;

  it("should price the route's fallbacks when the workflow changes nothing", () => {
    expect(ids(serving(chat))).toEqual(['main', 'cheap']);
    expect(ids(serving({ kind: 'exact', model: 'main' }))).toEqual(['main']);
  });

  it("should price the workflow's fallback.allowed in place of the route's, for a strict route and an exact ID too", () => {
    const widened = POLICY.workflows.get('widened');
    expect(ids(serving(chat, widened))).toEqual(['main', 'pricey']);
    expect(ids(serving({ ...chat, route: 'strict' }, widened))).toEqual(['main', 'pricey']);
    expect(ids(serving({ kind: 'exact', model: 'main' }, widened))).toEqual(['main', 'pricey']);
    // The reservation is the pricey fallback's worst case, not the route's cheap one.
    const body = { model: 'chat', messages: [{ role: 'user', content: 'hi' }] };
    const size = requestShape({ endpoint: 'chat', body, raw: Buffer.from(JSON.stringify(body)) } as never);
    expect(highestWorstCase(size, serving(chat, widened))).toBeGreaterThan(50 * highestWorstCase(size, serving(chat))!);
  });

  it('should leave out what the workflow blocks', () => {
    expect(ids(serving(chat, POLICY.workflows.get('guarded')))).toEqual(['main']);
  });
});
