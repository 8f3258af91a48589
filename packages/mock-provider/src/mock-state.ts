import type { Job } from './jobs.js';

/** A stored Responses API answer: the response object as sent, and what a follow-up needs from it. */
export interface StoredResponse {
  /** The response object as JSON-ready data. */
  readonly object: Readonly<Record<string, unknown>>;
  readonly model: string;
  /** Tokens of the whole turn (input and output), which a follow-up turn counts as input. */
  readonly totalTokens: number;
  /** `call_id`s of this response's function calls and of those before it in the chain. */
  readonly callIds: ReadonlySet<string>;
}

/** A file the mock serves by URL (generated images, vendor task audio): made on demand. */
export interface ServedMedia {
  readonly contentType: string;
  readonly bytes: () => Buffer;
}

/**
 * What the mock remembers between calls, beyond recorded calls and scripts: stored responses, videos,
 * vendor tasks and media it serves. `clear()` is part of `reset()`.
 */
export class MockState {
  readonly responses = new Map<string, StoredResponse>();
  readonly videos = new Map<string, Job>();
  readonly tasks = new Map<string, Job>();
  readonly media = new Map<string, ServedMedia>();

  clear(): void {
    this.responses.clear();
    this.videos.clear();
    this.tasks.clear();
    this.media.clear();
  }
}
