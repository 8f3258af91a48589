import { parseRequest, RoutingContext, type ModelConfig, type SignalReader } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { tokenBound } from './rate-tokens.js';

const model = (cap?: number): ModelConfig => ({ id: 'm', provider: 'p', capabilities: new Set(), maxOutputTokens: cap });

async function context(path: string, body: Record<string, unknown>, upperBound: () => number | undefined) {
  const raw = Buffer.from(JSON.stringify(body));
  const ctx = new RoutingContext();
  await ctx.parse(() => Promise.resolve(parseRequest({ path, body, raw, headers: {}, rawHeaders: [] })));
  ctx.signals = { upperBound } as unknown as SignalReader;
  return { ctx, raw };
}

describe('tokenBound()', () => {
  it("should add the prompt's bound and the output cap times the answers asked for", async () => {
    const { ctx } = await context(
      '/chat/completions',
      { model: 'm', messages: [{ role: 'user', content: 'x' }], n: 3, max_tokens: 50 },
      () => 10,
    );
    expect(tokenBound(ctx, [model(1000)])).toBe(10 + 150);
    expect(tokenBound(ctx, [model(20), model(40)])).toBe(10 + 3 * 40);
    // A serving model without any cap: the request's own.
    expect(tokenBound(ctx, [model(20), model()])).toBe(10 + 150);
  });

  it('should count only the prompt when nothing caps the output, and fall back to the body when the prompt cannot be walked', async () => {
    const { ctx } = await context('/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, () => 7);
    expect(tokenBound(ctx, [model()])).toBe(7);
    const deep = await context('/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, () => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    expect(tokenBound(deep.ctx, [model(5)])).toBe(deep.raw.length + 5);
  });

  it('should count completions prompts times the larger of n and best_of, and nothing out for embeddings', async () => {
    const { ctx } = await context('/completions', { model: 'm', prompt: ['a', 'b'], n: 2, best_of: 3, max_tokens: 10 }, () => 4);
    expect(ctx.request!.completions).toBe(6);
    expect(tokenBound(ctx, [model(100)])).toBe(4 + 60);
    const embeddings = await context('/embeddings', { model: 'm', input: 'abc', max_tokens: 10 }, () => 3);
    expect(tokenBound(embeddings.ctx, [model(100)])).toBe(3);
  });
});
