import { split } from './chat-completion.js';
import type { PlannedStream, StreamEvent, StreamFraming } from './event-stream.js';
import { isRecord } from './guards.js';
import type { MessageItem, ResponsesReply } from './responses-reply.js';
import type { ResponsesRequest } from './types.js';

/** The fields every form of one response shares. */
export interface ResponseMeta {
  readonly id: string;
  /** Unix seconds. */
  readonly createdAt: number;
  readonly model: string;
}

/** The Responses API's SSE framing: every event named, `event: <type>\ndata: <json>\n\n`, nothing after the last. */
export const RESPONSES_FRAMING: StreamFraming = {
  frame: (event) => `event: ${event.name}\ndata: ${event.data}\n\n`,
  end: '',
};

/**
 * The `response` object: the request's settings echoed with upstream's defaults, `output`, `usage` and
 * `status`. Without `reply` it is the in-progress object a stream opens with (empty output, `usage: null`).
 */
export function responseObject(meta: ResponseMeta, request: ResponsesRequest, reply?: ResponsesReply): Record<string, unknown> {
  const incomplete = reply?.incompleteReason == null ? null : { reason: reply.incompleteReason };
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.createdAt,
    status: reply ? reply.status : 'in_progress',
    background: request.background ?? false,
    error: null,
    incomplete_details: incomplete,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: request.max_tool_calls ?? null,
    model: meta.model,
    output: reply ? [reply.item] : [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    prompt_cache_key: request.prompt_cache_key ?? null,
    reasoning: isRecord(request.reasoning)
      ? { effort: null, summary: null, ...request.reasoning }
      : { effort: null, summary: null },
    safety_identifier: request.safety_identifier ?? null,
    service_tier: reply ? 'default' : (request.service_tier ?? 'auto'),
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: { format: { type: 'text' }, verbosity: 'medium', ...(isRecord(request.text) ? request.text : {}) },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_logprobs: request.top_logprobs ?? 0,
    top_p: request.top_p ?? 1,
    truncation: request.truncation ?? 'disabled',
    usage: reply ? reply.usage : null,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
  };
}

/**
 * The events of a streamed response, in upstream's order, each `{type, sequence_number, …}`:
 * `response.created`, `response.in_progress`, `response.output_item.added`, then for a message
 * `response.content_part.added`, `response.output_text.delta` × up to `count`, `response.output_text.done`,
 * `response.content_part.done`; for a function call `response.function_call_arguments.delta` × up to `count`
 * and `.done`; then `response.output_item.done` and `response.completed` (`response.incomplete` when cut).
 */
export function responseEvents(
  meta: ResponseMeta,
  request: ResponsesRequest,
  reply: ResponsesReply,
  count: number,
): PlannedStream {
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>): StreamEvent => {
    const data = JSON.stringify({ type, sequence_number: sequence, ...fields });
    sequence += 1;
    return { name: type, data };
  };
  const opening = responseObject(meta, request);
  const lead = [event('response.created', { response: opening }), event('response.in_progress', { response: opening })];
  const item = reply.item;
  const done = responseObject(meta, request, reply);
  const closing = reply.status === 'completed' ? 'response.completed' : 'response.incomplete';
  if (item.type === 'function_call') {
    lead.push(event('response.output_item.added', { output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } }));
    const where = { item_id: item.id, output_index: 0 };
    const deltas = pieces(item.arguments, count).map((delta) =>
      event('response.function_call_arguments.delta', { ...where, delta }),
    );
    const tail = [
      event('response.function_call_arguments.done', { ...where, name: item.name, arguments: item.arguments }),
      event('response.output_item.done', { output_index: 0, item }),
      event(closing, { response: done }),
    ];
    return { lead, deltas, tail };
  }
  const message = messageEvents(item, event, lead, count);
  return { ...message, tail: [...message.tail, event(closing, { response: done })] };
}

function messageEvents(
  item: MessageItem,
  event: (type: string, fields: Record<string, unknown>) => StreamEvent,
  lead: StreamEvent[],
  count: number,
): PlannedStream {
  const part = item.content[0]!;
  lead.push(event('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }));
  const where = { item_id: item.id, output_index: 0, content_index: 0 };
  lead.push(event('response.content_part.added', { ...where, part: { ...part, text: '' } }));
  const deltas = pieces(part.text, count).map((delta) => event('response.output_text.delta', { ...where, delta, logprobs: [] }));
  const tail = [
    event('response.output_text.done', { ...where, text: part.text, logprobs: [] }),
    event('response.content_part.done', { ...where, part }),
    event('response.output_item.done', { output_index: 0, item }),
  ];
  return { lead, deltas, tail };
}

/**
 * The `error` event of a scripted mid-stream failure, numbered after the `sent` events before it. Shaped as
 * the live API sends it: the fields at the top level, as documented, and again under `error`, which is
 * the form openai-node reads to throw.
 */
export function responseErrorEvent(type: string, code: string, message: string, sent: number): StreamEvent {
  const error = { type, code, message, param: null };
  return { name: 'error', data: JSON.stringify({ type: 'error', sequence_number: sent, code, message, param: null, error }) };
}

// Upstream never streams an empty delta: short texts come in fewer pieces.
function pieces(text: string, count: number): string[] {
  const parts = split(text, count).filter((piece) => piece.length > 0);
  return parts.length > 0 ? parts : [''];
}
