// What each image model family accepts and reports, as OpenAI documents it.
import { estimateTokens } from './chat-reply.js';
import type { OpenAIError } from './errors.js';
import { checkEnum, checkNumber, unknownParameter } from './openai-params.js';

/** `dall-e-2`, `dall-e-3`, or a token-billed model (`gpt-image-*` and any other name). */
export type ImageFamily = 'dall-e-2' | 'dall-e-3' | 'gpt-image';

/** The family of `model`; names the mock does not know are treated like `gpt-image-*`. */
export function imageFamily(model: string): ImageFamily {
  if (model === 'dall-e-2' || model === 'dall-e-3') return model;
  return 'gpt-image';
}

const SIZES: Readonly<Record<ImageFamily, readonly string[]>> = {
  'dall-e-2': ['256x256', '512x512', '1024x1024'],
  'dall-e-3': ['1024x1024', '1792x1024', '1024x1792'],
  'gpt-image': ['1024x1024', '1536x1024', '1024x1536', 'auto'],
};
const QUALITIES: Readonly<Record<ImageFamily, readonly string[]>> = {
  'dall-e-2': ['standard'],
  'dall-e-3': ['standard', 'hd'],
  'gpt-image': ['low', 'medium', 'high', 'auto'],
};
// Output tokens of one gpt-image-1 picture by quality, for square and for oblong sizes (OpenAI's price table).
const OUTPUT_TOKENS: Readonly<Record<string, readonly [number, number]>> = {
  low: [272, 408],
  medium: [1056, 1584],
  high: [4160, 6240],
};
/** Input tokens the mock bills for each uploaded image (an estimate). */
export const IMAGE_INPUT_TOKENS = 194;

/** The settings of one image request after defaults. */
export interface ImageSettings {
  readonly model: string;
  readonly family: ImageFamily;
  readonly n: number;
  /** `WxH`, with `auto` resolved to 1024x1024. */
  readonly size: string;
  readonly quality: string;
  /** `url` or `b64_json`; gpt-image models always answer `b64_json`. */
  readonly responseFormat: 'url' | 'b64_json';
}

/**
 * Checks the fields common to generations, edits and variations against the model's family (`n`, `size`,
 * `quality`, `response_format`, which gpt-image models refuse as unknown) and fills in the defaults.
 */
export function imageSettings(fields: Readonly<Record<string, unknown>>, defaultModel: string): ImageSettings | OpenAIError {
  const model = typeof fields.model === 'string' && fields.model.length > 0 ? fields.model : defaultModel;
  const family = imageFamily(model);
  if (family === 'gpt-image' && model.startsWith('gpt-image') && fields.response_format != null) {
    return unknownParameter('response_format');
  }
  const problem =
    checkNumber(fields as Record<string, unknown>, 'n', 1, family === 'dall-e-3' ? 1 : 10, true) ??
    checkEnum(fields as Record<string, unknown>, 'size', SIZES[family]) ??
    checkEnum(fields as Record<string, unknown>, 'quality', QUALITIES[family]) ??
    checkEnum(fields as Record<string, unknown>, 'response_format', ['url', 'b64_json']);
  if (problem) return problem;
  const size = typeof fields.size === 'string' && fields.size !== 'auto' ? fields.size : '1024x1024';
  const quality =
    typeof fields.quality === 'string' && fields.quality !== 'auto'
      ? fields.quality
      : family === 'gpt-image'
        ? 'medium'
        : 'standard';
  const format = fields.response_format === 'url' || fields.response_format === 'b64_json' ? fields.response_format : undefined;
  const responseFormat = format ?? (family === 'gpt-image' ? 'b64_json' : 'url');
  return { model, family, n: typeof fields.n === 'number' ? fields.n : 1, size, quality, responseFormat };
}

/** Width and height of a `WxH` size. */
export function dimensions(size: string): { readonly width: number; readonly height: number } {
  const [width, height] = size.split('x').map(Number);
  return { width: width ?? 1024, height: height ?? 1024 };
}

/** The `usage` a token-billed image model reports: prompt (and input image) tokens in, picture tokens out. */
export function imageUsage(settings: ImageSettings, prompt: string, inputImages: number): Record<string, unknown> {
  const { width, height } = dimensions(settings.size);
  const perImage = OUTPUT_TOKENS[settings.quality] ?? OUTPUT_TOKENS.medium!;
  const output = perImage[width === height ? 0 : 1] * settings.n;
  const text = estimateTokens(prompt);
  const image = inputImages * IMAGE_INPUT_TOKENS;
  return {
    total_tokens: text + image + output,
    input_tokens: text + image,
    output_tokens: output,
    input_tokens_details: { text_tokens: text, image_tokens: image },
  };
}
