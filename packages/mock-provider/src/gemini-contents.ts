import { googleInvalid, type GoogleError } from './gemini-errors.js';
import { at, badValue, fieldSet, pick, unknownField } from './gemini-fields.js';
import { isRecord } from './guards.js';
import { isBase64 } from './image-data.js';

const CONTENT_FIELDS = fieldSet('role', 'parts');
// `data` is a proto oneof: a part carries exactly one of these.
const DATA_FIELDS = [
  'text',
  'inlineData',
  'fileData',
  'functionCall',
  'functionResponse',
  'executableCode',
  'codeExecutionResult',
];
const PART_FIELDS = fieldSet(...DATA_FIELDS, 'thought', 'thoughtSignature', 'videoMetadata', 'partMetadata', 'mediaResolution');
const INLINE_FIELDS = fieldSet('mimeType', 'data', 'displayName');
const FILE_FIELDS = fieldSet('mimeType', 'fileUri', 'displayName');
const CALL_FIELDS = fieldSet('id', 'name', 'args');
const RESPONSE_FIELDS = fieldSet('id', 'name', 'response', 'willContinue', 'scheduling', 'parts');
const BYTES = 'TYPE_BYTES';

/**
 * The 400 Gemini sends for `contents`, or `undefined` when they are valid: non-empty, roles `user`/`model`,
 * non-empty parts with one data field each, and function calls and responses in the turn order upstream requires.
 */
export function checkContents(contents: unknown): GoogleError | undefined {
  if (contents === undefined || (Array.isArray(contents) && contents.length === 0)) {
    return googleInvalid('* GenerateContentRequest.contents: contents is not specified\n');
  }
  if (!Array.isArray(contents))
    return badValue('contents', 'type.googleapis.com/google.ai.generativelanguage.v1beta.Content', contents);
  for (const [i, content] of contents.entries()) {
    const problem = checkContent(content, `contents[${i}]`, true);
    if (problem) return problem;
  }
  return checkFunctionTurns(contents as ReadonlyArray<Record<string, unknown>>);
}

/** The 400 for one content (a turn, or `system_instruction` when `turn` is false). */
export function checkContent(content: unknown, path: string, turn: boolean): GoogleError | undefined {
  if (!isRecord(content)) return badValue(path, 'type.googleapis.com/google.ai.generativelanguage.v1beta.Content', content);
  const unknown = unknownField(content, CONTENT_FIELDS, path);
  if (unknown) return unknown;
  if (turn && content.role !== undefined && content.role !== 'user' && content.role !== 'model') {
    return googleInvalid('Please use a valid role: user, model.');
  }
  const parts = content.parts;
  if (!Array.isArray(parts) || parts.length === 0) {
    return googleInvalid(`* GenerateContentRequest.${path}.parts: contents.parts must not be empty.\n`);
  }
  for (const [j, part] of parts.entries()) {
    const problem = checkPart(part, `${path}.parts[${j}]`);
    if (problem) return problem;
  }
  return undefined;
}

function checkPart(part: unknown, path: string): GoogleError | undefined {
  if (!isRecord(part)) return badValue(path, 'type.googleapis.com/google.ai.generativelanguage.v1beta.Part', part);
  const unknown = unknownField(part, PART_FIELDS, path);
  if (unknown) return unknown;
  const present = DATA_FIELDS.filter((field) => pick(part, field) !== undefined);
  if (present.length === 0) {
    return googleInvalid(`* GenerateContentRequest.${path}.data: required oneof field 'data' must have one initialized field\n`);
  }
  if (present.length > 1) {
    return googleInvalid(`Invalid JSON payload received. Oneof field 'data' is already set. Cannot set '${present[1]}'`, path);
  }
  const text = part.text;
  if (text !== undefined && typeof text !== 'string') return badValue(at(path, 'text'), 'TYPE_STRING', text);
  return (
    checkInline(pick(part, 'inlineData'), at(path, 'inlineData')) ??
    checkNested(pick(part, 'fileData'), FILE_FIELDS, at(path, 'fileData'), 'fileUri') ??
    checkNested(pick(part, 'functionCall'), CALL_FIELDS, at(path, 'functionCall'), 'name') ??
    checkNested(pick(part, 'functionResponse'), RESPONSE_FIELDS, at(path, 'functionResponse'), 'name')
  );
}

function checkInline(inline: unknown, path: string): GoogleError | undefined {
  const problem = checkNested(inline, INLINE_FIELDS, path, 'mimeType');
  if (problem || inline === undefined) return problem;
  const data = pick(inline, 'data');
  // A data URL pasted whole (`data:image/png;base64,…`) is not base64: upstream refuses it.
  if (typeof data !== 'string' || !isBase64(data, true)) {
    const where = at(path, 'data');
    return googleInvalid(
      `Invalid value at '${where}' (${BYTES}), Base64 decoding failed for ${JSON.stringify(String(data).slice(0, 32))}`,
      where,
    );
  }
  return undefined;
}

function checkNested(
  value: unknown,
  known: ReturnType<typeof fieldSet>,
  path: string,
  required: string,
): GoogleError | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) return badValue(path, 'object', value);
  const unknown = unknownField(value, known, path);
  if (unknown) return unknown;
  if (typeof pick(value, required) !== 'string') {
    return googleInvalid(`* GenerateContentRequest.${at(path, required)}: ${snakeTail(required)} must be specified\n`);
  }
  const args = pick(value, 'args');
  if (args !== undefined && !isRecord(args))
    return badValue(at(path, 'args'), 'type.googleapis.com/google.protobuf.Struct', args);
  const response = value.response;
  if (known.has('response') && !isRecord(response)) {
    return badValue(at(path, 'response'), 'type.googleapis.com/google.protobuf.Struct', response);
  }
  return undefined;
}

function snakeTail(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

// Upstream's rules for tool turns: a model turn with function calls follows a user turn (or a turn of
// function responses), and the next turn answers each call with one function response.
function checkFunctionTurns(contents: ReadonlyArray<Record<string, unknown>>): GoogleError | undefined {
  for (const [i, content] of contents.entries()) {
    const calls = countParts(content, 'functionCall');
    const responses = countParts(content, 'functionResponse');
    const previous = contents[i - 1];
    if (calls > 0 && (previous === undefined || previous.role === 'model')) {
      return googleInvalid(
        'Please ensure that function call turn comes immediately after a user turn or after a function response turn.',
      );
    }
    if (responses > 0) {
      const asked = previous === undefined ? 0 : countParts(previous, 'functionCall');
      if (asked === 0) {
        return googleInvalid('Please ensure that function response turn comes immediately after a function call turn.');
      }
      if (asked !== responses) {
        return googleInvalid(
          'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.',
        );
      }
    }
  }
  return undefined;
}

function countParts(content: Record<string, unknown>, field: string): number {
  const parts = content.parts;
  if (!Array.isArray(parts)) return 0;
  let count = 0;
  for (const part of parts) if (pick(part, field) !== undefined) count += 1;
  return count;
}
