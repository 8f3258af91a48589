// The Gemini front door: a `generateContent` request body (https://ai.google.dev/api/generate-content)
// → an OpenAI chat request, the pivot every other provider format is reached through.
import { invalidField, isRecord, unsupportedField, type JsonObject } from '../json.js';
import { capAsCompletionTokens, type PassthroughOptions } from '../reasoning.js';
import { toChatMessages } from './contents.js';
import { chatSampling } from './generation-config.js';
import { checkDepth, fromGeminiSchema } from './schema.js';

export interface ChatFromGeminiOptions extends PassthroughOptions {
  /** The exact model ID to call. */
  readonly model: string;
  /** `streamGenerateContent`: the chat request streams, and asks for its usage. */
  readonly stream: boolean;
}

/** A translated request, and what in it was dropped on the way. */
export interface GeminiChatTranslation {
  /** The OpenAI chat request body. */
  readonly request: JsonObject;
  /**
   * The fields the client set that the chat request does not carry (`generationConfig.topK`,
   * `safetySettings`, …), as dotted paths: for the routing record, never for the client.
   */
  readonly dropped: readonly string[];
}

/** Top-level fields read below, and `model`, which the URL says already. */
const READ: ReadonlySet<string> = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'model']);

/** Top-level fields that change what the client gets back, which only Gemini can honour. */
const REFUSED: ReadonlyMap<string, string> = new Map([
  ['cachedContent', 'Cached content lives on Gemini and can be used by Gemini models only.'],
  ['continuationToken', 'Continuation tokens are issued by Gemini and can be used by Gemini models only.'],
]);

/**
 * Translates a Gemini `generateContent` body for an OpenAI-format provider's `/chat/completions`, and
 * lists what it dropped. Throws a 400 SwitchyardError for what cannot be translated (see HANDOFF.md's
 * table); render it in Google's shape with `googleError()`.
 */
export function readGeminiRequest(body: unknown, options: ChatFromGeminiOptions): GeminiChatTranslation {
  if (!isRecord(body)) throw invalidField('body', 'The request body must be a JSON object.');
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    const refused = REFUSED.get(key);
    if (refused !== undefined) throw unsupportedField(key, refused);
    if (!READ.has(key)) dropped.push(key); // safetySettings, labels, store, serviceTier, …
  }
  const messages = [...systemMessages(body.systemInstruction), ...toChatMessages(body.contents, 'contents')];
  const request: JsonObject = { model: options.model, messages };
  const tools = functionTools(body.tools, dropped);
  if (tools.length > 0) Object.assign(request, toolChoice(body.toolConfig, tools, dropped));
  else if (body.toolConfig !== undefined && body.toolConfig !== null) dropped.push('toolConfig');
  Object.assign(request, chatSampling(body.generationConfig, dropped));
  if (options.reasoning === true) capAsCompletionTokens(request);
  if (options.stream) {
    request.stream = true;
    // Gemini's last event reports usage; OpenAI streams it only when asked.
    request.stream_options = { include_usage: true };
  }
  return { request, dropped };
}

/** {@link readGeminiRequest}'s chat request alone. */
export function toChatRequestFromGemini(body: unknown, options: ChatFromGeminiOptions): JsonObject {
  return readGeminiRequest(body, options).request;
}

/** One system message per text part: Anthropic joins them with blank lines, Gemini gets its parts back. */
function systemMessages(instruction: unknown): JsonObject[] {
  if (instruction === undefined || instruction === null) return [];
  if (!isRecord(instruction) || !Array.isArray(instruction.parts)) {
    throw invalidField('systemInstruction', '`systemInstruction` must be a Content object with `parts`.');
  }
  return instruction.parts.flatMap((part, i) => {
    const at = `systemInstruction.parts[${i}]`;
    if (!isRecord(part) || typeof part.text !== 'string') {
      throw unsupportedField(at, `\`${at}\`: system instructions other than text are not translated for this model.`);
    }
    return part.text === '' ? [] : [{ role: 'system', content: part.text }];
  });
}

/** `tools[].functionDeclarations` → chat function tools. Every built-in tool (googleSearch, codeExecution, …) is refused. */
function functionTools(tools: unknown, dropped: string[]): JsonObject[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalidField('tools', '`tools` must be an array.');
  return tools.flatMap((tool, i) => {
    const at = `tools[${i}]`;
    if (!isRecord(tool)) throw invalidField(at, `\`${at}\` must be a Tool object.`);
    for (const [key, value] of Object.entries(tool)) {
      if (key !== 'functionDeclarations' && value !== undefined && value !== null) {
        throw unsupportedField(
          `${at}.${key}`,
          `The built-in tool \`${key}\` is not available from this model; functionDeclarations are.`,
        );
      }
    }
    const declarations = tool.functionDeclarations ?? [];
    if (!Array.isArray(declarations))
      throw invalidField(`${at}.functionDeclarations`, `\`${at}.functionDeclarations\` must be an array.`);
    return declarations.map((declaration, j) => functionTool(declaration, `${at}.functionDeclarations[${j}]`, dropped));
  });
}

function functionTool(declaration: unknown, at: string, dropped: string[]): JsonObject {
  if (!isRecord(declaration) || typeof declaration.name !== 'string' || declaration.name === '') {
    throw invalidField(`${at}.name`, `\`${at}.name\` must be a non-empty string.`);
  }
  const fn: JsonObject = { name: declaration.name };
  if (typeof declaration.description === 'string') fn.description = declaration.description;
  const { parameters, parametersJsonSchema } = declaration;
  const hasGeminiSchema = parameters !== undefined && parameters !== null;
  const hasJsonSchema = parametersJsonSchema !== undefined && parametersJsonSchema !== null;
  if (hasGeminiSchema && hasJsonSchema) {
    throw invalidField(at, `\`${at}\` may set \`parameters\` or \`parametersJsonSchema\`, not both.`);
  }
  if (hasGeminiSchema) fn.parameters = fromGeminiSchema(parameters, `${at}.parameters`);
  if (hasJsonSchema) {
    if (!isRecord(parametersJsonSchema))
      throw invalidField(`${at}.parametersJsonSchema`, `\`${at}.parametersJsonSchema\` must be an object.`);
    checkDepth(parametersJsonSchema, `${at}.parametersJsonSchema`);
    fn.parameters = parametersJsonSchema;
  }
  for (const key of ['response', 'responseJsonSchema', 'behavior']) {
    if (declaration[key] !== undefined && declaration[key] !== null) dropped.push(`${at}.${key}`);
  }
  return { type: 'function', function: fn };
}

/**
 * `toolConfig.functionCallingConfig` → `tool_choice`: AUTO (and VALIDATED) → auto, ANY → required,
 * NONE → none; `allowedFunctionNames` narrows the tools offered, one name under ANY is a named choice.
 */
function toolChoice(config: unknown, tools: JsonObject[], dropped: string[]): JsonObject {
  if (config === undefined || config === null) return { tools };
  if (!isRecord(config)) throw invalidField('toolConfig', '`toolConfig` must be an object.');
  for (const key of Object.keys(config)) if (key !== 'functionCallingConfig') dropped.push(`toolConfig.${key}`);
  const calling = config.functionCallingConfig;
  if (calling === undefined || calling === null) return { tools };
  const at = 'toolConfig.functionCallingConfig';
  if (!isRecord(calling)) throw invalidField(at, `\`${at}\` must be an object.`);
  const mode = calling.mode ?? 'AUTO';
  const names = allowedNames(calling.allowedFunctionNames, tools);
  switch (mode) {
    case 'MODE_UNSPECIFIED':
    case 'AUTO':
    case 'NONE':
      if (names)
        throw invalidField(`${at}.allowedFunctionNames`, '`allowedFunctionNames` may be set only with mode ANY or VALIDATED.');
      return { tools, tool_choice: mode === 'NONE' ? 'none' : 'auto' };
    case 'VALIDATED':
      return { tools: narrowed(tools, names), tool_choice: 'auto' };
    case 'ANY':
      if (names?.size === 1) return { tools, tool_choice: { type: 'function', function: { name: [...names][0] } } };
      return { tools: narrowed(tools, names), tool_choice: 'required' };
    default:
      throw invalidField(`${at}.mode`, `\`${at}.mode\` must be AUTO, ANY, NONE or VALIDATED.`);
  }
}

function allowedNames(value: unknown, tools: JsonObject[]): ReadonlySet<string> | undefined {
  if (value === undefined || value === null) return undefined;
  const at = 'toolConfig.functionCallingConfig.allowedFunctionNames';
  if (!Array.isArray(value) || !value.every((name): name is string => typeof name === 'string')) {
    throw invalidField(at, `\`${at}\` must be an array of strings.`);
  }
  if (value.length === 0) return undefined;
  const declared = new Set(tools.map((tool) => (tool.function as JsonObject).name));
  const unknown = value.find((name) => !declared.has(name));
  if (unknown !== undefined) throw invalidField(at, `\`${at}\` names \`${unknown}\`, which no functionDeclaration declares.`);
  return new Set(value);
}

function narrowed(tools: JsonObject[], names: ReadonlySet<string> | undefined): JsonObject[] {
  return names ? tools.filter((tool) => names.has((tool.function as JsonObject).name as string)) : tools;
}
