import type { PlannedStream, StreamFraming } from './event-stream.js';
import type { GeminiReply } from './gemini-reply.js';
import { textPieces } from './text-stops.js';

/** The fields every chunk of one answer shares. */
export interface ResponseMeta {
  readonly modelVersion: string;
  readonly responseId: string;
}

/** `streamGenerateContent?alt=sse`: unnamed events, `data: <json>\r\n\r\n`, as upstream frames them. */
export const GEMINI_SSE_FRAMING: StreamFraming = {
  frame: (event) => `data: ${event.data}\r\n\r\n`,
  end: '',
};

/** `streamGenerateContent` without `alt=sse`: one JSON array, its elements written as they come. */
export const GEMINI_ARRAY_FRAMING: StreamFraming = {
  frame: (event, index) => `${index === 0 ? '[' : ',\r\n'}${event.data}`,
  end: ']',
};

/** The JSON body of a non-stream `GenerateContentResponse`. */
export function responseBody(meta: ResponseMeta, reply: GeminiReply): string {
  return JSON.stringify({
    candidates: [{ content: { parts: [reply.part], role: 'model' }, finishReason: reply.finishReason, index: 0 }],
    usageMetadata: reply.usage,
    modelVersion: meta.modelVersion,
    responseId: meta.responseId,
  });
}

/**
 * The chunks of a streamed answer: up to `count` text pieces (a function call comes whole, in one chunk).
 * Every chunk carries the prompt's usage; the last adds `finishReason` and the complete `usageMetadata`.
 */
export function responseChunks(meta: ResponseMeta, reply: GeminiReply, count: number): PlannedStream {
  const { usage } = reply;
  const running = {
    promptTokenCount: usage.promptTokenCount,
    totalTokenCount: usage.promptTokenCount,
    promptTokensDetails: usage.promptTokensDetails,
  };
  const text = reply.part.text;
  const pieces = text === undefined ? [reply.part] : textPieces(text, count).map((piece) => ({ text: piece }));
  const deltas = pieces.map((part, i) => {
    const last = i === pieces.length - 1;
    const candidate = last
      ? { content: { parts: [part], role: 'model' }, finishReason: reply.finishReason, index: 0 }
      : { content: { parts: [part], role: 'model' }, index: 0 };
    return {
      data: JSON.stringify({
        candidates: [candidate],
        usageMetadata: last ? usage : running,
        modelVersion: meta.modelVersion,
        responseId: meta.responseId,
      }),
    };
  });
  return { lead: [], deltas, tail: [] };
}
