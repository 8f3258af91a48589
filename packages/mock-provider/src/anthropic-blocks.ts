import { isRecord } from './guards.js';
import { isBase64, sniffImageType } from './image-data.js';

// Content block types the Messages API accepts in each role's turns.
const USER_BLOCKS = ['text', 'image', 'document', 'search_result', 'tool_result', 'container_upload'] as const;
const ASSISTANT_BLOCKS = [
  'text',
  'tool_use',
  'thinking',
  'redacted_thinking',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'mcp_tool_use',
  'mcp_tool_result',
] as const;
const ALL_BLOCKS: ReadonlySet<string> = new Set<string>([...USER_BLOCKS, ...ASSISTANT_BLOCKS]);
const USER_SET: ReadonlySet<string> = new Set<string>(USER_BLOCKS);
const ASSISTANT_SET: ReadonlySet<string> = new Set<string>(ASSISTANT_BLOCKS);
const TAGS = [...ALL_BLOCKS].map((tag) => `'${tag}'`).join(', ');

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const TOOL_USE_ID = /^[a-zA-Z0-9_-]+$/;

/**
 * The message of the 400 the Messages API sends for `block` (at `loc`, e.g. `messages.0.content.1`) in a
 * `role` turn, or `undefined` when it is valid. Unknown block fields are left alone.
 */
export function checkBlock(block: unknown, role: 'user' | 'assistant', loc: string): string | undefined {
  if (!isRecord(block)) return `${loc}: Input should be a valid dictionary`;
  const type = block.type;
  if (typeof type !== 'string') return `${loc}.type: Field required`;
  if (!ALL_BLOCKS.has(type)) {
    return `${loc}: Input tag '${type}' found using 'type' does not match any of the expected tags: ${TAGS}`;
  }
  if (!(role === 'user' ? USER_SET : ASSISTANT_SET).has(type)) {
    return `${loc}: \`${type}\` blocks are not allowed in "${role}" messages`;
  }
  const at = `${loc}.${type}`;
  switch (type) {
    case 'text':
      return checkText(block, at);
    case 'image':
      return checkImage(block.source, `${at}.source`);
    case 'tool_use':
      return checkToolUse(block, at);
    case 'tool_result':
      return checkToolResult(block, at);
    default:
      return undefined;
  }
}

/** The ids of the `tool_use` blocks of a turn's content, in order. */
export function toolUseIds(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  return content.flatMap((block) =>
    isRecord(block) && block.type === 'tool_use' && typeof block.id === 'string' ? [block.id] : [],
  );
}

function checkText(block: Record<string, unknown>, at: string): string | undefined {
  if (block.text === undefined) return `${at}.text: Field required`;
  if (typeof block.text !== 'string') return `${at}.text: Input should be a valid string`;
  if (block.text.length === 0) return 'messages: text content blocks must be non-empty';
  return undefined;
}

function checkImage(source: unknown, at: string): string | undefined {
  if (source === undefined) return `${at}: Field required`;
  if (!isRecord(source)) return `${at}: Input should be a valid dictionary`;
  switch (source.type) {
    case 'base64':
      return checkBase64Image(source, `${at}.base64`);
    case 'url':
      if (typeof source.url !== 'string') return `${at}.url.url: Field required`;
      if (!/^https?:\/\//.test(source.url)) return `${at}.url.url: Input should be a valid URL, relative URL without a base`;
      return undefined;
    case 'file':
      return typeof source.file_id === 'string' ? undefined : `${at}.file.file_id: Field required`;
    default:
      return `${at}: Input tag '${String(source.type)}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'`;
  }
}

function checkBase64Image(source: Record<string, unknown>, at: string): string | undefined {
  const mediaType = source.media_type;
  if (typeof mediaType !== 'string' || !IMAGE_TYPES.includes(mediaType)) {
    return `${at}.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
  }
  const data = source.data;
  if (typeof data !== 'string') return `${at}.data: Field required`;
  // A data URL pasted whole (`data:image/png;base64,…`) fails here, as it does upstream.
  if (!isBase64(data)) return `${at}.data: Invalid base64 data`;
  const actual = sniffImageType(data);
  if (actual === undefined) return `${at}.data: Could not process image`;
  if (actual !== mediaType) {
    return `${at}.data: The image was specified using the ${mediaType} media type, but the image appears to be a ${actual} image`;
  }
  return undefined;
}

function checkToolUse(block: Record<string, unknown>, at: string): string | undefined {
  if (typeof block.id !== 'string') return `${at}.id: Field required`;
  if (!TOOL_USE_ID.test(block.id)) return `${at}.id: String should match pattern '^[a-zA-Z0-9_-]+$'`;
  if (typeof block.name !== 'string') return `${at}.name: Field required`;
  // OpenAI's `arguments` is a JSON string; Anthropic's `input` must be the object itself.
  if (!isRecord(block.input)) return `${at}.input: Input should be a valid dictionary`;
  return undefined;
}

function checkToolResult(block: Record<string, unknown>, at: string): string | undefined {
  if (typeof block.tool_use_id !== 'string') return `${at}.tool_use_id: Field required`;
  const content = block.content;
  if (content !== undefined && typeof content !== 'string') {
    if (!Array.isArray(content)) return `${at}.content: Input should be a valid list`;
    for (const [k, part] of content.entries()) {
      const type = isRecord(part) ? part.type : undefined;
      if (type === 'text') {
        const problem = checkText(part as Record<string, unknown>, `${at}.content.${k}.text`);
        if (problem) return problem;
      } else if (type === 'image') {
        const problem = checkImage((part as Record<string, unknown>).source, `${at}.content.${k}.image.source`);
        if (problem) return problem;
      } else if (type !== 'document' && type !== 'search_result') {
        return `${at}.content.${k}: Input tag '${String(type)}' found using 'type' does not match any of the expected tags: 'text', 'image', 'document', 'search_result'`;
      }
    }
  }
  if (block.is_error !== undefined && typeof block.is_error !== 'boolean')
    return `${at}.is_error: Input should be a valid boolean`;
  return undefined;
}
