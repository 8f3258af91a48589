// Reads an OpenAI chat request once into a neutral form that the Anthropic and Gemini builders share:
// every check of the client's shape and every refusal of what no other format can express lives here.
import { invalidField, isRecord, optionalNumber, unsupportedField, type JsonObject } from './json.js';

export interface TextPart {
  readonly type: 'text';
  readonly text: string;
}

/** An image by URL; `inline` holds a `data:` URL's media type and base64 payload. */
export interface ImagePart {
  readonly type: 'image';
  readonly url: string;
  readonly inline?: { readonly mediaType: string; readonly data: string };
}

export interface ToolCall {
  readonly id: string;
  readonly name: string;
  /** The call's `arguments`, parsed: always a JSON object. */
  readonly input: JsonObject;
}

export type Turn =
  | { readonly role: 'user'; readonly parts: readonly (TextPart | ImagePart)[] }
  | { readonly role: 'assistant'; readonly parts: readonly TextPart[]; readonly toolCalls: readonly ToolCall[] }
  | { readonly role: 'tool'; readonly toolCallId: string; readonly content: string };

export interface FunctionTool {
  readonly name: string;
  readonly description?: string;
  readonly parameters?: JsonObject;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { readonly name: string };

export type ResponseFormat =
  | { readonly type: 'json_object' }
  | { readonly type: 'json_schema'; readonly name: string; readonly description?: string; readonly schema: JsonObject };

/** An OpenAI chat request, checked and normalised. */
export interface ChatInput {
  /** The text of each system and developer message, in order, wherever they stood. */
  readonly system: readonly string[];
  /** User, assistant and tool messages, in order, empty text parts dropped. */
  readonly turns: readonly Turn[];
  readonly tools: readonly FunctionTool[];
  readonly toolChoice?: ToolChoice;
  readonly parallelToolCalls?: boolean;
  readonly responseFormat?: ResponseFormat;
  /** `max_completion_tokens`, else `max_tokens`. */
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stop: readonly string[];
  readonly presencePenalty?: number;
  readonly frequencyPenalty?: number;
  readonly seed?: number;
  readonly stream: boolean;
  /** `stream_options.include_usage`. */
  readonly includeUsage: boolean;
  readonly user?: string;
}

/** Reads the client's chat request; throws a 400 SwitchyardError naming the field at fault. */
export function readChatRequest(body: unknown): ChatInput {
  if (!isRecord(body)) throw invalidField('body', 'The request body must be a JSON object.');
  refuseUntranslatable(body);
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw invalidField('messages', '`messages` must be a non-empty array.');
  }
  const system: string[] = [];
  const turns: Turn[] = [];
  for (const [i, message] of messages.entries()) readMessage(message, `messages[${i}]`, system, turns);
  const stream = body.stream === true;
  return {
    system,
    turns,
    tools: readTools(body.tools),
    toolChoice: readToolChoice(body.tool_choice),
    parallelToolCalls: typeof body.parallel_tool_calls === 'boolean' ? body.parallel_tool_calls : undefined,
    responseFormat: readResponseFormat(body.response_format),
    maxTokens: readMaxTokens(body),
    temperature: optionalNumber(body, 'temperature'),
    topP: optionalNumber(body, 'top_p'),
    stop: readStop(body.stop),
    presencePenalty: optionalNumber(body, 'presence_penalty'),
    frequencyPenalty: optionalNumber(body, 'frequency_penalty'),
    seed: optionalNumber(body, 'seed'),
    stream,
    includeUsage: stream && isRecord(body.stream_options) && body.stream_options.include_usage === true,
    user: typeof body.user === 'string' ? body.user : undefined,
  };
}

/** Fields that change the shape of the answer the client parses, which no other format can produce. */
function refuseUntranslatable(body: JsonObject): void {
  if (typeof body.n === 'number' && body.n !== 1) {
    throw unsupportedField('n', '`n` other than 1 cannot be served by this model: it returns one choice.');
  }
  if (body.logprobs === true || present(body.top_logprobs)) {
    throw unsupportedField(
      body.logprobs === true ? 'logprobs' : 'top_logprobs',
      'Log probabilities are not available from this model.',
    );
  }
  if (present(body.audio) || (Array.isArray(body.modalities) && body.modalities.includes('audio'))) {
    throw unsupportedField(present(body.audio) ? 'audio' : 'modalities', 'Audio output is not available from this model.');
  }
  if (present(body.functions) || present(body.function_call)) {
    throw unsupportedField(
      present(body.functions) ? 'functions' : 'function_call',
      'The legacy `functions` and `function_call` are not translated; use `tools` and `tool_choice`.',
    );
  }
  if (present(body.web_search_options)) {
    throw unsupportedField('web_search_options', 'Web search is not available from this model.');
  }
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function readMessage(message: unknown, at: string, system: string[], turns: Turn[]): void {
  if (!isRecord(message)) throw invalidField(at, `\`${at}\` must be an object.`);
  switch (message.role) {
    case 'system':
    case 'developer': {
      const text = joinText(message.content, `${at}.content`);
      if (text !== '') system.push(text);
      return;
    }
    case 'user':
      turns.push({ role: 'user', parts: readUserContent(message.content, `${at}.content`) });
      return;
    case 'assistant': {
      const text =
        message.content === null || message.content === undefined ? '' : joinText(message.content, `${at}.content`, true);
      const toolCalls = readToolCalls(message.tool_calls, `${at}.tool_calls`);
      turns.push({ role: 'assistant', parts: text === '' ? [] : [{ type: 'text', text }], toolCalls });
      return;
    }
    case 'tool': {
      if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') {
        throw invalidField(`${at}.tool_call_id`, `\`${at}.tool_call_id\` must be a non-empty string.`);
      }
      turns.push({ role: 'tool', toolCallId: message.tool_call_id, content: joinText(message.content, `${at}.content`) });
      return;
    }
    case 'function':
      throw unsupportedField(`${at}.role`, 'The legacy `function` role is not translated; use `tool` messages.');
    default:
      throw invalidField(`${at}.role`, `\`${at}.role\` must be one of system, developer, user, assistant, tool.`);
  }
}

/** A string, or an array of text parts (and, for assistants, refusal parts, kept as text). */
function joinText(content: unknown, at: string, assistant = false): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidField(at, `\`${at}\` must be a string or an array of text parts.`);
  let text = '';
  content.forEach((part, i) => {
    if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') text += part.text;
    else if (assistant && isRecord(part) && part.type === 'refusal' && typeof part.refusal === 'string') text += part.refusal;
    else throw invalidField(`${at}[${i}]`, `\`${at}[${i}]\` must be a text part.`);
  });
  return text;
}

function readUserContent(content: unknown, at: string): (TextPart | ImagePart)[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidField(at, `\`${at}\` must be a string or an array of content parts.`);
  const parts: (TextPart | ImagePart)[] = [];
  content.forEach((part, i) => {
    const where = `${at}[${i}]`;
    if (!isRecord(part)) throw invalidField(where, `\`${where}\` must be an object.`);
    if (part.type === 'text') {
      if (typeof part.text !== 'string') throw invalidField(`${where}.text`, `\`${where}.text\` must be a string.`);
      if (part.text !== '') parts.push({ type: 'text', text: part.text });
    } else if (part.type === 'image_url') {
      const url = isRecord(part.image_url) ? part.image_url.url : undefined;
      if (typeof url !== 'string') throw invalidField(`${where}.image_url.url`, `\`${where}.image_url.url\` must be a string.`);
      parts.push(readImage(url, `${where}.image_url.url`));
    } else {
      const type = String(part.type);
      throw unsupportedField(
        `${where}.type`,
        `Content parts of type \`${type}\` are not translated for this model; text and image_url are.`,
      );
    }
  });
  return parts;
}

const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*),/i;

/** An image URL checked: a base64 `data:` URL (split into media type and payload) or an http(s) URL; else a 400 naming `at`. */
export function readImage(url: string, at: string): ImagePart {
  if (url.startsWith('data:')) {
    const match = DATA_URL.exec(url);
    if (!match || !/;base64$/i.test(match[2] ?? '')) {
      throw invalidField(at, 'An image `data:` URL must be base64: `data:<media type>;base64,<data>`.');
    }
    return { type: 'image', url, inline: { mediaType: match[1]!.toLowerCase(), data: url.slice(match[0].length) } };
  }
  if (/^https?:\/\//i.test(url) && URL.canParse(url)) return { type: 'image', url };
  throw invalidField(at, 'An image URL must be an http(s) URL or a base64 `data:` URL.');
}

function readToolCalls(value: unknown, at: string): ToolCall[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidField(at, `\`${at}\` must be an array.`);
  return value.map((call, i) => {
    const where = `${at}[${i}]`;
    if (!isRecord(call) || typeof call.id !== 'string' || !isRecord(call.function) || typeof call.function.name !== 'string') {
      throw invalidField(where, `\`${where}\` must be a function tool call with an id and a function name.`);
    }
    const args = call.function.arguments;
    let input: unknown = {};
    if (typeof args === 'string' && args.trim() !== '') {
      try {
        input = JSON.parse(args);
      } catch {
        input = undefined;
      }
    }
    if (!isRecord(input)) {
      throw invalidField(`${where}.function.arguments`, `\`${where}.function.arguments\` must be a JSON object in a string.`);
    }
    return { id: call.id, name: call.function.name, input };
  });
}

function readTools(value: unknown): FunctionTool[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidField('tools', '`tools` must be an array.');
  return value.map((tool, i) => {
    const at = `tools[${i}]`;
    if (!isRecord(tool)) throw invalidField(at, `\`${at}\` must be an object.`);
    if (tool.type !== 'function') {
      throw unsupportedField(
        `${at}.type`,
        `Tools of type \`${String(tool.type)}\` are not translated for this model; function tools are.`,
      );
    }
    const fn = tool.function;
    if (!isRecord(fn) || typeof fn.name !== 'string' || fn.name === '') {
      throw invalidField(`${at}.function.name`, `\`${at}.function.name\` must be a non-empty string.`);
    }
    if (fn.parameters !== undefined && !isRecord(fn.parameters)) {
      throw invalidField(`${at}.function.parameters`, `\`${at}.function.parameters\` must be a JSON Schema object.`);
    }
    return {
      name: fn.name,
      ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
      ...(fn.parameters !== undefined ? { parameters: fn.parameters } : {}),
    };
  });
}

function readToolChoice(value: unknown): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto' || value === 'none' || value === 'required') return value;
  if (isRecord(value) && value.type === 'function' && isRecord(value.function) && typeof value.function.name === 'string') {
    return { name: value.function.name };
  }
  if (isRecord(value) && value.type === 'allowed_tools') {
    throw unsupportedField('tool_choice', '`tool_choice` of type `allowed_tools` is not translated for this model.');
  }
  throw invalidField(
    'tool_choice',
    '`tool_choice` must be "auto", "none", "required" or {"type":"function","function":{"name":…}}.',
  );
}

function readResponseFormat(value: unknown): ResponseFormat | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw invalidField('response_format', '`response_format` must be an object.');
  if (value.type === 'text') return undefined;
  if (value.type === 'json_object') return { type: 'json_object' };
  if (value.type === 'json_schema') {
    const spec = value.json_schema;
    if (!isRecord(spec) || typeof spec.name !== 'string') {
      throw invalidField('response_format.json_schema.name', '`response_format.json_schema.name` must be a string.');
    }
    const schema = spec.schema ?? { type: 'object' };
    if (!isRecord(schema)) {
      throw invalidField('response_format.json_schema.schema', '`response_format.json_schema.schema` must be an object.');
    }
    return {
      type: 'json_schema',
      name: spec.name,
      ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
      schema,
    };
  }
  throw unsupportedField(
    'response_format.type',
    `\`response_format\` of type \`${String(value.type)}\` is not translated for this model.`,
  );
}

function readMaxTokens(body: JsonObject): number | undefined {
  const key = present(body.max_completion_tokens) ? 'max_completion_tokens' : 'max_tokens';
  const value = optionalNumber(body, key);
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
    throw invalidField(key, `\`${key}\` must be a positive integer.`);
  }
  return value;
}

function readStop(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((s): s is string => typeof s === 'string')) return value;
  throw invalidField('stop', '`stop` must be a string or an array of strings.');
}
