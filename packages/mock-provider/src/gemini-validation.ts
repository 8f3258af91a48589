import { checkContent, checkContents } from './gemini-contents.js';
import { googleInvalid, type GoogleError } from './gemini-errors.js';
import { at, badValue, checkSchema, fieldSet, pick, unknownField } from './gemini-fields.js';
import type { GeminiGenerateContentRequest } from './gemini-types.js';
import { isRecord } from './guards.js';

const REQUEST_FIELDS = fieldSet(
  'model',
  'contents',
  'systemInstruction',
  'tools',
  'toolConfig',
  'safetySettings',
  'generationConfig',
  'cachedContent',
);
const GENERATION_FIELDS = fieldSet(
  'stopSequences',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'responseModalities',
  'candidateCount',
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'responseLogprobs',
  'logprobs',
  'enableEnhancedCivicAnswers',
  'speechConfig',
  'thinkingConfig',
  'imageConfig',
  'mediaResolution',
);
const TOOL_FIELDS = fieldSet(
  'functionDeclarations',
  'googleSearchRetrieval',
  'codeExecution',
  'googleSearch',
  'urlContext',
  'computerUse',
  'fileSearch',
  'googleMaps',
);
const DECLARATION_FIELDS = fieldSet(
  'name',
  'description',
  'parameters',
  'parametersJsonSchema',
  'response',
  'responseJsonSchema',
  'behavior',
);
const TOOL_CONFIG_FIELDS = fieldSet('functionCallingConfig', 'retrievalConfig');
const CALLING_FIELDS = fieldSet('mode', 'allowedFunctionNames');
const MODES: ReadonlySet<string> = new Set(['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED']);
const MIME_TYPES: ReadonlySet<string> = new Set([
  'text/plain',
  'application/json',
  'application/xml',
  'application/yaml',
  'text/x.enum',
]);
const FUNCTION_NAME = /^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/;
const V1BETA = 'type.googleapis.com/google.ai.generativelanguage.v1beta';

/** The outcome of checking a `generateContent` body: the request, or the 400 Gemini would send. */
export type GeminiValidation =
  | { readonly ok: true; readonly request: GeminiGenerateContentRequest }
  | { readonly ok: false; readonly error: GoogleError };

/** Checks a parsed `generateContent` body the way the Gemini API does before it runs the model. */
export function validateGenerateContent(body: unknown, isJson: boolean): GeminiValidation {
  if (!isJson) return fail(googleInvalid('Invalid JSON payload received. Unexpected token.'));
  if (!isRecord(body))
    return fail(googleInvalid('Invalid JSON payload received. Unknown name "": Root element must be a message.'));
  const problem =
    unknownField(body, REQUEST_FIELDS, '') ??
    checkContents(body.contents) ??
    checkSystem(pick(body, 'systemInstruction')) ??
    checkGeneration(pick(body, 'generationConfig')) ??
    checkTools(body.tools) ??
    checkToolConfig(pick(body, 'toolConfig'));
  return problem ? fail(problem) : { ok: true, request: body as GeminiGenerateContentRequest };
}

function fail(error: GoogleError): GeminiValidation {
  return { ok: false, error };
}

function checkSystem(system: unknown): GoogleError | undefined {
  return system === undefined ? undefined : checkContent(system, 'system_instruction', false);
}

function checkGeneration(config: unknown): GoogleError | undefined {
  if (config === undefined) return undefined;
  const path = 'generation_config';
  if (!isRecord(config)) return badValue(path, `${V1BETA}.GenerationConfig`, config);
  const unknown = unknownField(config, GENERATION_FIELDS, path);
  if (unknown) return unknown;
  const max = pick(config, 'maxOutputTokens');
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max)))
    return badValue(at(path, 'maxOutputTokens'), 'TYPE_INT32', max);
  const stops = pick(config, 'stopSequences');
  if (stops !== undefined && (!Array.isArray(stops) || stops.some((stop) => typeof stop !== 'string'))) {
    return badValue(at(path, 'stopSequences'), 'TYPE_STRING', stops);
  }
  if (Array.isArray(stops) && stops.length > 5) {
    return googleInvalid(`* GenerateContentRequest.${path}.stop_sequences: at most 5 stop sequences are allowed\n`);
  }
  const mime = pick(config, 'responseMimeType');
  if (mime !== undefined && (typeof mime !== 'string' || !MIME_TYPES.has(mime))) {
    return googleInvalid(
      `* GenerateContentRequest.${path}.response_mime_type: allowed mimetypes are \`text/plain\`, ` +
        '`application/json`, `application/xml`, `application/yaml` and `text/x.enum`.\n',
    );
  }
  const schema = pick(config, 'responseSchema');
  if (schema === undefined && pick(config, 'responseJsonSchema') === undefined) return undefined;
  if (mime !== 'application/json' && mime !== 'text/x.enum') {
    return googleInvalid(
      `* GenerateContentRequest.${path}.response_mime_type: response_mime_type must be one of ` +
        '[application/json, text/x.enum] when response_schema is set.\n',
    );
  }
  return schema === undefined ? undefined : checkSchema(schema, at(path, 'responseSchema'));
}

function checkTools(tools: unknown): GoogleError | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) return badValue('tools', `${V1BETA}.Tool`, tools);
  for (const [i, tool] of tools.entries()) {
    const path = `tools[${i}]`;
    if (!isRecord(tool)) return badValue(path, `${V1BETA}.Tool`, tool);
    const unknown = unknownField(tool, TOOL_FIELDS, path);
    if (unknown) return unknown;
    const declarations = pick(tool, 'functionDeclarations');
    if (declarations === undefined) continue;
    if (!Array.isArray(declarations))
      return badValue(at(path, 'functionDeclarations'), `${V1BETA}.FunctionDeclaration`, declarations);
    for (const [k, declaration] of declarations.entries()) {
      const problem = checkDeclaration(declaration, `${at(path, 'functionDeclarations')}[${k}]`);
      if (problem) return problem;
    }
  }
  return undefined;
}

function checkDeclaration(declaration: unknown, path: string): GoogleError | undefined {
  if (!isRecord(declaration)) return badValue(path, `${V1BETA}.FunctionDeclaration`, declaration);
  const unknown = unknownField(declaration, DECLARATION_FIELDS, path);
  if (unknown) return unknown;
  const name = declaration.name;
  if (typeof name !== 'string' || !FUNCTION_NAME.test(name)) {
    return googleInvalid(
      `* GenerateContentRequest.${path}.name: Invalid function name. Must start with a letter or an underscore. ` +
        'Must be a-z, A-Z, 0-9, or contain underscores, dots, colons and dashes, with a maximum length of 64.\n',
    );
  }
  const parameters = declaration.parameters;
  return parameters === undefined ? undefined : checkSchema(parameters, at(path, 'parameters'));
}

function checkToolConfig(config: unknown): GoogleError | undefined {
  if (config === undefined) return undefined;
  const path = 'tool_config';
  if (!isRecord(config)) return badValue(path, `${V1BETA}.ToolConfig`, config);
  const unknown = unknownField(config, TOOL_CONFIG_FIELDS, path);
  if (unknown) return unknown;
  const calling = pick(config, 'functionCallingConfig');
  if (calling === undefined) return undefined;
  const callingPath = at(path, 'functionCallingConfig');
  if (!isRecord(calling)) return badValue(callingPath, `${V1BETA}.FunctionCallingConfig`, calling);
  const unknownCalling = unknownField(calling, CALLING_FIELDS, callingPath);
  if (unknownCalling) return unknownCalling;
  const mode = calling.mode;
  if (mode !== undefined && (typeof mode !== 'string' || !MODES.has(mode))) {
    return badValue(at(callingPath, 'mode'), `${V1BETA}.FunctionCallingConfig.Mode`, mode);
  }
  return undefined;
}
