import { INVALID_JSON } from './chat-validation.js';
import { invalidRequest, type OpenAIError } from './errors.js';
import { isRecord } from './guards.js';
import {
  checkEnum,
  checkNumber,
  checkType,
  invalidType,
  invalidValue,
  missingParameter,
  unknownKey,
  unknownParameter,
} from './openai-params.js';
import type { ResponsesRequest } from './types.js';

// Top-level fields of POST /v1/responses; anything else is refused with `unknown_parameter`, as upstream does.
const FIELDS: ReadonlySet<string> = new Set([
  'background',
  'context_management',
  'conversation',
  'include',
  'input',
  'instructions',
  'max_output_tokens',
  'max_tool_calls',
  'metadata',
  'model',
  'moderation',
  'parallel_tool_calls',
  'previous_response_id',
  'prompt',
  'prompt_cache_key',
  'prompt_cache_options',
  'prompt_cache_retention',
  'reasoning',
  'safety_identifier',
  'service_tier',
  'store',
  'stream',
  'stream_options',
  'temperature',
  'text',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'truncation',
  'user',
]);
const ROLES = ['assistant', 'system', 'developer', 'user'];
const INPUT_PARTS = ['input_text', 'input_image', 'output_text', 'refusal', 'input_file', 'computer_screenshot', 'summary_text'];
const ASSISTANT_PARTS = ['output_text', 'refusal'];
const ITEM_TYPES = [
  'message',
  'function_call',
  'function_call_output',
  'reasoning',
  'item_reference',
  'file_search_call',
  'web_search_call',
  'computer_call',
  'computer_call_output',
  'image_generation_call',
  'code_interpreter_call',
  'local_shell_call',
  'local_shell_call_output',
  'mcp_list_tools',
  'mcp_approval_request',
  'mcp_approval_response',
  'mcp_call',
  'custom_tool_call',
  'custom_tool_call_output',
];
const TOOL_CHOICES = ['none', 'auto', 'required'];
const FORMATS = ['text', 'json_object', 'json_schema'];
const TEXT_FIELDS: ReadonlySet<string> = new Set(['format', 'verbosity']);
const MIN_OUTPUT_TOKENS = 16;

/** The outcome of checking a Responses body: the typed request, or the 400 OpenAI would send. */
export type ResponsesValidation =
  | { readonly ok: true; readonly request: ResponsesRequest }
  | { readonly ok: false; readonly error: OpenAIError };

/**
 * Checks a parsed `POST /v1/responses` body the way OpenAI does: known top-level fields only, `model` and
 * `input` present, input items shaped per type and role (a chat-style `tool` role or `text` part is refused),
 * function tools flat (`tools[].name`, not `tools[].function`), `text.format`, and the numeric ranges.
 * `previous_response_id` and `function_call_output` call IDs are checked by the route, which knows the store.
 */
export function validateResponsesRequest(body: unknown, isJson: boolean): ResponsesValidation {
  if (!isJson || !isRecord(body)) return fail(invalidRequest(INVALID_JSON));
  const problem =
    unknownKey(body, FIELDS) ??
    checkModel(body.model) ??
    checkInput(body) ??
    checkType(body, 'instructions', 'string') ??
    checkType(body, 'stream', 'boolean') ??
    checkType(body, 'store', 'boolean') ??
    checkType(body, 'background', 'boolean') ??
    checkType(body, 'previous_response_id', 'string') ??
    checkType(body, 'metadata', 'object') ??
    checkNumber(body, 'max_output_tokens', MIN_OUTPUT_TOKENS, Number.MAX_SAFE_INTEGER, true) ??
    checkNumber(body, 'temperature', 0, 2) ??
    checkNumber(body, 'top_p', 0, 1) ??
    checkNumber(body, 'top_logprobs', 0, 20, true) ??
    checkEnum(body, 'truncation', ['auto', 'disabled']) ??
    checkTools(body.tools) ??
    checkToolChoice(body.tool_choice, body.tools) ??
    checkText(body.text) ??
    exclusive(body);
  return problem ? fail(problem) : { ok: true, request: body as ResponsesRequest };
}

function fail(error: OpenAIError): ResponsesValidation {
  return { ok: false, error };
}

function checkModel(model: unknown): OpenAIError | undefined {
  if (model === undefined || model === null) return missingParameter('model');
  return typeof model === 'string' && model.length > 0 ? undefined : invalidType('model', 'a string', model);
}

function checkInput(body: Record<string, unknown>): OpenAIError | undefined {
  const input = body.input;
  if (input === undefined || input === null) return body.prompt === undefined ? missingParameter('input') : undefined;
  if (typeof input === 'string') return undefined;
  if (!Array.isArray(input)) return invalidType('input', 'a string or an array', input);
  for (const [i, item] of input.entries()) {
    const problem = checkItem(item, `input[${i}]`);
    if (problem) return problem;
  }
  return undefined;
}

function checkItem(item: unknown, at: string): OpenAIError | undefined {
  if (!isRecord(item)) return invalidType(at, 'an object', item);
  const type = item.type ?? 'message';
  if (typeof type !== 'string' || !ITEM_TYPES.includes(type)) return invalidValue(`${at}.type`, type, ITEM_TYPES);
  switch (type) {
    case 'message':
      return checkMessage(item, at);
    case 'function_call':
      return (
        requireString(item, 'call_id', at) ??
        requireString(item, 'name', at) ??
        (typeof item.arguments === 'string'
          ? undefined
          : item.arguments === undefined
            ? missingParameter(`${at}.arguments`)
            : invalidType(`${at}.arguments`, 'a string', item.arguments))
      );
    case 'function_call_output':
      if (item.output === undefined) return requireString(item, 'call_id', at) ?? missingParameter(`${at}.output`);
      return (
        requireString(item, 'call_id', at) ??
        (typeof item.output === 'string' || Array.isArray(item.output)
          ? undefined
          : invalidType(`${at}.output`, 'a string', item.output))
      );
    case 'item_reference':
      return requireString(item, 'id', at);
    default:
      return undefined;
  }
}

function checkMessage(item: Record<string, unknown>, at: string): OpenAIError | undefined {
  const role = item.role;
  if (role === undefined) return missingParameter(`${at}.role`);
  if (typeof role !== 'string' || !ROLES.includes(role)) return invalidValue(`${at}.role`, role, ROLES);
  const content = item.content;
  if (content === undefined) return missingParameter(`${at}.content`);
  if (typeof content === 'string') return undefined;
  if (!Array.isArray(content)) return invalidType(`${at}.content`, 'a string or an array', content);
  const allowed = role === 'assistant' ? ASSISTANT_PARTS : INPUT_PARTS;
  for (const [k, part] of content.entries()) {
    const partAt = `${at}.content[${k}]`;
    if (!isRecord(part)) return invalidType(partAt, 'an object', part);
    if (part.type === undefined) return missingParameter(`${partAt}.type`);
    // Upstream names the part for an assistant's wrong type and the part's `type` otherwise.
    if (!allowed.includes(String(part.type))) {
      return invalidValue(role === 'assistant' ? partAt : `${partAt}.type`, part.type, allowed);
    }
    if ((part.type === 'input_text' || part.type === 'output_text') && typeof part.text !== 'string') {
      return part.text === undefined ? missingParameter(`${partAt}.text`) : invalidType(`${partAt}.text`, 'a string', part.text);
    }
  }
  return undefined;
}

function requireString(item: Record<string, unknown>, field: string, at: string): OpenAIError | undefined {
  const value = item[field];
  if (value === undefined) return missingParameter(`${at}.${field}`);
  return typeof value === 'string' ? undefined : invalidType(`${at}.${field}`, 'a string', value);
}

function checkTools(tools: unknown): OpenAIError | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) return invalidType('tools', 'an array', tools);
  for (const [i, tool] of tools.entries()) {
    const at = `tools[${i}]`;
    if (!isRecord(tool)) return invalidType(at, 'an object', tool);
    if (tool.type === undefined) return missingParameter(`${at}.type`);
    if (tool.type !== 'function') continue;
    // A chat-completions tool nests `function: {name, parameters}`; the Responses API wants them flat.
    if (tool.name === undefined) return missingParameter(`${at}.name`);
    if (typeof tool.name !== 'string') return invalidType(`${at}.name`, 'a string', tool.name);
    if (tool.function !== undefined) return unknownParameter(`${at}.function`);
    if (tool.parameters !== undefined && tool.parameters !== null && !isRecord(tool.parameters)) {
      return invalidType(`${at}.parameters`, 'an object', tool.parameters);
    }
  }
  return undefined;
}

function checkToolChoice(choice: unknown, tools: unknown): OpenAIError | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (typeof choice === 'string')
    return TOOL_CHOICES.includes(choice) ? undefined : invalidValue('tool_choice', choice, TOOL_CHOICES);
  if (!isRecord(choice)) return invalidType('tool_choice', 'a string or an object', choice);
  if (choice.type !== 'function') return undefined;
  if (choice.name === undefined) return missingParameter('tool_choice.name');
  const known =
    Array.isArray(tools) && tools.some((tool) => isRecord(tool) && tool.type === 'function' && tool.name === choice.name);
  return known
    ? undefined
    : invalidRequest(`Tool choice '${String(choice.name)}' not found in 'tools' parameter.`, 'tool_choice', null);
}

function checkText(text: unknown): OpenAIError | undefined {
  if (text === undefined || text === null) return undefined;
  if (!isRecord(text)) return invalidType('text', 'an object', text);
  const unknown = unknownKey(text, TEXT_FIELDS, 'text.');
  if (unknown) return unknown;
  const format = text.format;
  if (format === undefined || format === null) return undefined;
  if (!isRecord(format)) return invalidType('text.format', 'an object', format);
  if (format.type === undefined) return missingParameter('text.format.type');
  if (!FORMATS.includes(String(format.type))) return invalidValue('text.format.type', format.type, FORMATS);
  if (format.type !== 'json_schema') return undefined;
  // Chat completions nest `json_schema: {name, schema}`; here they sit on the format itself.
  if (format.name === undefined) return missingParameter('text.format.name');
  if (format.schema === undefined) return missingParameter('text.format.schema');
  if (!isRecord(format.schema)) return invalidType('text.format.schema', 'an object', format.schema);
  return format.json_schema === undefined ? undefined : unknownParameter('text.format.json_schema');
}

function exclusive(body: Record<string, unknown>): OpenAIError | undefined {
  if (body.previous_response_id == null || body.conversation == null) return undefined;
  return invalidRequest(
    "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.",
    null,
    'mutually_exclusive_parameters',
  );
}
