// Gemini `generationConfig` → the OpenAI chat request's sampling, length, stop and output-format fields.
import { invalidField, isRecord, unsupportedField, type JsonObject } from '../json.js';
import { checkDepth, fromGeminiSchema } from './schema.js';

const AT = 'generationConfig';

/** Read by `responseFormat()`. */
const FORMAT_KEYS: ReadonlySet<string> = new Set(['responseMimeType', 'responseSchema', 'responseJsonSchema']);

/** Same meaning on both sides, renamed. */
const NUMBERS: ReadonlyMap<string, string> = new Map([
  ['temperature', 'temperature'],
  ['topP', 'top_p'],
  ['presencePenalty', 'presence_penalty'],
  ['frequencyPenalty', 'frequency_penalty'],
]);

/** Reads `generationConfig`; throws a 400 SwitchyardError for what cannot be translated. */
export function chatSampling(config: unknown, dropped: string[]): JsonObject {
  if (config === undefined || config === null) return {};
  if (!isRecord(config)) throw invalidField(AT, `\`${AT}\` must be an object.`);
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined || value === null) continue;
    const at = `${AT}.${key}`;
    const renamed = NUMBERS.get(key);
    if (renamed !== undefined) out[renamed] = number(value, at);
    else if (key === 'maxOutputTokens') out.max_tokens = positiveInteger(value, at);
    else if (key === 'seed') out.seed = integer(value, at);
    else if (key === 'stopSequences') {
      if (!Array.isArray(value) || !value.every((s): s is string => typeof s === 'string')) {
        throw invalidField(at, `\`${at}\` must be an array of strings.`);
      }
      if (value.length > 0) out.stop = value;
    } else if (key === 'candidateCount') {
      if (positiveInteger(value, at) > 1)
        throw unsupportedField(at, '`candidateCount` above 1 cannot be served by this model: it returns one candidate.');
    } else if (key === 'responseModalities') refuseNonText(value, at);
    else if (key === 'responseLogprobs' || key === 'logprobs') {
      if (value !== false) throw unsupportedField(at, 'Log probabilities are not available from this model.');
    } else if (key === 'speechConfig') throw unsupportedField(at, 'Audio output is not available from this model.');
    else if (!FORMAT_KEYS.has(key)) dropped.push(at); // topK, thinkingConfig, mediaResolution, imageConfig, …
  }
  const format = responseFormat(config);
  if (format) out.response_format = format;
  return out;
}

/**
 * `responseMimeType: application/json` → `response_format`: `json_schema` with `responseSchema` (as JSON
 * Schema) or `responseJsonSchema` (as it is), else `json_object`. `text/plain` is the default; other
 * types (`text/x.enum`) are refused.
 */
function responseFormat(config: JsonObject): JsonObject | undefined {
  const mime = config.responseMimeType ?? 'text/plain';
  if (typeof mime !== 'string') throw invalidField(`${AT}.responseMimeType`, `\`${AT}.responseMimeType\` must be a string.`);
  const gemini = present(config.responseSchema);
  const json = present(config.responseJsonSchema);
  if (gemini && json) {
    throw invalidField(AT, `\`${AT}\` may set \`responseSchema\` or \`responseJsonSchema\`, not both.`);
  }
  if (mime === 'text/plain') {
    if (gemini || json) {
      const key = gemini ? 'responseSchema' : 'responseJsonSchema';
      throw invalidField(`${AT}.${key}`, `\`${AT}.${key}\` needs \`responseMimeType: "application/json"\`.`);
    }
    return undefined;
  }
  if (mime !== 'application/json') {
    throw unsupportedField(`${AT}.responseMimeType`, `\`responseMimeType\` \`${mime}\` is not translated for this model.`);
  }
  if (!gemini && !json) return { type: 'json_object' };
  let schema: JsonObject;
  if (gemini) schema = fromGeminiSchema(config.responseSchema, `${AT}.responseSchema`);
  else {
    const value = config.responseJsonSchema;
    if (!isRecord(value)) throw invalidField(`${AT}.responseJsonSchema`, `\`${AT}.responseJsonSchema\` must be an object.`);
    checkDepth(value, `${AT}.responseJsonSchema`);
    schema = value;
  }
  return { type: 'json_schema', json_schema: { name: 'response', schema } };
}

function refuseNonText(value: unknown, at: string): void {
  if (!Array.isArray(value) || !value.every((m): m is string => typeof m === 'string')) {
    throw invalidField(at, `\`${at}\` must be an array of strings.`);
  }
  const other = value.find((modality) => modality.toUpperCase() !== 'TEXT');
  if (other !== undefined) throw unsupportedField(at, `\`${other}\` output is not available from this model.`);
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function number(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidField(at, `\`${at}\` must be a number.`);
  return value;
}

function integer(value: unknown, at: string): number {
  if (!Number.isSafeInteger(value)) throw invalidField(at, `\`${at}\` must be an integer.`);
  return value as number;
}

function positiveInteger(value: unknown, at: string): number {
  const n = integer(value, at);
  if (n < 1) throw invalidField(at, `\`${at}\` must be a positive integer.`);
  return n;
}
