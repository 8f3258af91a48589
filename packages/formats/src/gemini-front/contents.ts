// Gemini `contents` → OpenAI chat messages. Gemini names a function call and its response by name,
// with ids only sometimes: calls without one get a `call_<content>_<part>` id, stable for a given
// history, and each `functionResponse` answers the earliest unanswered call of its id, else its name.
import { invalidField, isRecord, unsupportedField, type JsonObject } from '../json.js';
import { checkDepth } from './schema.js';

/** A function call of an earlier model turn that no `functionResponse` answered yet. */
interface OpenCall {
  readonly id: string;
  readonly name: string;
}

/** The translatable parts of one Content, in order, by kind. */
interface ReadContent {
  readonly texts: string[];
  /** `text` and `image_url` chat parts, for a user turn. */
  readonly userParts: JsonObject[];
  readonly calls: JsonObject[];
  readonly responses: JsonObject[];
}

/** Translates `contents`; throws a 400 SwitchyardError naming the field at fault. */
export function toChatMessages(contents: unknown, at: string): JsonObject[] {
  if (!Array.isArray(contents) || contents.length === 0) throw invalidField(at, `\`${at}\` must be a non-empty array.`);
  const open: OpenCall[] = [];
  const messages: JsonObject[] = [];
  contents.forEach((content, i) => {
    const where = `${at}[${i}]`;
    if (!isRecord(content)) throw invalidField(where, `\`${where}\` must be a Content object.`);
    const role = content.role ?? 'user';
    if (role !== 'user' && role !== 'model' && role !== 'function') {
      throw invalidField(`${where}.role`, `\`${where}.role\` must be "user" or "model".`);
    }
    const read = readParts(content.parts, `${where}.parts`, role === 'model' ? 'model' : 'user', i, open);
    if (role === 'model') {
      const text = read.texts.join('');
      if (text === '' && read.calls.length === 0) return; // thoughts only: the model's own scratch space
      // Consecutive model turns are one answer (Google's `chats` keeps a streamed answer as one turn per
      // chunk): one assistant message, else the calls split across messages miss their tool messages.
      const last = messages.at(-1);
      if (last?.role === 'assistant') {
        mergeInto(last, text, read.calls);
        return;
      }
      const message: JsonObject = { role: 'assistant', content: text === '' && read.calls.length > 0 ? null : text };
      if (read.calls.length > 0) message.tool_calls = read.calls;
      messages.push(message);
      return;
    }
    // Tool messages must follow the assistant message that called them, ahead of the user's own words.
    messages.push(...read.responses);
    if (read.userParts.length === 0) return;
    const only = read.userParts[0]!;
    const plain = read.userParts.length === 1 && only.type === 'text';
    messages.push({ role: 'user', content: plain ? only.text : read.userParts });
  });
  if (messages.length === 0) throw invalidField(at, `\`${at}\` holds nothing to answer: only thought parts.`);
  return messages;
}

/** Adds a later model turn's text and calls to the assistant message of the turn before it. */
function mergeInto(message: JsonObject, text: string, calls: readonly JsonObject[]): void {
  if (text !== '') message.content = typeof message.content === 'string' ? message.content + text : text;
  if (calls.length > 0) message.tool_calls = [...(Array.isArray(message.tool_calls) ? message.tool_calls : []), ...calls];
}

const DATA_KEYS = [
  'text',
  'inlineData',
  'fileData',
  'functionCall',
  'functionResponse',
  'executableCode',
  'codeExecutionResult',
] as const;

function readParts(parts: unknown, at: string, role: 'user' | 'model', content: number, open: OpenCall[]): ReadContent {
  if (!Array.isArray(parts) || parts.length === 0) throw invalidField(at, `\`${at}\` must be a non-empty array of parts.`);
  const read: ReadContent = { texts: [], userParts: [], calls: [], responses: [] };
  parts.forEach((part, j) => {
    const where = `${at}[${j}]`;
    if (!isRecord(part)) throw invalidField(where, `\`${where}\` must be a Part object.`);
    const kinds = DATA_KEYS.filter((key) => part[key] !== undefined && part[key] !== null);
    if (kinds.length !== 1) {
      throw invalidField(where, `\`${where}\` must hold exactly one of ${DATA_KEYS.join(', ')}.`);
    }
    const kind = kinds[0]!;
    const value = part[kind];
    switch (kind) {
      case 'text':
        if (typeof value !== 'string') throw invalidField(`${where}.text`, `\`${where}.text\` must be a string.`);
        if (role === 'model' && part.thought === true) return; // a thought summary, which other providers cannot read
        if (value === '') return;
        read.texts.push(value);
        read.userParts.push({ type: 'text', text: value });
        return;
      case 'inlineData':
      case 'fileData':
        if (role === 'model') {
          throw unsupportedField(`${where}.${kind}`, 'Media in model turns cannot be replayed to this model.');
        }
        read.userParts.push(
          kind === 'inlineData' ? inlineImage(value, `${where}.inlineData`) : fileImage(value, `${where}.fileData`),
        );
        return;
      case 'functionCall':
        if (role !== 'model') throw invalidField(where, `\`${where}\`: function calls belong in model turns.`);
        read.calls.push(functionCall(value, `${where}.functionCall`, `call_${content}_${j}`, open));
        return;
      case 'functionResponse':
        if (role === 'model') throw invalidField(where, `\`${where}\`: function responses belong in user turns.`);
        read.responses.push(functionResponse(value, `${where}.functionResponse`, open));
        return;
      default:
        throw unsupportedField(`${where}.${kind}`, `\`${kind}\` parts (code execution) are not translated for this model.`);
    }
  });
  return read;
}

function inlineImage(value: unknown, at: string): JsonObject {
  if (!isRecord(value) || typeof value.mimeType !== 'string' || typeof value.data !== 'string') {
    throw invalidField(at, `\`${at}\` must be {mimeType, data} with base64 data.`);
  }
  const type = value.mimeType.toLowerCase();
  if (!type.startsWith('image/')) {
    throw unsupportedField(
      `${at}.mimeType`,
      `\`inlineData\` of type \`${value.mimeType}\` is not translated for this model; images are.`,
    );
  }
  // Google also accepts URL-safe base64; a data: URL wants the standard alphabet.
  const data = /[-_]/.test(value.data) ? value.data.replace(/-/g, '+').replace(/_/g, '/') : value.data;
  return { type: 'image_url', image_url: { url: `data:${type};base64,${data}` } };
}

const IMAGE_EXTENSION = /\.(png|jpe?g|gif|webp|heic|heif)$/i;

function fileImage(value: unknown, at: string): JsonObject {
  if (!isRecord(value) || typeof value.fileUri !== 'string') throw invalidField(at, `\`${at}\` must be {mimeType, fileUri}.`);
  const uri = value.fileUri;
  const type = typeof value.mimeType === 'string' ? value.mimeType.toLowerCase() : undefined;
  if (!/^https?:\/\//i.test(uri) || !URL.canParse(uri)) {
    throw unsupportedField(`${at}.fileUri`, 'Only http(s) image URLs are translated for this model.');
  }
  const url = new URL(uri);
  if (url.hostname === 'generativelanguage.googleapis.com') {
    throw unsupportedField(`${at}.fileUri`, 'Files uploaded to the Gemini Files API can be read by Gemini models only.');
  }
  if (type === undefined ? !IMAGE_EXTENSION.test(url.pathname) : !type.startsWith('image/')) {
    throw unsupportedField(
      `${at}.mimeType`,
      `\`fileData\` of type \`${type ?? 'unknown'}\` is not translated for this model; images are.`,
    );
  }
  return { type: 'image_url', image_url: { url: uri } };
}

function functionCall(value: unknown, at: string, minted: string, open: OpenCall[]): JsonObject {
  if (!isRecord(value) || typeof value.name !== 'string' || value.name === '') {
    throw invalidField(`${at}.name`, `\`${at}.name\` must be a non-empty string.`);
  }
  const args = value.args ?? {};
  if (!isRecord(args)) throw invalidField(`${at}.args`, `\`${at}.args\` must be an object.`);
  checkDepth(args, `${at}.args`);
  const id = typeof value.id === 'string' && value.id !== '' ? value.id : minted;
  open.push({ id, name: value.name });
  return { id, type: 'function', function: { name: value.name, arguments: JSON.stringify(args) } };
}

function functionResponse(value: unknown, at: string, open: OpenCall[]): JsonObject {
  if (!isRecord(value) || typeof value.name !== 'string' || value.name === '') {
    throw invalidField(`${at}.name`, `\`${at}.name\` must be a non-empty string.`);
  }
  if (!isRecord(value.response)) throw invalidField(`${at}.response`, `\`${at}.response\` must be an object.`);
  if (Array.isArray(value.parts) && value.parts.length > 0) {
    throw unsupportedField(`${at}.parts`, 'Function responses with media parts are not translated for this model.');
  }
  checkDepth(value.response, `${at}.response`);
  const name = value.name;
  const byId = typeof value.id === 'string' && value.id !== '' ? open.findIndex((call) => call.id === value.id) : -1;
  const index = byId !== -1 ? byId : open.findIndex((call) => call.name === name);
  if (index === -1) throw invalidField(at, `\`${at}\` answers no earlier functionCall named \`${name}\`.`);
  const [call] = open.splice(index, 1);
  return { role: 'tool', tool_call_id: call!.id, content: JSON.stringify(value.response) };
}
