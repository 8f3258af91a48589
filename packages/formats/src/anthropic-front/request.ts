// The `/v1/messages` front door: an Anthropic Messages request → an OpenAI chat request.
import { invalidField, isRecord, unsupportedField, type JsonObject } from '../json.js';
import type { PassthroughOptions } from '../reasoning.js';

export interface OpenAIRequestOptions extends PassthroughOptions {
  /** The exact model ID to call. */
  readonly model: string;
}

/**
 * Translates an Anthropic Messages request body for an OpenAI-format provider's `/chat/completions`.
 * Throws a 400 SwitchyardError for what cannot be translated (see the README's table); render it in
 * Anthropic's shape with `anthropicError()`.
 */
export function toOpenAIRequest(body: unknown, options: OpenAIRequestOptions): JsonObject {
  if (!isRecord(body)) throw invalidField('body', 'The request body must be a JSON object.');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw invalidField('messages', '`messages` must be a non-empty array.');
  }
  const messages: JsonObject[] = [];
  const system = systemText(body.system);
  if (system !== '') messages.push({ role: 'system', content: system });
  for (const [i, message] of body.messages.entries()) messages.push(...toMessages(message, `messages.${i}`));

  const request: JsonObject = { model: options.model, messages };
  if (typeof body.max_tokens === 'number') {
    // A reasoning model refuses `max_tokens`; its cap is `max_completion_tokens`.
    request[options.reasoning === true ? 'max_completion_tokens' : 'max_tokens'] = body.max_tokens;
  }
  if (typeof body.temperature === 'number') request.temperature = body.temperature;
  if (typeof body.top_p === 'number') request.top_p = body.top_p;
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) request.stop = body.stop_sequences;
  if (isRecord(body.metadata) && typeof body.metadata.user_id === 'string') request.user = body.metadata.user_id;
  if (body.stream === true) {
    request.stream = true;
    // Anthropic's message_delta reports usage; OpenAI streams it only when asked.
    request.stream_options = { include_usage: true };
  }
  const tools = toTools(body.tools);
  if (tools.length > 0) {
    request.tools = tools;
    Object.assign(request, toolChoice(body.tool_choice));
  }
  const schema = outputSchema(body);
  if (schema) request.response_format = { type: 'json_schema', json_schema: { name: 'output', schema } };
  return request;
}

/**
 * Anthropic's structured output (`output_config.format`, or the beta's `output_format`):
 * `{type: "json_schema", schema}` is OpenAI's `response_format` json_schema, answered as text.
 */
function outputSchema(body: JsonObject): JsonObject | undefined {
  const format =
    isRecord(body.output_config) && body.output_config.format !== undefined ? body.output_config.format : body.output_format;
  if (format === undefined || format === null) return undefined;
  if (!isRecord(format) || format.type !== 'json_schema' || !isRecord(format.schema)) {
    throw invalidField('output_config.format', 'The output format must be {type: "json_schema", schema}.');
  }
  return format.schema;
}

function systemText(system: unknown): string {
  if (system === undefined || system === null) return '';
  if (typeof system === 'string') return system;
  if (!Array.isArray(system)) throw invalidField('system', '`system` must be a string or an array of text blocks.');
  return system
    .map((block, i) => {
      if (!isRecord(block) || block.type !== 'text' || typeof block.text !== 'string') {
        throw invalidField(`system.${i}`, '`system` blocks must be text blocks.');
      }
      return block.text;
    })
    .join('\n\n');
}

/** One Anthropic turn → OpenAI messages: a user turn's tool results become `tool` messages, ahead of its other content. */
function toMessages(message: unknown, at: string): JsonObject[] {
  if (!isRecord(message) || (message.role !== 'user' && message.role !== 'assistant')) {
    throw invalidField(`${at}.role`, `\`${at}.role\` must be "user" or "assistant".`);
  }
  const content = message.content;
  if (typeof content === 'string') return [{ role: message.role, content }];
  if (!Array.isArray(content)) throw invalidField(`${at}.content`, `\`${at}.content\` must be a string or an array of blocks.`);
  return message.role === 'user' ? userMessages(content, `${at}.content`) : [assistantMessage(content, `${at}.content`)];
}

function userMessages(blocks: unknown[], at: string): JsonObject[] {
  const tools: JsonObject[] = [];
  const parts: JsonObject[] = [];
  blocks.forEach((block, i) => {
    const where = `${at}.${i}`;
    if (!isRecord(block)) throw invalidField(where, `\`${where}\` must be a content block.`);
    if (block.type === 'text' && typeof block.text === 'string') parts.push({ type: 'text', text: block.text });
    else if (block.type === 'image') parts.push(imagePart(block.source, `${where}.source`));
    else if (block.type === 'tool_result' && typeof block.tool_use_id === 'string') {
      tools.push({ role: 'tool', tool_call_id: block.tool_use_id, content: toolResultText(block.content, `${where}.content`) });
    } else {
      const type = String(block.type);
      throw unsupportedField(
        `${where}.type`,
        `Content blocks of type \`${type}\` are not translated for this model; text, image and tool_result are.`,
      );
    }
  });
  if (parts.length === 0) return tools;
  const only = parts[0]!;
  const content = parts.length === 1 && only.type === 'text' ? only.text : parts;
  return [...tools, { role: 'user', content }];
}

function imagePart(source: unknown, at: string): JsonObject {
  if (isRecord(source) && source.type === 'base64' && typeof source.media_type === 'string' && typeof source.data === 'string') {
    return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  }
  if (isRecord(source) && source.type === 'url' && typeof source.url === 'string') {
    return { type: 'image_url', image_url: { url: source.url } };
  }
  throw unsupportedField(at, 'Images must have a base64 or url source to be translated for this model.');
}

/** OpenAI tool messages hold text only: a result's text blocks are joined; anything else is refused. */
function toolResultText(content: unknown, at: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidField(at, `\`${at}\` must be a string or an array of blocks.`);
  return content
    .map((block, i) => {
      if (isRecord(block) && block.type === 'text' && typeof block.text === 'string') return block.text;
      throw unsupportedField(`${at}.${i}`, 'Tool results other than text are not translated for this model.');
    })
    .join('\n');
}

function assistantMessage(blocks: unknown[], at: string): JsonObject {
  let text = '';
  const toolCalls: JsonObject[] = [];
  blocks.forEach((block, i) => {
    const where = `${at}.${i}`;
    if (!isRecord(block)) throw invalidField(where, `\`${where}\` must be a content block.`);
    if (block.type === 'text' && typeof block.text === 'string') text += block.text;
    else if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    } else if (block.type !== 'thinking' && block.type !== 'redacted_thinking') {
      throw unsupportedField(
        `${where}.type`,
        `Content blocks of type \`${String(block.type)}\` are not translated for this model.`,
      );
    }
    // Thinking is the model's own scratch space, signed for Anthropic: other providers cannot read it.
  });
  const message: JsonObject = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

function toTools(tools: unknown): JsonObject[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalidField('tools', '`tools` must be an array.');
  return tools.map((tool, i) => {
    if (!isRecord(tool) || typeof tool.name !== 'string')
      throw invalidField(`tools.${i}.name`, `\`tools.${i}.name\` must be a string.`);
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') {
      throw unsupportedField(`tools.${i}.type`, `Server tools (\`${String(tool.type)}\`) are not available from this model.`);
    }
    const fn: JsonObject = { name: tool.name };
    if (typeof tool.description === 'string') fn.description = tool.description;
    if (isRecord(tool.input_schema)) fn.parameters = tool.input_schema;
    return { type: 'function', function: fn };
  });
}

function toolChoice(choice: unknown): JsonObject {
  if (!isRecord(choice)) return {};
  const noParallel = choice.disable_parallel_tool_use === true ? { parallel_tool_calls: false } : {};
  switch (choice.type) {
    case 'auto':
      return { tool_choice: 'auto', ...noParallel };
    case 'any':
      return { tool_choice: 'required', ...noParallel };
    case 'none':
      return { tool_choice: 'none' };
    case 'tool':
      if (typeof choice.name === 'string')
        return { tool_choice: { type: 'function', function: { name: choice.name } }, ...noParallel };
  }
  throw invalidField('tool_choice', '`tool_choice` must be {type: "auto" | "any" | "none"} or {type: "tool", name}.');
}
