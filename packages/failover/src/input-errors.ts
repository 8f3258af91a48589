// Whether an upstream's 4xx error says the request's input has a type the model does not take (an image to a
// text-only model, a PDF where files are not supported): the outcome `unsupported_input`.

/** The longest error body read; errors are short, and a long body is not an error message. */
const MAX_BODY = 64 * 1024;

/**
 * Phrases providers use for an input they cannot take, matched on the error's message, code and type (OpenAI's
 * `invalid_image_format`, "Image input is not supported for this model", Anthropic's "…does not support image
 * input", Gemini's "Unsupported MIME type"). A heuristic on wording, not a protocol: it errs on the side of
 * saying no, and then the 4xx is judged by its status class alone.
 */
const UNSUPPORTED_INPUT = [
  /\bunsupported[\s_-]+(image|media|mime|file|content|input|audio|video|document|pdf|modality)/i,
  /\b(image|images|audio|video|file|files|pdf|document|mime[\s_-]?type|media[\s_-]?type|content[\s_-]?type|input[\s_-]?type|modalit(y|ies))\b[^.]{0,60}\b(not supported|unsupported|not allowed|cannot be processed)/i,
  /\bdoes not support\b[^.]{0,40}\b(image|images|vision|audio|video|file|files|pdf|document)/i,
  /\binvalid[\s_-]?image|image[\s_-]?parse[\s_-]?error/i,
];

/** Whether `body`, a provider's JSON error, says the input's type is not supported. */
export function saysUnsupportedInput(body: Buffer): boolean {
  if (body.length === 0 || body.length > MAX_BODY) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return false;
  }
  return errorTexts(parsed).some((text) => UNSUPPORTED_INPUT.some((pattern) => pattern.test(text)));
}

/** The message, code, type and status of an OpenAI, Anthropic or Gemini error body (each shape nests them in `error`). */
function errorTexts(body: unknown): string[] {
  const error = isObject(body) && isObject(body.error) ? body.error : body;
  if (!isObject(error)) return [];
  return [error.message, error.code, error.type, error.status].filter((v): v is string => typeof v === 'string');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
