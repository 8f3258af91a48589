import { anthropicInvalid, type AnthropicError } from './anthropic-errors.js';
import { checkTurns } from './anthropic-turns.js';
import type { AnthropicMessagesRequest } from './anthropic-types.js';
import { isRecord } from './guards.js';

// Top-level fields of the Messages API (the 2023-06-01 set plus those of later versions, such as the
// installed SDK's); anything else is refused, as upstream does.
const FIELDS: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'service_tier',
  'container',
  'mcp_servers',
  'context_management',
  'output_format',
  'output_config',
  'cache_control',
  'diagnostics',
  'inference_geo',
  'speed',
  'user_profile_id',
  'workspace_id',
]);
// `count_tokens` takes the prompt-shaping fields only; sampling and output limits are refused like unknown ones.
const COUNT_FIELDS: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'thinking',
  'mcp_servers',
  'context_management',
  'output_format',
  'output_config',
  'cache_control',
]);
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const CHOICES = ['auto', 'any', 'tool', 'none'];

/** The outcome of checking a Messages body: the typed request, or the 400 Anthropic would send. */
export type AnthropicValidation =
  | { readonly ok: true; readonly request: AnthropicMessagesRequest }
  | { readonly ok: false; readonly error: AnthropicError };

/** Checks a parsed `POST /v1/messages` body the way the Messages API does before it runs the model. */
export function validateMessagesRequest(body: unknown, isJson: boolean): AnthropicValidation {
  return validate(body, isJson, FIELDS);
}

/**
 * Checks a parsed `POST /v1/messages/count_tokens` body: the Messages checks, without `max_tokens` (which, like
 * the other sampling fields, is refused as an extra input).
 */
export function validateCountTokensRequest(body: unknown, isJson: boolean): AnthropicValidation {
  return validate(body, isJson, COUNT_FIELDS);
}

function validate(body: unknown, isJson: boolean, fields: ReadonlySet<string>): AnthropicValidation {
  if (!isJson) return fail('There was an issue with the request body: the body is not valid JSON.');
  if (!isRecord(body)) return fail('body: Input should be a valid dictionary');
  const problem =
    extraField(body, fields) ??
    checkModel(body.model) ??
    (fields.has('max_tokens') ? checkMaxTokens(body.max_tokens) : undefined) ??
    checkTurns(body.messages) ??
    checkSystem(body.system) ??
    checkRange(body, 'temperature', 1) ??
    checkRange(body, 'top_p', 1) ??
    checkTopK(body.top_k) ??
    checkStopSequences(body.stop_sequences) ??
    (body.stream !== undefined && typeof body.stream !== 'boolean' ? 'stream: Input should be a valid boolean' : undefined) ??
    checkTools(body.tools) ??
    checkToolChoice(body.tool_choice, body.tools) ??
    checkOutputFormat(body.output_format, 'output_format') ??
    checkOutputConfig(body.output_config);
  return problem === undefined ? { ok: true, request: body as AnthropicMessagesRequest } : fail(problem);
}

function fail(message: string): AnthropicValidation {
  return { ok: false, error: anthropicInvalid(message) };
}

function extraField(body: Record<string, unknown>, fields: ReadonlySet<string>): string | undefined {
  for (const key of Object.keys(body)) if (!fields.has(key)) return `${key}: Extra inputs are not permitted`;
  return undefined;
}

function checkModel(model: unknown): string | undefined {
  if (model === undefined) return 'model: Field required';
  return typeof model === 'string' && model.length > 0 ? undefined : 'model: Input should be a valid string';
}

function checkMaxTokens(value: unknown): string | undefined {
  if (value === undefined) return 'max_tokens: Field required';
  if (typeof value !== 'number' || !Number.isInteger(value)) return 'max_tokens: Input should be a valid integer';
  return value < 1 ? 'max_tokens: Input should be greater than or equal to 1' : undefined;
}

function checkSystem(system: unknown): string | undefined {
  if (system === undefined || typeof system === 'string') return undefined;
  if (!Array.isArray(system)) return 'system: Input should be a valid string';
  for (const [i, block] of system.entries()) {
    if (!isRecord(block) || block.type !== 'text') return `system.${i}.type: Input should be 'text'`;
    if (typeof block.text !== 'string') return `system.${i}.text: Field required`;
    if (block.text.length === 0) return 'system: text content blocks must be non-empty';
  }
  return undefined;
}

function checkRange(body: Record<string, unknown>, field: string, max: number): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') return `${field}: Input should be a valid number`;
  if (value < 0) return `${field}: Input should be greater than or equal to 0`;
  return value > max ? `${field}: Input should be less than or equal to ${max}` : undefined;
}

function checkTopK(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) return 'top_k: Input should be a valid integer';
  return value < 0 ? 'top_k: Input should be greater than or equal to 0' : undefined;
}

function checkStopSequences(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return 'stop_sequences: Input should be a valid list';
  const bad = value.findIndex((item) => typeof item !== 'string');
  return bad === -1 ? undefined : `stop_sequences.${bad}: Input should be a valid string`;
}

function checkTools(tools: unknown): string | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
  const names = new Set<string>();
  for (const [i, tool] of tools.entries()) {
    if (!isRecord(tool)) return `tools.${i}: Input should be a valid dictionary`;
    // Server tools (`web_search_20250305`, …) carry their own versioned type and no input schema.
    const custom = tool.type === undefined || tool.type === 'custom';
    const at = custom ? `tools.${i}.custom` : `tools.${i}`;
    if (typeof tool.name !== 'string') return `${at}.name: Field required`;
    if (custom && !TOOL_NAME.test(tool.name)) return `${at}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
    if (names.has(tool.name)) return 'tools: Tool names must be unique.';
    names.add(tool.name);
    if (!custom) continue;
    if (tool.input_schema === undefined) return `${at}.input_schema: Field required`;
    if (!isRecord(tool.input_schema)) return `${at}.input_schema: Input should be a valid dictionary`;
    if (tool.input_schema.type !== 'object') return `${at}.input_schema.type: Input should be 'object'`;
  }
  return undefined;
}

function checkToolChoice(choice: unknown, tools: unknown): string | undefined {
  if (choice === undefined) return undefined;
  if (!isRecord(choice)) return 'tool_choice: Input should be a valid dictionary';
  if (typeof choice.type !== 'string' || !CHOICES.includes(choice.type)) {
    return `tool_choice: Input tag '${String(choice.type)}' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'`;
  }
  const toolList = Array.isArray(tools) ? tools : [];
  if ((choice.type === 'any' || choice.type === 'tool') && toolList.length === 0) {
    return 'tool_choice: tool_choice may only be specified while providing tools';
  }
  if (choice.type !== 'tool') return undefined;
  if (typeof choice.name !== 'string') return 'tool_choice.tool.name: Field required';
  const known = toolList.some((tool) => isRecord(tool) && tool.name === choice.name);
  return known ? undefined : `tool_choice.tool.name: Tool '${choice.name}' not found in 'tools'`;
}

function checkOutputFormat(format: unknown, loc: string): string | undefined {
  if (format === undefined || format === null) return undefined;
  if (!isRecord(format)) return `${loc}: Input should be a valid dictionary`;
  if (format.type !== 'json_schema') return `${loc}.type: Input should be 'json_schema'`;
  return isRecord(format.schema) ? undefined : `${loc}.schema: Field required`;
}

function checkOutputConfig(config: unknown): string | undefined {
  if (config === undefined) return undefined;
  if (!isRecord(config)) return 'output_config: Input should be a valid dictionary';
  return checkOutputFormat(config.format, 'output_config.format');
}
