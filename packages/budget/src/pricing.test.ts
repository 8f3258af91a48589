import type { ModelConfig } from '@switchyard/core';
import { usageIn } from '@switchyard/formats';
import { describe, expect, it } from 'vitest';
import { costOf, usdHeader, worstCase } from './pricing.js';

const GPT4O = { input: 2.5, output: 10, cachedInput: 1.25 };
const SONNET = { input: 3, output: 15 };
const usage = (json: object) => usageIn(Buffer.from(JSON.stringify({ usage: json })))!;

function model(extra: Partial<ModelConfig> = {}): ModelConfig {
  return { id: 'm', provider: 'p', capabilities: new Set(), price: GPT4O, ...extra };
}

describe('costOf()', () => {
  it('should price OpenAI chat usage, cached tokens at the cached price', () => {
    // 1000 fresh input at 2.50, 2000 cached at 1.25, 500 output at 10 (per 1M).
    const u = usage({ prompt_tokens: 3000, completion_tokens: 500, prompt_tokens_details: { cached_tokens: 2000 } });
    expect(costOf(u, GPT4O)).toBeCloseTo((1000 * 2.5 + 2000 * 1.25 + 500 * 10) / 1e6, 12);
  });

  it('should price the Responses API usage shape the same way', () => {
    const u = usage({ input_tokens: 3000, output_tokens: 500, input_tokens_details: { cached_tokens: 2000 } });
    expect(costOf(u, GPT4O)).toBeCloseTo(0.01, 12);
  });

  it('should price Anthropic usage: input excludes the cache, cache reads are cached, cache writes are input', () => {
    const u = usage({ input_tokens: 100, cache_creation_input_tokens: 400, cache_read_input_tokens: 5000, output_tokens: 200 });
    // No cached price: cache reads at the input price.
    expect(costOf(u, SONNET)).toBeCloseTo((5500 * 3 + 200 * 15) / 1e6, 12);
    expect(costOf(u, { ...SONNET, cachedInput: 0.3 })).toBeCloseTo((500 * 3 + 5000 * 0.3 + 200 * 15) / 1e6, 12);
  });

  it('should price cache writes at cache_write, Anthropic-style (1.25x input)', () => {
    const u = usage({ input_tokens: 100, cache_creation_input_tokens: 400, cache_read_input_tokens: 5000, output_tokens: 200 });
    const priced = { ...SONNET, cachedInput: 0.3, cacheWrite: 3.75 };
    expect(costOf(u, priced)).toBeCloseTo((100 * 3 + 400 * 3.75 + 5000 * 0.3 + 200 * 15) / 1e6, 12);
  });

  it('should reserve input at the dearer of the input and cache-write prices, so a cache write cannot overspend', () => {
    const priced = model({ price: { input: 3, output: 15, cacheWrite: 3.75 }, maxOutputTokens: 100 });
    expect(worstCase({ inputTokens: 1000, endpoint: 'chat' }, priced)).toBeCloseTo((1000 * 3.75 + 100 * 15) / 1e6, 12);
  });

  it('should never let cached tokens above the input count make the cost negative', () => {
    expect(costOf({ inputTokens: 10, outputTokens: 0, cachedInputTokens: 50 }, GPT4O)).toBeCloseTo((10 * 1.25) / 1e6, 12);
  });
});

describe('worstCase()', () => {
  const size = { inputTokens: 1000, endpoint: 'chat' as const };

  it('should bound the answer by max_tokens, the model cap if lower, else the context window', () => {
    expect(worstCase({ ...size, maxOutputTokens: 100 }, model({ maxOutputTokens: 16384 }))).toBeCloseTo(
      (1000 * 2.5 + 100 * 10) / 1e6,
      12,
    );
    expect(worstCase({ ...size, maxOutputTokens: 99999 }, model({ maxOutputTokens: 16384 }))).toBeCloseTo(
      (1000 * 2.5 + 16384 * 10) / 1e6,
      12,
    );
    expect(worstCase(size, model({ contextWindow: 128000 }))).toBeCloseTo((1000 * 2.5 + 128000 * 10) / 1e6, 12);
  });

  it('should have no bound without a price or any cap, and no output for embeddings', () => {
    expect(worstCase(size, model({ price: undefined, maxOutputTokens: 10 }))).toBeUndefined();
    expect(worstCase(size, model())).toBeUndefined();
    expect(worstCase({ inputTokens: 1000, endpoint: 'embeddings' }, model())).toBeCloseTo(0.0025, 12);
  });

  it("should count every answer asked for, each image at the model's bound, and predicted output", () => {
    const capped = model({ id: 'gpt-4o-2024-08-06', maxOutputTokens: 16384 });
    // 128 answers of 4096 tokens, 2 high-detail images at 1,445 tokens and 1 low at 85, 10 predicted tokens.
    const size128 = { ...size, maxOutputTokens: 4096, completions: 128, images: { low: 1, high: 2 }, extraOutputTokens: 10 };
    expect(worstCase(size128, capped)).toBeCloseTo(((1000 + 2 * 1445 + 85) * 2.5 + (128 * 4096 + 10) * 10) / 1e6, 12);
    // The same images on gpt-4o-mini cost its own (larger) token counts.
    expect(worstCase({ ...size, maxOutputTokens: 0, images: { low: 0, high: 1 } }, model({ id: 'gpt-4o-mini' }))).toBeCloseTo(
      ((1000 + 48_169) * 2.5) / 1e6,
      12,
    );
  });

  it('should have no bound for a request the upstream may bill without one', () => {
    expect(
      worstCase({ ...size, maxOutputTokens: 10, unbounded: 'previous_response_id' }, model({ maxOutputTokens: 10 })),
    ).toBeUndefined();
  });
});

describe('usdHeader()', () => {
  it('should print plain decimals without exponent or trailing zeros', () => {
    expect(usdHeader(0.0000001)).toBe('0.0000001');
    expect(usdHeader(1.5)).toBe('1.5');
    expect(usdHeader(0)).toBe('0');
    expect(usdHeader(0.0000000004)).toBe('0');
  });
});

describe('usdText()', () => {
  it('should show cents from a dollar up and three significant digits below', async () => {
    const { usdText } = await import('./pricing.js');
    expect([500, 1, 0.5, 0.0152, 0.001, 0.00072, 0.00000012, 0].map(usdText)).toEqual([
      '$500.00',
      '$1.00',
      '$0.50',
      '$0.0152',
      '$0.001',
      '$0.00072',
      '$0.00000012',
      '$0.00',
    ]);
  });
});
