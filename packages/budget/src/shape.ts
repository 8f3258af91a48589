// What a request can make the upstream bill, read from its body: the facts the worst case is priced from.
import type { ParsedRequest } from '@switchyard/core';
import type { RequestSize } from './pricing.js';

/**
 * Input tokens added once when the request offers tools: the tool-use system prompt a provider adds (Anthropic
 * documents 264–530 tokens for its models; OpenAI's function preamble is a few dozen).
 */
export const TOOLS_OVERHEAD_TOKENS = 1000;
/** Input tokens added per Anthropic built-in client tool (bash 245, text_editor 700, computer 735, by Anthropic's tables). */
export const BUILT_IN_TOOL_TOKENS = 1000;

/** How deep message content is searched for images and files (tool results nest it one or two levels). */
const MAX_CONTENT_DEPTH = 6;

type Body = Readonly<Record<string, unknown>>;

/**
 * The request's size as far as cost goes:
 * - input: the body's UTF-8 bytes (every token the model reads from it is at least one byte there, JSON's
 *   quotes and keys only add to it), less the bytes of image payloads (priced per image instead), plus the
 *   tool-use overheads; images counted by detail level;
 * - output: the highest output limit the body sets (`max_tokens`, `max_completion_tokens`, `max_output_tokens`),
 *   times the completions asked for (`n`; on completions at least `best_of`, per prompt), plus the
 *   predicted-output text (its rejected tokens are billed as output);
 * - `unbounded`, naming the field, when the upstream can bill what the request does not bound: state kept
 *   upstream (`previous_response_id`, `conversation`, a stored `prompt`), files (PDF pages), audio in or out
 *   (the policy has no audio price), built-in server tools (web search, code execution, MCP, …).
 */
export function requestShape(request: ParsedRequest): RequestSize {
  const { body, endpoint } = request;
  const found: Found = { images: { low: 0, high: 0 }, payloadBytes: 0, unbounded: undefined };
  for (const items of [body.messages, body.input, body.system]) visitContent(items, found, 0);
  const tools = toolsOf(body);
  const unbounded = found.unbounded ?? tools.unbounded ?? serverState(body, request);
  const overhead = tools.count > 0 ? TOOLS_OVERHEAD_TOKENS + tools.builtIn * BUILT_IN_TOOL_TOKENS : 0;
  return {
    inputTokens: Math.max(0, request.raw.length - found.payloadBytes) + overhead,
    maxOutputTokens: outputLimit(request),
    endpoint,
    completions: request.completions,
    images: found.images,
    extraOutputTokens: predictionBytes(body, request.raw.length),
    unbounded,
  };
}

interface Found {
  readonly images: { low: number; high: number };
  payloadBytes: number;
  unbounded: string | undefined;
}

const IMAGE_PARTS: ReadonlySet<unknown> = new Set(['image_url', 'input_image', 'image']);
const FILE_PARTS: ReadonlySet<unknown> = new Set(['file', 'input_file', 'container_upload']);
const AUDIO_PARTS: ReadonlySet<unknown> = new Set(['input_audio', 'audio']);

/** Messages, `/responses` items, content parts, tool results: images counted, files and audio flagged. */
function visitContent(node: unknown, found: Found, depth: number): void {
  if (depth > MAX_CONTENT_DEPTH) return;
  if (Array.isArray(node)) {
    for (const item of node) visitContent(item, found, depth + 1);
    return;
  }
  if (!isObject(node)) return;
  const { type } = node;
  if (IMAGE_PARTS.has(type)) {
    if (detailOf(node) === 'low') found.images.low++;
    else found.images.high++;
    found.payloadBytes += Buffer.byteLength(imagePayload(node), 'utf8');
  } else if (FILE_PARTS.has(type)) {
    found.unbounded ??= `a ${String(type)} part (a file's pages are billed as text and images that the request does not bound)`;
  } else if (type === 'document') {
    const source = isObject(node.source) ? node.source.type : undefined;
    if (source !== 'text' && source !== 'content')
      found.unbounded ??= 'a document part (its pages are not bounded by the request)';
  } else if (AUDIO_PARTS.has(type)) {
    found.unbounded ??= 'audio input (the policy has no audio price)';
  }
  visitContent(node.content, found, depth + 1);
  if (Array.isArray(node.output)) visitContent(node.output, found, depth + 1);
}

/** Chat's `image_url.detail`, the Responses API's `detail`; Anthropic's images have none. */
function detailOf(part: Body): unknown {
  return isObject(part.image_url) ? part.image_url.detail : part.detail;
}

/** The image's URL or base64 data as the body carries it. */
function imagePayload(part: Body): string {
  const url = isObject(part.image_url) ? part.image_url.url : part.image_url;
  if (typeof url === 'string') return url;
  const data = isObject(part.source) ? (part.source.data ?? part.source.url) : undefined;
  return typeof data === 'string' ? data : '';
}

/** Tools the client runs (functions) are bounded by their definitions; built-in server tools are not. */
function toolsOf(body: Body): { count: number; builtIn: number; unbounded?: string } {
  const tools = [...(Array.isArray(body.tools) ? body.tools : []), ...(Array.isArray(body.functions) ? body.functions : [])];
  let builtIn = 0;
  for (const tool of tools) {
    const type = isObject(tool) ? tool.type : undefined;
    if (type === undefined || type === 'function' || type === 'custom') continue;
    if (typeof type === 'string' && /^(bash|text_editor|computer|memory)_/.test(type)) {
      builtIn++;
      continue;
    }
    return { count: tools.length, builtIn, unbounded: `the built-in tool "${String(type)}" (what it reads back is not bounded)` };
  }
  if (body.web_search_options !== undefined) return { count: tools.length, builtIn, unbounded: 'web_search_options' };
  if (Array.isArray(body.mcp_servers) && body.mcp_servers.length > 0)
    return { count: tools.length, builtIn, unbounded: 'mcp_servers' };
  return { count: tools.length, builtIn };
}

/** Fields that make the upstream read what the request does not carry, or write audio. */
function serverState(body: Body, request: ParsedRequest): string | undefined {
  if (request.endpoint === 'responses') {
    if (body.previous_response_id != null) return 'previous_response_id (the earlier turns are read upstream)';
    if (body.conversation != null) return 'conversation (its items are read upstream)';
    if (isObject(body.prompt)) return 'a stored prompt';
  }
  const modalities = body.modalities;
  if ((Array.isArray(modalities) && modalities.includes('audio')) || isObject(body.audio))
    return 'audio output (the policy has no audio price)';
  return undefined;
}

/** The highest output limit the body sets, in any of the fields an upstream may read; `undefined` when none is a count. */
function outputLimit(request: ParsedRequest): number | undefined {
  const { body } = request;
  let highest: number | undefined;
  for (const value of [body.max_tokens, body.max_completion_tokens, body.max_output_tokens, request.maxOutputTokens]) {
    // Core's parse refuses a limit that is not a whole number, 0 or more.
    if (typeof value === 'number') highest = Math.max(highest ?? 0, value);
  }
  return highest;
}

/**
 * Predicted outputs (`prediction.content`): their rejected tokens are billed as output. Content nested too deep
 * to serialise counts as the whole body, which holds it.
 */
function predictionBytes(body: Body, bodyBytes: number): number {
  const prediction = body.prediction;
  if (!isObject(prediction) || prediction.content === undefined) return 0;
  try {
    return Buffer.byteLength(JSON.stringify(prediction.content) ?? '', 'utf8');
  } catch {
    return bodyBytes;
  }
}

function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
