import { split } from './chat-completion.js';
import { estimateTokens } from './chat-reply.js';

/** Text after stop sequences and the token limit were applied, and what cut it. */
export interface CutText {
  readonly text: string;
  /** `sequence` when a stop sequence ended it, `limit` when the token limit did, else `undefined`. */
  readonly cut: 'sequence' | 'limit' | undefined;
  /** The stop sequence that matched, when `cut` is `sequence`. */
  readonly sequence: string | undefined;
}

/**
 * Ends `text` at the first of `stopSequences` it contains (the sequence itself left out, as the APIs do),
 * else cuts it to `maxTokens` (four characters a token); whichever comes first wins.
 */
export function cutText(text: string, stopSequences: readonly string[] | undefined, maxTokens: number | undefined): CutText {
  let at = -1;
  let sequence: string | undefined;
  for (const candidate of stopSequences ?? []) {
    if (candidate.length === 0) continue;
    const index = text.indexOf(candidate);
    if (index !== -1 && (at === -1 || index < at)) {
      at = index;
      sequence = candidate;
    }
  }
  const limit = maxTokens === undefined ? undefined : Math.max(0, Math.floor(maxTokens)) * 4;
  if (at !== -1 && (limit === undefined || at <= limit)) return { text: text.slice(0, at), cut: 'sequence', sequence };
  if (maxTokens !== undefined && estimateTokens(text) > maxTokens) {
    return { text: text.slice(0, limit), cut: 'limit', sequence: undefined };
  }
  return { text, cut: undefined, sequence: undefined };
}

/**
 * `text` in up to `count` consecutive non-empty pieces, for APIs that never stream an empty text delta
 * (a text shorter than `count` comes in fewer pieces; an empty text in one empty piece).
 */
export function textPieces(text: string, count: number): string[] {
  const pieces = split(text, count).filter((piece) => piece.length > 0);
  return pieces.length > 0 ? pieces : [''];
}
