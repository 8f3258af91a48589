import type { AnthropicMessagesRequest } from './anthropic-types.js';
import { isRecord } from './guards.js';

/** One piece of a prompt in Anthropic's cache order (tools, system, messages), with its size. */
export interface PromptSegment {
  readonly value: unknown;
  readonly chars: number;
  /** Whether the piece carries `cache_control`: a cache breakpoint. */
  readonly marked: boolean;
}

/** The prompt cut into segments in the order Anthropic caches it: each tool, each system block, each message block. */
export function promptSegments(request: AnthropicMessagesRequest): PromptSegment[] {
  const segments: PromptSegment[] = [];
  for (const tool of request.tools ?? []) {
    segments.push({ value: tool, chars: JSON.stringify(tool).length, marked: hasCacheControl(tool) });
  }
  const system = request.system;
  if (typeof system === 'string') segments.push({ value: system, chars: system.length, marked: false });
  else for (const block of system ?? []) segments.push(blockSegment(block));
  for (const message of request.messages) {
    const content = message.content;
    if (typeof content === 'string') {
      segments.push({ value: [message.role, content], chars: content.length, marked: false });
    } else {
      for (const block of content) segments.push(blockSegment(block, message.role));
    }
  }
  return segments;
}

/** The prompt's size in tokens: one per four characters plus a few per message, like the OpenAI side. */
export function promptTokens(segments: readonly PromptSegment[], messages: number): number {
  let chars = 0;
  for (const segment of segments) chars += segment.chars;
  return Math.ceil(chars / 4) + 3 * messages;
}

function blockSegment(block: unknown, role?: string): PromptSegment {
  return { value: role === undefined ? block : [role, block], chars: blockChars(block), marked: hasCacheControl(block) };
}

function blockChars(block: unknown): number {
  if (!isRecord(block)) return 0;
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' ? block.text.length : 0;
    case 'tool_use':
      return String(block.name).length + JSON.stringify(block.input ?? {}).length;
    case 'tool_result': {
      const content = block.content;
      if (typeof content === 'string') return content.length;
      if (!Array.isArray(content)) return 0;
      let chars = 0;
      for (const part of content) chars += blockChars(part);
      return chars;
    }
    default:
      return 0;
  }
}

function hasCacheControl(value: unknown): boolean {
  return isRecord(value) && isRecord(value.cache_control);
}
