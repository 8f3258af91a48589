// The Responses API's `input` → OpenAI chat messages: message items by role, `function_call` items as the
// assistant's `tool_calls`, `function_call_output` items as `tool` messages.
import { readImage } from '../chat-input.js';
import { invalidField, isRecord, parseJson, unsupportedField, type JsonObject } from '../json.js';
import { storedStateUnsupported } from './errors.js';

/**
 * The chat messages of `input` (a string, or an array of items). A `function_call` joins the assistant
 * message right before it (a text message or other calls), as chat carries one turn's calls together.
 */
export function toChatMessages(input: unknown): JsonObject[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (!Array.isArray(input)) throw invalidField('input', '`input` must be a string or an array of input items.');
  const messages: JsonObject[] = [];
  input.forEach((item, i) => {
    const at = `input[${i}]`;
    if (!isRecord(item)) throw invalidField(at, `\`${at}\` must be an object.`);
    const type = item.type ?? 'message';
    switch (type) {
      case 'message':
        messages.push(message(item, at));
        return;
      case 'function_call': {
        const call = toolCall(item, at);
        const last = messages.at(-1);
        if (last?.role === 'assistant') last.tool_calls = [...(Array.isArray(last.tool_calls) ? last.tool_calls : []), call];
        else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
        return;
      }
      case 'function_call_output':
        messages.push({ role: 'tool', tool_call_id: callId(item, at), content: toolOutput(item.output, `${at}.output`) });
        return;
      case 'reasoning':
        // The model's own reasoning, opaque (encrypted) or summarised: other providers cannot read it.
        return;
      case 'item_reference':
        throw storedStateUnsupported(`${at}.type`, 'An `item_reference` to a stored item');
      default:
        throw unsupportedField(
          `${at}.type`,
          `Input items of type \`${String(type)}\` are not translated for this model; message, function_call and function_call_output are.`,
        );
    }
  });
  return messages;
}

function message(item: JsonObject, at: string): JsonObject {
  const { role, content } = item;
  switch (role) {
    case 'system':
    case 'developer':
      return { role, content: text(content, `${at}.content`, 'system and developer messages') };
    case 'assistant':
      return { role, content: text(content, `${at}.content`, 'assistant messages') };
    case 'user':
      return { role, content: typeof content === 'string' ? content : userParts(content, `${at}.content`) };
    default:
      throw invalidField(`${at}.role`, `\`${at}.role\` must be one of user, assistant, system, developer.`);
  }
}

/** A string, or text parts (`input_text`, `output_text`, and `refusal`, kept as text) joined. */
function text(content: unknown, at: string, where: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw invalidField(at, `\`${at}\` must be a string or an array of content parts.`);
  return content
    .map((part, i) => {
      const p = `${at}[${i}]`;
      if (!isRecord(part)) throw invalidField(p, `\`${p}\` must be an object.`);
      if (part.type === 'input_text' || part.type === 'output_text') return stringField(part, 'text', p);
      if (part.type === 'refusal') return stringField(part, 'refusal', p);
      throw unsupportedField(`${p}.type`, `Only text is translated in ${where} for this model, not \`${String(part.type)}\`.`);
    })
    .join('');
}

function userParts(content: unknown, at: string): JsonObject[] {
  if (!Array.isArray(content)) throw invalidField(at, `\`${at}\` must be a string or an array of content parts.`);
  return content.map((part, i) => {
    const p = `${at}[${i}]`;
    if (!isRecord(part)) throw invalidField(p, `\`${p}\` must be an object.`);
    if (part.type === 'input_text' || part.type === 'output_text') return { type: 'text', text: stringField(part, 'text', p) };
    if (part.type === 'input_image') return imagePart(part, p);
    throw unsupportedField(
      `${p}.type`,
      `Content parts of type \`${String(part.type)}\` are not translated for this model; input_text and input_image are.`,
    );
  });
}

/** An image by URL (data: or http(s)); one by `file_id` lives in OpenAI's file store, out of a translation's reach. */
function imagePart(part: JsonObject, at: string): JsonObject {
  if (typeof part.image_url === 'string') {
    readImage(part.image_url, `${at}.image_url`);
    const detail = typeof part.detail === 'string' ? { detail: part.detail } : {};
    return { type: 'image_url', image_url: { url: part.image_url, ...detail } };
  }
  if (typeof part.file_id === 'string') {
    throw unsupportedField(`${at}.file_id`, 'Images by `file_id` are not available from this model; send an `image_url`.');
  }
  throw invalidField(`${at}.image_url`, `\`${at}.image_url\` must be a string.`);
}

function toolCall(item: JsonObject, at: string): JsonObject {
  const name = item.name;
  if (typeof name !== 'string' || name === '') throw invalidField(`${at}.name`, `\`${at}.name\` must be a non-empty string.`);
  const args = item.arguments;
  const blank = typeof args === 'string' && args.trim() === '';
  if (typeof args !== 'string' || (!blank && !isRecord(parseJson(args)))) {
    throw invalidField(`${at}.arguments`, `\`${at}.arguments\` must be a JSON object in a string.`);
  }
  return { id: callId(item, at), type: 'function', function: { name, arguments: blank ? '{}' : args } };
}

function callId(item: JsonObject, at: string): string {
  if (typeof item.call_id !== 'string' || item.call_id === '') {
    throw invalidField(`${at}.call_id`, `\`${at}.call_id\` must be a non-empty string.`);
  }
  return item.call_id;
}

/** A tool's output: a string, or text parts joined; chat tool messages hold text only. */
function toolOutput(output: unknown, at: string): string {
  if (typeof output === 'string') return output;
  if (!Array.isArray(output)) throw invalidField(at, `\`${at}\` must be a string or an array of content parts.`);
  return output
    .map((part, i) => {
      const p = `${at}[${i}]`;
      if (isRecord(part) && part.type === 'input_text') return stringField(part, 'text', p);
      if (!isRecord(part)) throw invalidField(p, `\`${p}\` must be an object.`);
      throw unsupportedField(`${p}.type`, 'Function call outputs other than text are not translated for this model.');
    })
    .join('');
}

function stringField(part: JsonObject, key: string, at: string): string {
  const value = part[key];
  if (typeof value !== 'string') throw invalidField(`${at}.${key}`, `\`${at}.${key}\` must be a string.`);
  return value;
}
