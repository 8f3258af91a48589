// The most input tokens one image can be billed as, by model and detail level: what the reservation adds per image.
import type { ModelConfig } from '@switchyard/core';

/** Tokens one image can cost at most, at `detail: low` and at `high` (or `auto`, or no detail given). */
export interface ImageTokens {
  readonly low: number;
  readonly high: number;
}

/**
 * OpenAI's tile models fit an image in 2048×2048, scale its short side to 768 and bill a base plus a price per
 * 512-px tile: at most 2×4 tiles (a 768×2048 image); `low` is the base alone. Its patch models bill 32-px
 * patches, at most 1,536, times a multiplier, whatever the detail.
 */
const tiles = (base: number, perTile: number): ImageTokens => ({ low: base, high: base + 8 * perTile });
const patches = (multiplier: number): ImageTokens => {
  const most = Math.ceil(1536 * multiplier);
  return { low: most, high: most };
};

/**
 * By model ID prefix (after any `vendor/`), from OpenAI's vision pricing guide. The longest matching prefix wins.
 * GPT-5 models are counted at the highest of their families' figures (tiles 70 + 140, patches × 2.46).
 */
const BY_PREFIX: ReadonlyArray<readonly [prefix: string, tokens: ImageTokens]> = [
  ['gpt-4o-mini', tiles(2833, 5667)],
  ['gpt-4o', tiles(85, 170)],
  ['chatgpt-4o', tiles(85, 170)],
  ['gpt-4-turbo', tiles(85, 170)],
  ['gpt-4.5', tiles(85, 170)],
  ['gpt-4.1-mini', patches(1.62)],
  ['gpt-4.1-nano', patches(2.46)],
  ['gpt-4.1', tiles(85, 170)],
  ['o4-mini', patches(1.72)],
  ['o1', tiles(75, 150)],
  ['o3', tiles(75, 150)],
  ['gpt-5', patches(2.46)],
];

/**
 * Claude bills w × h / 750 tokens and scales an image down first when its long edge passes 1,568 px or it passes
 * "about 1,600 tokens"; the largest size its table lists, 784 × 1,568, is 1,640. Some margin on that, whatever
 * the detail.
 */
export const CLAUDE_IMAGE_TOKENS: ImageTokens = { low: 1800, high: 1800 };

/**
 * Any other model (Gemini's included: it bills 258 tokens per 768-px tile and documents no largest image): the
 * highest figure of the tables above, gpt-4o-mini's. At 258 tokens a tile that covers images up to about
 * 10,000 × 10,000 px.
 */
export const UNKNOWN_IMAGE_TOKENS: ImageTokens = { low: patches(2.46).low, high: tiles(2833, 5667).high };

const SORTED = [...BY_PREFIX].sort(([a], [b]) => b.length - a.length);

/** The most one image can cost `model`, in input tokens. */
export function imageTokens(model: ModelConfig): ImageTokens {
  const id = model.id.toLowerCase();
  if (id.includes('claude')) return CLAUDE_IMAGE_TOKENS;
  const bare = id.slice(id.lastIndexOf('/') + 1);
  for (const [prefix, tokens] of SORTED) if (bare.startsWith(prefix)) return tokens;
  return UNKNOWN_IMAGE_TOKENS;
}
