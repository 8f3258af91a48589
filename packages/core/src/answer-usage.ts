// How a listener (the budget guard) learns an answer's usage while it can still put the cost on it:
// the dispatch emits this event on the client's response when a 2xx answer's usage is known, or will
// never be (the answer was cut or the client left).
import type { Usage } from './record.js';

export const ANSWER_USAGE_EVENT = 'switchyard:usage';

export interface AnswerUsage {
  /** The exact model that answered. */
  readonly model: string;
  /** The usage the answer reported, if any. */
  readonly usage: Usage | undefined;
  /** False when the client left or the upstream cut the answer before its end. */
  readonly complete: boolean;
  /** `data:` events of a stream that reached the client (0 for JSON). */
  readonly streamedEvents: number;
  /**
   * Fields a listener wants on the answer: headers of a JSON answer (it is held back until its usage is
   * read), trailers of a stream. Ignored when the answer is incomplete.
   */
  readonly fields: Record<string, string>;
}
