// `POST /v1/responses` to a provider of another format: a Responses API request → an OpenAI chat request,
// the pivot that the chat → Anthropic and chat → Gemini translations take on from.
import { invalidField, isRecord, optionalNumber, unsupportedField, type JsonObject } from '../json.js';
import { storedStateUnsupported } from './errors.js';
import { toChatMessages } from './input.js';

export interface ChatFromResponsesOptions {
  /** The exact model ID to call. */
  readonly model: string;
}

/**
 * Translates a Responses API request body into an OpenAI chat request. Throws a 400 SwitchyardError for
 * what cannot be translated (built-in tools, files, audio, stored prompts, background runs) and a 400
 * `previous_response_unsupported` for what continues state OpenAI stores (`previous_response_id`,
 * `conversation`, `item_reference` items). Dropped: `store`, `metadata`, `truncation`, `include` (but
 * logprobs), `service_tier`, `prompt_cache_key`, `prompt_cache_retention`, `max_tool_calls`,
 * `stream_options`, `reasoning.summary`, `reasoning` input items; see the README's table.
 */
export function toChatRequestFromResponses(body: unknown, options: ChatFromResponsesOptions): JsonObject {
  if (!isRecord(body)) throw invalidField('body', 'The request body must be a JSON object.');
  refuseStoredState(body);
  refuseUntranslatable(body);
  if (body.input === undefined || body.input === null) throw invalidField('input', '`input` is required.');

  const messages: JsonObject[] = [];
  if (present(body.instructions)) {
    if (typeof body.instructions !== 'string') throw invalidField('instructions', '`instructions` must be a string.');
    if (body.instructions !== '') messages.push({ role: 'system', content: body.instructions });
  }
  messages.push(...toChatMessages(body.input));

  const request: JsonObject = { model: options.model, messages };
  const tools = toTools(body.tools);
  if (tools.length > 0) request.tools = tools;
  const choice = toolChoice(body.tool_choice);
  if (choice !== undefined) request.tool_choice = choice;
  if (present(body.parallel_tool_calls)) {
    if (typeof body.parallel_tool_calls !== 'boolean') {
      throw invalidField('parallel_tool_calls', '`parallel_tool_calls` must be a boolean.');
    }
    request.parallel_tool_calls = body.parallel_tool_calls;
  }
  Object.assign(request, textOptions(body.text));
  const maxTokens = maxOutputTokens(body.max_output_tokens);
  if (maxTokens !== undefined) request.max_completion_tokens = maxTokens;
  const temperature = optionalNumber(body, 'temperature');
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body, 'top_p');
  if (topP !== undefined) request.top_p = topP;
  // Both name the end user for abuse detection; `safety_identifier` replaced `user`.
  const [safetyIdentifier, endUser] = [optionalString(body, 'safety_identifier'), optionalString(body, 'user')];
  if ((safetyIdentifier ?? endUser) !== undefined) request.user = safetyIdentifier ?? endUser;
  const effort = reasoningEffort(body.reasoning);
  if (effort !== undefined) request.reasoning_effort = effort;
  if (body.stream === true) {
    request.stream = true;
    // The stream ends with response.completed, which carries the usage: ask for it.
    request.stream_options = { include_usage: true };
  }
  return request;
}

function refuseStoredState(body: JsonObject): void {
  if (present(body.previous_response_id)) {
    throw storedStateUnsupported('previous_response_id', '`previous_response_id`');
  }
  if (present(body.conversation)) throw storedStateUnsupported('conversation', '`conversation`');
}

/** Fields whose meaning no chat request can carry: refused rather than silently lost. */
function refuseUntranslatable(body: JsonObject): void {
  if (body.background === true) {
    throw unsupportedField('background', 'Background responses are not available from this model; call without `background`.');
  }
  if (present(body.prompt)) {
    throw unsupportedField(
      'prompt',
      'Stored prompts (`prompt`) are not available from this model; send `instructions` and `input`.',
    );
  }
  if (present(body.include)) {
    if (!Array.isArray(body.include) || !body.include.every((entry) => typeof entry === 'string')) {
      throw invalidField('include', '`include` must be an array of strings.');
    }
    // Every other entry asks for outputs of built-in tools or of reasoning, which this model never produces.
    if (body.include.includes('message.output_text.logprobs')) {
      throw unsupportedField('include', 'Log probabilities are not available from this model.');
    }
  }
  if (present(body.top_logprobs) && body.top_logprobs !== 0) {
    throw unsupportedField('top_logprobs', 'Log probabilities are not available from this model.');
  }
  // `auto` lets OpenAI drop items from the middle of an overlong conversation; served elsewhere, an overlong
  // one is the provider's own 400 instead: nothing is answered from a different conversation.
  if (present(body.truncation) && body.truncation !== 'auto' && body.truncation !== 'disabled') {
    throw invalidField('truncation', '`truncation` must be "auto" or "disabled".');
  }
}

function toTools(tools: unknown): JsonObject[] {
  if (!present(tools)) return [];
  if (!Array.isArray(tools)) throw invalidField('tools', '`tools` must be an array.');
  return tools.map((tool, i) => {
    const at = `tools[${i}]`;
    if (!isRecord(tool)) throw invalidField(at, `\`${at}\` must be an object.`);
    if (tool.type !== 'function') {
      throw unsupportedField(
        `${at}.type`,
        `Tools of type \`${String(tool.type)}\` (built-in or custom tools) are not available from this model; function tools are.`,
      );
    }
    if (typeof tool.name !== 'string' || tool.name === '') {
      throw invalidField(`${at}.name`, `\`${at}.name\` must be a non-empty string.`);
    }
    const fn: JsonObject = { name: tool.name };
    if (typeof tool.description === 'string') fn.description = tool.description;
    if (present(tool.parameters)) {
      if (!isRecord(tool.parameters))
        throw invalidField(`${at}.parameters`, `\`${at}.parameters\` must be a JSON Schema object.`);
      fn.parameters = tool.parameters;
    }
    if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
    return { type: 'function', function: fn };
  });
}

function toolChoice(choice: unknown): unknown {
  if (!present(choice)) return undefined;
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice;
  if (isRecord(choice) && choice.type === 'function' && typeof choice.name === 'string' && choice.name !== '') {
    return { type: 'function', function: { name: choice.name } };
  }
  if (isRecord(choice) && typeof choice.type === 'string' && choice.type !== 'function') {
    throw unsupportedField(
      'tool_choice',
      `\`tool_choice\` of type \`${choice.type}\` is not available from this model; use "auto", "none", "required" or a function.`,
    );
  }
  throw invalidField('tool_choice', '`tool_choice` must be "auto", "none", "required" or {"type":"function","name":…}.');
}

/** `text.format` → `response_format`; `text.verbosity` → chat's `verbosity`. */
function textOptions(text: unknown): JsonObject {
  if (!present(text)) return {};
  if (!isRecord(text)) throw invalidField('text', '`text` must be an object.');
  const out: JsonObject = {};
  if (typeof text.verbosity === 'string') out.verbosity = text.verbosity;
  const format = text.format;
  if (!present(format)) return out;
  if (!isRecord(format)) throw invalidField('text.format', '`text.format` must be an object.');
  switch (format.type) {
    case 'text':
      return out;
    case 'json_object':
      return { ...out, response_format: { type: 'json_object' } };
    case 'json_schema': {
      if (typeof format.name !== 'string' || format.name === '') {
        throw invalidField('text.format.name', '`text.format.name` must be a non-empty string.');
      }
      if (!isRecord(format.schema))
        throw invalidField('text.format.schema', '`text.format.schema` must be a JSON Schema object.');
      const spec: JsonObject = { name: format.name, schema: format.schema };
      if (typeof format.description === 'string') spec.description = format.description;
      if (typeof format.strict === 'boolean') spec.strict = format.strict;
      return { ...out, response_format: { type: 'json_schema', json_schema: spec } };
    }
    default:
      throw invalidField('text.format.type', '`text.format.type` must be "text", "json_schema" or "json_object".');
  }
}

function maxOutputTokens(value: unknown): number | undefined {
  if (!present(value)) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalidField('max_output_tokens', '`max_output_tokens` must be a positive integer.');
  }
  return value;
}

function reasoningEffort(reasoning: unknown): string | undefined {
  if (!present(reasoning)) return undefined;
  if (!isRecord(reasoning)) throw invalidField('reasoning', '`reasoning` must be an object.');
  if (!present(reasoning.effort)) return undefined;
  if (typeof reasoning.effort !== 'string') throw invalidField('reasoning.effort', '`reasoning.effort` must be a string.');
  return reasoning.effort;
}

function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (!present(value)) return undefined;
  if (typeof value !== 'string') throw invalidField(key, `\`${key}\` must be a string.`);
  return value;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}
