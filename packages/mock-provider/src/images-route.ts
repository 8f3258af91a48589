import { INVALID_JSON } from './chat-validation.js';
import { invalidRequest, type OpenAIError } from './errors.js';
import { isRecord } from './guards.js';
import { sniffImageType } from './image-data.js';
import { sendImages } from './image-answer.js';
import { imageSettings } from './image-models.js';
import { field, readMultipart, recordUpload, type FilePart, type MultipartForm } from './multipart.js';
import { checkNumber, invalidValue, missingParameter, unknownKey } from './openai-params.js';
import { openAIPrelude, type StatefulRouteDeps } from './openai-prelude.js';
import { sendError } from './respond.js';
import type { Route } from './router.js';

const GENERATION_FIELDS: ReadonlySet<string> = new Set([
  'prompt',
  'model',
  'n',
  'size',
  'quality',
  'response_format',
  'style',
  'user',
  'background',
  'moderation',
  'output_compression',
  'output_format',
  'partial_images',
  'stream',
]);
const EDIT_FIELDS: ReadonlySet<string> = new Set([
  'image',
  'image[]',
  'mask',
  'prompt',
  'model',
  'n',
  'size',
  'quality',
  'response_format',
  'user',
  'background',
  'input_fidelity',
  'output_compression',
  'output_format',
  'partial_images',
  'stream',
]);
const VARIATION_FIELDS: ReadonlySet<string> = new Set(['image', 'model', 'n', 'size', 'response_format', 'user']);
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const IMAGE_LIMIT_BYTES = 50 * 1024 * 1024;
// DALL·E 2 takes square PNGs under 4 MB only.
const DALL_E_2_LIMIT_BYTES = 4 * 1024 * 1024;

/** `POST /v1/images/generations` (JSON). */
export function imageGenerationsRoute(deps: StatefulRouteDeps): Route {
  return async function imageGenerations({ req, res, call, body, isJson }) {
    if (!isJson || !isRecord(body)) return sendError(res, 400, invalidRequest(INVALID_JSON));
    const problem =
      unknownKey(body, GENERATION_FIELDS) ?? checkPrompt(body.prompt) ?? checkNumber(body, 'partial_images', 0, 3, true);
    if (problem) return sendError(res, 400, problem);
    const settings = imageSettings(body, 'dall-e-2');
    if ('message' in settings) return sendError(res, 400, settings);
    const stream = body.stream === true;
    const behaviour = await openAIPrelude(deps, { req, res }, settings.model, stream, typeof body.model === 'string');
    if (!behaviour) return;
    const partialImages = typeof body.partial_images === 'number' ? body.partial_images : 0;
    const job = {
      settings,
      prompt: String(body.prompt),
      inputImages: 0,
      streamPrefix: 'image_generation',
      partialImages,
    } as const;
    await sendImages(req, res, call, deps.state, job, behaviour, stream);
  };
}

/**
 * `POST /v1/images/edits` and `/v1/images/variations` (multipart/form-data): the images stream through
 * busboy, only their first bytes kept to check the format; the call records fields, file names and sizes.
 */
export function imageUploadRoute(deps: StatefulRouteDeps, kind: 'edits' | 'variations'): Route {
  return async function imageUpload({ req, res, call }) {
    const read = await readMultipart(req, { fileBytes: deps.config.uploadLimitBytes ?? IMAGE_LIMIT_BYTES, headBytes: 16 });
    if (!read.ok) return sendError(res, read.status, invalidRequest(read.message));
    const { form } = read;
    recordUpload(call, form);
    const problem = kind === 'edits' ? checkEdit(form) : checkVariation(form);
    if (problem) return sendError(res, 400, problem);
    const settings = imageSettings(numeric(form.fields), 'dall-e-2');
    if ('message' in settings) return sendError(res, 400, settings);
    const images = form.files.filter((file) => file.field === 'image' || file.field === 'image[]');
    const sizeProblem = settings.family === 'dall-e-2' ? checkDallE2(images) : undefined;
    if (sizeProblem) return sendError(res, 400, sizeProblem);
    const stream = field(form, 'stream') === 'true';
    const behaviour = await openAIPrelude(deps, { req, res }, settings.model, stream, field(form, 'model') !== undefined);
    if (!behaviour) return;
    const partialImages = Number(field(form, 'partial_images') ?? 0);
    const prompt = field(form, 'prompt') ?? '';
    const job = { settings, prompt, inputImages: images.length, streamPrefix: 'image_edit', partialImages } as const;
    await sendImages(req, res, call, deps.state, job, behaviour, stream);
  };
}

function checkPrompt(prompt: unknown): OpenAIError | undefined {
  if (prompt === undefined || prompt === null) return missingParameter('prompt');
  if (typeof prompt !== 'string' || prompt.length === 0)
    return invalidRequest("Invalid 'prompt': empty string.", 'prompt', 'empty_string');
  return undefined;
}

function checkEdit(form: MultipartForm): OpenAIError | undefined {
  return (
    unknownField(form, EDIT_FIELDS) ??
    checkImages(form, true) ??
    checkPrompt(field(form, 'prompt')) ??
    checkFile(
      form.files.find((file) => file.field === 'mask'),
      'mask',
    )
  );
}

function checkVariation(form: MultipartForm): OpenAIError | undefined {
  const model = field(form, 'model');
  if (model !== undefined && model !== 'dall-e-2') return invalidValue('model', model, ['dall-e-2']);
  return unknownField(form, VARIATION_FIELDS) ?? checkImages(form, false);
}

function unknownField(form: MultipartForm, known: ReadonlySet<string>): OpenAIError | undefined {
  const names = [...Object.keys(form.fields), ...form.files.map((file) => file.field)];
  const unknown = names.find((name) => !known.has(name));
  return unknown === undefined ? undefined : unknownKey({ [unknown]: true }, known);
}

function checkImages(form: MultipartForm, many: boolean): OpenAIError | undefined {
  const images = form.files.filter((file) => file.field === 'image' || (many && file.field === 'image[]'));
  if (images.length === 0) return missingParameter('image');
  for (const image of images) {
    const problem = checkFile(image, 'image');
    if (problem) return problem;
  }
  return undefined;
}

function checkFile(file: FilePart | undefined, param: string): OpenAIError | undefined {
  if (!file) return undefined;
  const type = sniffImageType(file.head.toString('base64'));
  if (type !== undefined && IMAGE_TYPES.includes(type)) return undefined;
  return invalidRequest(
    `Invalid file '${param}': unsupported mimetype ('${file.contentType}'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.`,
    param,
    'unsupported_file_mimetype',
  );
}

function checkDallE2(images: readonly FilePart[]): OpenAIError | undefined {
  const bad = images.find(
    (image) => image.bytes >= DALL_E_2_LIMIT_BYTES || sniffImageType(image.head.toString('base64')) !== 'image/png',
  );
  return bad ? invalidRequest('Uploaded image must be a PNG and less than 4 MB.', 'image') : undefined;
}

// Multipart fields are strings; the shared checks read `n` and `partial_images` as numbers.
function numeric(fields: MultipartForm['fields']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const one = Array.isArray(value) ? value[0] : value;
    out[name] = (name === 'n' || name === 'partial_images') && one !== undefined && /^\d+$/.test(one) ? Number(one) : one;
  }
  return out;
}
