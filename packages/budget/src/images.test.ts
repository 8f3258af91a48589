// The per-image bounds against the providers' documented formulas, over every image size and detail level.
import type { ModelConfig } from '@switchyard/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLAUDE_IMAGE_TOKENS, imageTokens, UNKNOWN_IMAGE_TOKENS } from './images.js';

const model = (id: string): ModelConfig => ({ id, provider: 'p', capabilities: new Set() });

/** OpenAI's tile models: fit in 2048², shrink the short side to 768, then base + per 512-px tile (`low`: base only). */
function tileTokens(w: number, h: number, detail: string, base: number, perTile: number): number {
  if (detail === 'low') return base;
  let scale = Math.min(1, 2048 / Math.max(w, h));
  let [sw, sh] = [w * scale, h * scale];
  scale = Math.min(1, 768 / Math.min(sw, sh));
  [sw, sh] = [sw * scale, sh * scale];
  return base + perTile * Math.ceil(sw / 512) * Math.ceil(sh / 512);
}

/** OpenAI's patch models: 32-px patches, at most 1,536 (larger images are shrunk to fit), times a multiplier. */
function patchTokens(w: number, h: number, multiplier: number): number {
  let patches = Math.ceil(w / 32) * Math.ceil(h / 32);
  if (patches > 1536) {
    const shrink = Math.sqrt((1536 * 32 * 32) / (w * h));
    patches = Math.min(1536, Math.ceil((w * shrink) / 32) * Math.ceil((h * shrink) / 32));
  }
  return Math.ceil(patches * multiplier);
}

/** Claude: long edge at most 1,568 px and no more pixels than its largest listed size (784 × 1,568), then w × h / 750. */
function claudeTokens(w: number, h: number): number {
  const scale = Math.min(1, 1568 / Math.max(w, h), Math.sqrt((784 * 1568) / (w * h)));
  return Math.ceil((w * scale * (h * scale)) / 750);
}

const FAMILIES: ReadonlyArray<readonly [id: string, billed: (w: number, h: number, detail: string) => number]> = [
  ['gpt-4o-2024-08-06', (w, h, d) => tileTokens(w, h, d, 85, 170)],
  ['gpt-4o-mini-2024-07-18', (w, h, d) => tileTokens(w, h, d, 2833, 5667)],
  ['openai/gpt-4.1-2025-04-14', (w, h, d) => tileTokens(w, h, d, 85, 170)],
  ['o1-2024-12-17', (w, h, d) => tileTokens(w, h, d, 75, 150)],
  ['gpt-4.1-mini', (w, h) => patchTokens(w, h, 1.62)],
  ['gpt-4.1-nano', (w, h) => patchTokens(w, h, 2.46)],
  ['o4-mini-2025-04-16', (w, h) => patchTokens(w, h, 1.72)],
  ['gpt-5-mini', (w, h, d) => Math.max(patchTokens(w, h, 2.46), tileTokens(w, h, d, 70, 140))],
  ['claude-sonnet-4-5-20250929', (w, h) => claudeTokens(w, h)],
  ['us.anthropic.claude-3-7-sonnet', (w, h) => claudeTokens(w, h)],
  ['some-vision-model', (w, h, d) => tileTokens(w, h, d, 2833, 5667)],
];

describe('imageTokens()', () => {
  it.each(FAMILIES)('should bound what %s bills for any image size and detail', (id, billed) => {
    const bound = imageTokens(model(id));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.constantFrom('low', 'high', 'auto'),
        (w, h, detail) => billed(w, h, detail) <= (detail === 'low' ? bound.low : bound.high),
      ),
      { numRuns: 300 },
    );
    // The bound is reached (Claude's with a margin): it is the largest billable figure, not a guess above it.
    const largest = Math.max(billed(768, 2048, 'high'), billed(2048, 768, 'high'), billed(784, 1568, 'high'));
    expect(largest).toBe(id.includes('claude') ? 1640 : bound.high);
  });

  it('should take the longest prefix, and the highest figures for a model it does not know', () => {
    expect(imageTokens(model('gpt-4o-mini'))).toEqual({ low: 2833, high: 48_169 });
    expect(imageTokens(model('GPT-4o-2024-05-13'))).toEqual({ low: 85, high: 1445 });
    expect(imageTokens(model('claude-opus-4-1'))).toBe(CLAUDE_IMAGE_TOKENS);
    expect(imageTokens(model('gemini-2.5-pro'))).toBe(UNKNOWN_IMAGE_TOKENS);
    expect(UNKNOWN_IMAGE_TOKENS).toEqual({ low: 3779, high: 48_169 });
  });
});
